package sbom

import (
	"context"
	"path"
	"testing"

	"github.com/fnaudit/fnaudit/artifact"
	"github.com/fnaudit/fnaudit/internal/benchgen"
)

// benchSBOM opens and catalogs target once per iteration and reports the
// package count, so a change that silently drops packages shows up.
func benchSBOM(b *testing.B, target string) {
	b.Helper()
	Preload() // the license scanner is built once per process, as in the CLI
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	var n int
	for i := 0; i < b.N; i++ {
		d, err := artifact.Open(ctx, target, artifact.Options{})
		if err != nil {
			b.Fatal(err)
		}
		s, err := Generate(ctx, d, Options{})
		d.Close()
		if err != nil {
			b.Fatal(err)
		}
		n = len(s.Packages)
	}
	b.ReportMetric(float64(n), "packages")
}

// BenchmarkSBOMCorpusLargest catalogs the largest corpus zip (the Go
// custom-runtime bootstrap, 3.8 MB) and the one with the most packages.
func BenchmarkSBOMCorpusLargest(b *testing.B) {
	for _, name := range []string{"go-bootstrap.zip", "node-layer.zip"} {
		b.Run(name, func(b *testing.B) { benchSBOM(b, path.Join(functionsDir, name)) })
	}
}

// BenchmarkSBOMNode250MB catalogs a generated Node function of about 250 MB
// unzipped with 3,000 installed packages (see internal/benchgen). The peer
// comparison with the syft CLI is scripts/bench-peers.sh.
func BenchmarkSBOMNode250MB(b *testing.B) {
	p, err := benchgen.Cached(benchgen.Node250MB)
	if err != nil {
		b.Fatal(err)
	}
	benchSBOM(b, p)
}
