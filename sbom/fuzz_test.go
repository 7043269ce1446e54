package sbom

import (
	"context"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/artifact"
	zt "github.com/fnaudit/fnaudit/internal/ziptest"
)

// FuzzPackageJSONInZip mutates the bytes of
// node_modules/flatmap-stream/package.json inside a function zip (seeded
// with the real flatmap-stream 0.1.1 package.json and the forms of issue 10
// point 1). Oracle: the package's folder exists, so either Generate lists a
// package at /var/task/node_modules/flatmap-stream or it (or opening the
// zip) returns an error, which the CLI turns into exit 2.
func FuzzPackageJSONInZip(f *testing.F) {
	real := zt.ReadEntry(f, path.Join(functionsDir, "event-stream-reconstruction.zip"), "node_modules/flatmap-stream/package.json")
	f.Add([]byte(real))
	f.Add([]byte("\xef\xbb\xbf" + real))
	f.Add([]byte(strings.Replace(real, `"version": "0.1.1"`, `"version": 0.1`, 1)))
	f.Add([]byte(strings.Replace(real, `"version": "0.1.1"`, `"version": ["0.1.1"]`, 1)))
	f.Add([]byte(strings.Replace(real, `"name": "flatmap-stream"`, `"name": ["flatmap-stream"]`, 1)))
	f.Add([]byte(strings.Replace(real, `"license"`, `"author": ["a", "b"], "license"`, 1)))
	f.Add([]byte(strings.Replace(real, `"license"`, `"x": `+strings.Repeat("[", 200)+strings.Repeat("]", 200)+`, "license"`, 1)))
	f.Add([]byte(`{}`))
	f.Add([]byte(``))
	// Each worker builds syft's license scanner once, here: under the
	// fuzzer's instrumentation it takes longer than the 10 s after which a
	// worker is taken for hung.
	if _, err := withLicenseScanner(context.Background(), false); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, pj []byte) {
		fn := zt.Write(t, t.TempDir(), "function.zip",
			zt.File("index.js", "require('flatmap-stream')"),
			zt.Entry{Name: "node_modules/flatmap-stream/package.json", Body: pj})
		d, err := artifact.Open(context.Background(), fn, artifact.Options{})
		if err != nil {
			return // refused: exit 2
		}
		defer d.Close()
		s, err := Generate(context.Background(), d, Options{})
		if err != nil {
			return // exit 2
		}
		for _, p := range s.Packages {
			if p.Ecosystem == EcosystemNPM && slices.Contains(p.Paths, "/var/task/node_modules/flatmap-stream") {
				if p.Name == "" {
					t.Fatalf("package listed without a name: %+v", p)
				}
				return
			}
		}
		t.Fatalf("node_modules/flatmap-stream exists but no package is listed and no error returned; packages %+v; package.json %q", s.Packages, pj)
	})
}
