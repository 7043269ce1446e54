package sbom

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/artifact"
	zt "github.com/fnaudit/fnaudit/internal/ziptest"
)

// TestMetadataCapStopsGenerate (issue 10, point 14): a package.json larger
// than the metadata cap is not half-parsed and skipped; Generate fails with
// the error naming the file and the flag, so the gate cannot pass on it.
// Executables are not capped: the Go bootstrap of the corpus, larger than
// the cap, is still read for its build information.
func TestMetadataCapStopsGenerate(t *testing.T) {
	big := `{"name":"flatmap-stream","version":"0.1.1","description":"` + strings.Repeat("x", 2<<20) + `"}`
	fn := zt.Write(t, t.TempDir(), "function.zip",
		zt.File("index.js", "require('flatmap-stream')"),
		zt.File("node_modules/flatmap-stream/package.json", big))
	d, err := artifact.Open(context.Background(), fn, artifact.Options{Limits: artifact.Limits{MaxMetadataSize: 1 << 20, MaxRatio: 1 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	_, err = Generate(context.Background(), d, Options{})
	var ie *artifact.InputError
	if !errors.As(err, &ie) || ie.Entry != "node_modules/flatmap-stream/package.json" || ie.Limit != "--max-metadata-size" {
		t.Fatalf("Generate: %v, want the metadata cap naming the package.json", err)
	}

	// With the default cap it is read and listed.
	d2, err := artifact.Open(context.Background(), fn, artifact.Options{Limits: artifact.Limits{MaxRatio: 1 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	s, err := Generate(context.Background(), d2, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Packages) != 1 || s.Packages[0].Name != "flatmap-stream" || s.Packages[0].Version != "0.1.1" {
		t.Errorf("packages %+v", s.Packages)
	}

	// An executable over the cap: the corpus's Go bootstrap.
	goZip := functionsDir + "/go-bootstrap.zip"
	d3, err := artifact.Open(context.Background(), goZip, artifact.Options{Limits: artifact.Limits{MaxMetadataSize: 64 << 10}})
	if err != nil {
		t.Fatal(err)
	}
	defer d3.Close()
	s, err = Generate(context.Background(), d3, Options{})
	if err != nil {
		t.Fatalf("an executable stopped on the metadata cap: %v", err)
	}
	if len(s.Packages) == 0 {
		t.Error("no packages from the Go bootstrap")
	}
}
