package sbom

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	cyclonedx "github.com/CycloneDX/cyclonedx-go"

	"github.com/fnaudit/fnaudit/artifact"
	"github.com/fnaudit/fnaudit/internal/schemacheck"
)

const bundlesDir = "../testdata/bundles"

// bundledLocked is what a bundle with a map or path comments plus
// package-lock.json yields: every bundled package at its locked version
// (through's three nested 2.3.8 copies are one SBOM entry).
var bundledLocked = []string{
	"@tootallnate/once 1.1.2 pkg:npm/%40tootallnate/once@1.1.2",
	"axios 0.21.0 pkg:npm/axios@0.21.0",
	"duplexer 0.1.2 pkg:npm/duplexer@0.1.2",
	"event-stream 3.3.6 pkg:npm/event-stream@3.3.6",
	"flatmap-stream 0.1.1 pkg:npm/flatmap-stream@0.1.1",
	"follow-redirects 1.13.0 pkg:npm/follow-redirects@1.13.0",
	"from 0.1.7 pkg:npm/from@0.1.7",
	"lodash 4.17.15 pkg:npm/lodash@4.17.15",
	"map-stream 0.0.7 pkg:npm/map-stream@0.0.7",
	"pause-stream 0.0.11 pkg:npm/pause-stream@0.0.11",
	"split 1.0.1 pkg:npm/split@1.0.1",
	"stream-combiner 0.2.2 pkg:npm/stream-combiner@0.2.2",
	"through 2.2.7 pkg:npm/through@2.2.7",
	"through 2.3.8 pkg:npm/through@2.3.8",
}

// bundledUnlocked: the same names without a lockfile; only what the bundle
// states (lodash's VERSION, axios's inlined package.json) has a version.
var bundledUnlocked = []string{
	"@tootallnate/once  pkg:npm/%40tootallnate/once",
	"axios 0.21.0 pkg:npm/axios@0.21.0",
	"duplexer  pkg:npm/duplexer",
	"event-stream  pkg:npm/event-stream",
	"flatmap-stream  pkg:npm/flatmap-stream",
	"follow-redirects  pkg:npm/follow-redirects",
	"from  pkg:npm/from",
	"lodash 4.17.15 pkg:npm/lodash@4.17.15",
	"map-stream  pkg:npm/map-stream",
	"pause-stream  pkg:npm/pause-stream",
	"split  pkg:npm/split",
	"stream-combiner  pkg:npm/stream-combiner",
	"through  pkg:npm/through",
}

