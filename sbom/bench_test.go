package sbom

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"path"
	"path/filepath"
	"testing"

	"github.com/anchore/syft/syft"
	"github.com/anchore/syft/syft/source/directorysource"

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

// BenchmarkSBOMNode250MBExtracted is the "before" of the zip resolver: the
// same function extracted to disk and cataloged with syft's own directory
// source and the same catalogers, extraction included in the time.
func BenchmarkSBOMNode250MBExtracted(b *testing.B) {
	p, err := benchgen.Cached(benchgen.Node250MB)
	if err != nil {
		b.Fatal(err)
	}
	Preload()
	ctx := context.Background()
	b.ResetTimer()
	var n int
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		if err := unzipTo(p, dir); err != nil {
			b.Fatal(err)
		}
		src, err := directorysource.NewFromPath(dir)
		if err != nil {
			b.Fatal(err)
		}
		lctx, err := withLicenseScanner(ctx, false)
		if err != nil {
			b.Fatal(err)
		}
		s, err := syft.CreateSBOM(lctx, src, catalogConfig(Options{}))
		if err != nil {
			b.Fatal(err)
		}
		n = s.Artifacts.Packages.PackageCount()
	}
	b.ReportMetric(float64(n), "syft-packages")
}

// unzipTo extracts a trusted, generated zip (benchmarks only).
func unzipTo(zipPath, dir string) error {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, f := range zr.File {
		dest := filepath.Join(dir, f.Name)
		if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
			return err
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		out, err := os.Create(dest)
		if err != nil {
			rc.Close()
			return err
		}
		_, err = io.Copy(out, rc)
		rc.Close()
		out.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
