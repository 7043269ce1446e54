package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestSBOMRoundTrip: scanning fnaudit's own SBOM of a function (with its
// layer) gives the same findings, paths, origins, runtime and digest as
// scanning the zips, in SPDX as in CycloneDX.
func TestSBOMRoundTrip(t *testing.T) {
	t.Parallel()
	db := corpusDB(t)
	fn, layer := filepath.Join(functionsDir, "node-app.zip"), filepath.Join(functionsDir, "node-layer.zip")
	facts := func(out string) (string, []string) {
		t.Helper()
		var r struct {
			Artifact struct{ Digest, Runtime string }
			Findings []struct {
				IDs     []string `json:"ids"`
				Package struct {
					Name, Version, Path string
					Loaded              bool
					Origin              struct {
						Kind, Name, Digest string
						Index              int
					}
				}
				Gate struct{ Fails bool }
			}
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		var fs []string
		for _, f := range r.Findings {
			p := f.Package
			fs = append(fs, fmt.Sprintf("%s %s@%s %s %+v loaded=%v fails=%v", strings.Join(f.IDs, ","), p.Name, p.Version, p.Path, p.Origin, p.Loaded, f.Gate.Fails))
		}
		sort.Strings(fs)
		return r.Artifact.Digest + " " + r.Artifact.Runtime, fs
	}
	_, out, _ := runCLI(t, append(db, "scan", fn, "--layer", layer, "-o", "json")...)
	wantArt, want := facts(out)
	if len(want) != 15 {
		t.Fatalf("zip scan: %d findings", len(want))
	}
	for _, format := range []string{"spdx-json", "cyclonedx-json"} {
		bom := filepath.Join(t.TempDir(), "sbom.json")
		if code, _, errs := runCLI(t, "sbom", fn, "--layer", layer, "-o", format+"="+bom); code != 0 {
			t.Fatalf("sbom -o %s: exit %d: %s", format, code, errs)
		}
		code, out, errs := runCLI(t, append(db, "scan", bom, "-o", "json")...)
		if code != 1 {
			t.Fatalf("scan of the %s SBOM: exit %d: %s", format, code, errs)
		}
		gotArt, got := facts(out)
		if gotArt != wantArt {
			t.Errorf("%s: artifact %q, want %q", format, gotArt, wantArt)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: findings differ from the zip's:\n got %s\nwant %s", format, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
		}
	}
}
