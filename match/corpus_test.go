package match

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fnaudit/fnaudit/core"
)

// expectedFunction is one entry of testdata/functions/expected-packages.json.
type expectedFunction struct {
	Kind     string `json:"kind"`
	Packages []struct {
		Ecosystem   string `json:"ecosystem"`
		Name        string `json:"name"`
		Version     string `json:"version"`
		Path        string `json:"path"`
		DuplicateOf string `json:"duplicate_of"`
		Role        string `json:"role"`
	} `json:"packages"`
	ExpectedAdvisoryMatches struct {
		AgainstSharedOSV []struct {
			Path       string   `json:"path"`
			Name       string   `json:"name"`
			Version    string   `json:"version"`
			Ecosystem  string   `json:"ecosystem"`
			Advisories []string `json:"advisories"`
		} `json:"against_shared_osv"`
	} `json:"expected_advisory_matches"`
}

func expectedPackages(tb testing.TB) map[string]expectedFunction {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "functions", "expected-packages.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var m map[string]expectedFunction
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatalf("expected-packages.json: %v", err)
	}
	return m
}

// functionPackages turns every row of a function's ground truth into a
// package, as an SBOM of that zip would list it: one per row, duplicates
// (the same distribution seen through two metadata directories) included,
// since each row is a copy with its own path.
func functionPackages(zip string, fn expectedFunction) []core.Package {
	origin := core.Origin{Kind: core.OriginFunction, Name: zip}
	if fn.Kind == "layer" {
		origin = core.Origin{Kind: core.OriginLayer, Index: 1, Name: zip}
	}
	var pkgs []core.Package
	for _, p := range fn.Packages {
		pkgs = append(pkgs, core.Package{
			Ecosystem: p.Ecosystem,
			Name:      p.Name,
			Version:   p.Version,
			Paths:     []string{p.Path},
			Origin:    origin,
			Loaded:    true,
		})
	}
	return pkgs
}

// idsByPath maps "path name" to the sorted record ids matched there.
func idsByPath(fs []Finding) map[string][]string {
	m := map[string][]string{}
	for _, f := range fs {
		k := f.Package.Path() + " " + f.Package.Name
		m[k] = append(m[k], f.IDs...)
	}
	for k := range m {
		slices.Sort(m[k])
	}
	return m
}

func matchFunction(t *testing.T, src Source, zip string, fn expectedFunction) []Finding {
	t.Helper()
	fs, err := Match(context.Background(), src, functionPackages(zip, fn))
	if err != nil {
		t.Fatalf("%s: %v", zip, err)
	}
	return fs
}