func generateZip(t *testing.T, zipPath string) *SBOM {
	t.Helper()
	d, err := artifact.Open(context.Background(), zipPath, artifact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	s, err := Generate(context.Background(), d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// bundledRows renders the SBOM's packages found in /var/task/index.js, and
// checks what every bundled package carries.
func bundledRows(t *testing.T, s *SBOM, evidence string) []string {
	t.Helper()
	var out []string
	for _, p := range s.Packages {
		if p.Path() != "/var/task/index.js" {
			continue
		}
		if p.Ecosystem != EcosystemNPM || !p.Loaded || len(p.Paths) != 1 || p.Origin.Kind != artifact.OriginFunction {
			t.Errorf("%s: ecosystem %q loaded %v paths %q origin %+v", p.Name, p.Ecosystem, p.Loaded, p.Paths, p.Origin)
		}
		if p.Evidence != evidence {
			t.Errorf("%s: evidence %q, want %q", p.Name, p.Evidence, evidence)
		}
		out = append(out, fmt.Sprintf("%s %s %s", p.Name, p.Version, p.PURL))
	}
	slices.Sort(out)
	return out
}

func TestGenerateBundled(t *testing.T) {
	for _, tc := range []struct {
		cell, evidence string
		want           []string
		unidentified   bool
	}{
		{"esbuild-plain-map-lock", "sourcemap", bundledLocked, false},
		{"esbuild-plain-none-lock", "bundle-comment", bundledLocked, false},
		{"webpack-min-inline-lock", "sourcemap", bundledLocked, false},
		{"webpack-plain-none-nolock", "bundle-comment", bundledUnlocked, false},
		{"rollup-min-map-lock", "sourcemap", bundledLocked, false},
		// The minified bundle hides its modules, but the lockfile shipped
		// beside it still names them: those are listed as declared.
		{"esbuild-min-none-lock", "banner", []string{"axios 0.21.0 pkg:npm/axios@0.21.0", "lodash 4.17.15 pkg:npm/lodash@4.17.15"}, true},
		{"rollup-plain-none-nolock", "banner", []string{"lodash 4.17.15 pkg:npm/lodash@4.17.15"}, true},
	} {
		t.Run(tc.cell, func(t *testing.T) {
			s := generateZip(t, filepath.Join(bundlesDir, tc.cell+".zip"))
			if got := bundledRows(t, s, tc.evidence); !slices.Equal(got, tc.want) {
				t.Errorf("packages:\n got %q\nwant %q", got, tc.want)
			}
			declared := 0
			for _, p := range s.Packages {
				if p.Declared {
					declared++
					if p.Evidence != EvidenceLockfile || p.Loaded || p.Path() != "/var/task/package-lock.json" {
						t.Errorf("declared %s: evidence %q, loaded %v, path %s", p.Name, p.Evidence, p.Loaded, p.Path())
					}
				}
			}
			wantDeclared := 0
			if tc.cell == "esbuild-min-none-lock" {
				wantDeclared = 12 // every locked name@version but lodash and axios, seen in the bundle (through at 2.2.7 and, nested, 2.3.8)
			}
			if len(s.Packages) != len(tc.want)+declared || declared != wantDeclared {
				t.Errorf("%d packages (%d declared), want the %d bundled ones and %d declared", len(s.Packages), declared, len(tc.want), wantDeclared)
			}
			var wantUnid []string
			if tc.unidentified {
				wantUnid = []string{"/var/task/index.js"}
			}
			if !slices.Equal(s.UnidentifiedBundles, wantUnid) {
				t.Errorf("unidentified bundles %q, want %q", s.UnidentifiedBundles, wantUnid)
			}
			checkCycloneDXEvidence(t, s, tc.evidence, len(tc.want))
			bom, err := s.CycloneDX()
			if err != nil {
				t.Fatal(err)
			}
			if got := props(bom.Metadata.Properties, PropUnidentifiedBundle); !slices.Equal(got, wantUnid) {
				t.Errorf("%s = %q, want %q", PropUnidentifiedBundle, got, wantUnid)
			}
			var table bytes.Buffer
			if err := encodeTable(&table, s); err != nil {
				t.Fatal(err)
			}
			line := "Unidentified bundle: /var/task/index.js (no source map or module comments: its packages are unknown)\n"
			if strings.Contains(table.String(), line) != tc.unidentified {
				t.Errorf("table:\n%s", table.String())
			}
		})
	}
}

// checkCycloneDXEvidence: each bundled component is in the CycloneDX
// output (valid against the schema) with its fnaudit:evidence and path.
func checkCycloneDXEvidence(t *testing.T, s *SBOM, evidence string, n int) {
	t.Helper()
	var buf bytes.Buffer
	if err := encodeCycloneDX(&buf, s); err != nil {
		t.Fatal(err)
	}
	if err := schemacheck.Validate(schemasDir, schemacheck.CycloneDX16, buf.Bytes()); err != nil {
		t.Fatalf("CycloneDX output does not validate: %v", err)
	}
	var bom cyclonedx.BOM
	if err := cyclonedx.NewBOMDecoder(&buf, cyclonedx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatal(err)
	}
	got := 0
	for _, c := range *bom.Components {
		if c.Type != cyclonedx.ComponentTypeLibrary || prop(c.Properties, PropDeclared) == "true" {
			continue
		}
		got++
		if e := prop(c.Properties, PropEvidence); e != evidence {
			t.Errorf("component %s: %s = %q, want %q", c.Name, PropEvidence, e, evidence)
		}
		if p := props(c.Properties, PropPath); !slices.Equal(p, []string{"/var/task/index.js"}) {
			t.Errorf("component %s: paths %q", c.Name, p)
		}
	}
	if got != n {
		t.Errorf("%d library components, want %d", got, n)
	}
}

// TestBundledAndInstalled: a package both installed in node_modules and
// bundled is listed once per copy, each with its own path and evidence.
func TestBundledAndInstalled(t *testing.T) {
	src, err := zip.OpenReader(filepath.Join(bundlesDir, "esbuild-plain-map-lock.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	out := filepath.Join(t.TempDir(), "both.zip")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, e := range src.File {
		w, err := zw.Create(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, r); err != nil {
			t.Fatal(err)
		}
		r.Close()
	}
	w, err := zw.Create("node_modules/lodash/package.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, `{"name":"lodash","version":"4.17.15","main":"lodash.js","license":"MIT"}`); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	s := generateZip(t, out)
	var got []string
	for _, p := range s.Packages {
		if p.Name == "lodash" {
			got = append(got, fmt.Sprintf("%s %s %q %v", p.Version, p.Path(), p.Evidence, p.Loaded))
		}
	}
	want := []string{`4.17.15 /var/task/index.js "sourcemap" true`, `4.17.15 /var/task/node_modules/lodash "" true`}
	if !slices.Equal(got, want) {
		t.Errorf("lodash copies:\n got %q\nwant %q", got, want)
	}
	checkCycloneDXComponents(t, s)
}

// checkCycloneDXComponents: the encoder emits one library component per
// package, installed and bundled alike.
func checkCycloneDXComponents(t *testing.T, s *SBOM) {
	t.Helper()
	bom, refs, err := s.CycloneDXWithRefs()
	if err != nil {
		t.Fatal(err)
	}
	if len(*bom.Components) != len(s.Packages) || len(refs) != len(s.Packages) || slices.Contains(refs, "") {
		t.Errorf("%d components, %d refs %q for %d packages", len(*bom.Components), len(refs), refs, len(s.Packages))
	}
}
