package sbom

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"
	"testing"

	cyclonedx "github.com/CycloneDX/cyclonedx-go"

	"github.com/fnaudit/fnaudit/artifact"
	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/internal/schemacheck"
)

const (
	functionsDir = "../testdata/functions"
	schemasDir   = "../testdata/schemas"
)

// expectedPackage is one row of testdata/functions/expected-packages.json.
type expectedPackage struct {
	Ecosystem   string `json:"ecosystem"`
	Name        string `json:"name"`
	Version     string `json:"version"`
	Path        string `json:"path"`
	Role        string `json:"role"`
	DuplicateOf string `json:"duplicate_of"`
}

type expectedZip struct {
	SHA256   string            `json:"sha256"`
	Kind     string            `json:"kind"`
	Packages []expectedPackage `json:"packages"`
}

func loadExpected(t testing.TB) map[string]expectedZip {
	t.Helper()
	raw, err := os.ReadFile(path.Join(functionsDir, "expected-packages.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]expectedZip
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// expectedPURL is the package URL the purl spec gives each ground-truth row
// (PyPI names lower-cased with '-', Maven group/artifact, Go's stdlib
// without the "go" prefix, as syft and Grype write it).
func expectedPURL(p expectedPackage) string {
	switch p.Ecosystem {
	case "npm":
		return "pkg:npm/" + strings.Replace(p.Name, "@", "%40", 1) + "@" + p.Version
	case "PyPI":
		return "pkg:pypi/" + core.NormalizeName("PyPI", p.Name) + "@" + p.Version
	case "Maven":
		return "pkg:maven/" + strings.Replace(p.Name, ":", "/", 1) + "@" + p.Version
	case "Go":
		if p.Name == "stdlib" {
			return "pkg:golang/stdlib@" + strings.TrimPrefix(p.Version, "go")
		}
		return "pkg:golang/" + p.Name + "@" + p.Version
	}
	return ""
}

// row is a package reduced to what the ground truth states.
type row struct{ ecosystem, name, version, purl, path string }

func (r row) String() string {
	return fmt.Sprintf("%s %s %s %s %s", r.ecosystem, r.name, r.version, r.purl, r.path)
}

func sortedRows(rows []row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.String()
	}
	sort.Strings(out)
	return out
}

// TestCorpusCycloneDX: for every corpus zip, the CycloneDX output lists
// exactly the packages of expected-packages.json (name, version, PURL, path),
// no more, no fewer, and validates against the official CycloneDX 1.6 schema.
func TestCorpusCycloneDX(t *testing.T) {
	for zipName, exp := range loadExpected(t) {
		t.Run(zipName, func(t *testing.T) {
			s := generateFile(t, path.Join(functionsDir, zipName))
			if s.Digest != "sha256:"+exp.SHA256 {
				t.Errorf("digest %s, want sha256:%s", s.Digest, exp.SHA256)
			}
			mount := artifact.TaskRoot
			if exp.Kind == "layer" {
				mount = artifact.OptRoot
			}
			var want []row
			for _, p := range exp.Packages {
				if p.Role != "" || p.DuplicateOf != "" {
					continue // informational rows: a main module, a second metadata dir
				}
				name := p.Name
				if p.Ecosystem == "PyPI" {
					name = core.NormalizeName("PyPI", name)
				}
				want = append(want, row{p.Ecosystem, name, p.Version, expectedPURL(p), path.Join(mount, p.Path)})
			}

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
			if bom.Metadata.Component.Hashes == nil || (*bom.Metadata.Component.Hashes)[0].Value != exp.SHA256 {
				t.Errorf("metadata component does not carry the artifact digest: %+v", bom.Metadata.Component)
			}
			var got []row
			for _, c := range *bom.Components {
				eco, name, _, err := core.ParsePURL(c.PackageURL)
				if err != nil {
					t.Errorf("component %s has no usable purl %q", c.Name, c.PackageURL)
					continue
				}
				if eco == "PyPI" {
					name = core.NormalizeName(eco, name)
				}
				paths := props(c.Properties, PropPath)
				if len(paths) == 0 {
					t.Errorf("component %s has no %s", c.Name, PropPath)
					continue
				}
				if o := props(c.Properties, PropOrigin); len(o) != 1 || props(c.Properties, PropLoaded) == nil {
					t.Errorf("component %s: origin %v loaded %v", c.Name, o, props(c.Properties, PropLoaded))
				}
				got = append(got, row{eco, name, c.Version, c.PackageURL, paths[0]})
			}
			w, g := sortedRows(want), sortedRows(got)
			if strings.Join(w, "\n") != strings.Join(g, "\n") {
				t.Errorf("packages differ\nwant:\n  %s\ngot:\n  %s", strings.Join(w, "\n  "), strings.Join(g, "\n  "))
			}
		})
	}
}

// TestCorpusSPDX: the SPDX 2.3 output of every corpus zip validates against
// the official schema and carries one package per SBOM package plus the
// artifact's root package with its SHA-256.
func TestCorpusSPDX(t *testing.T) {
	for zipName, exp := range loadExpected(t) {
		t.Run(zipName, func(t *testing.T) {
			s := generateFile(t, path.Join(functionsDir, zipName))
			var buf bytes.Buffer
			if err := encodeSPDX(&buf, s); err != nil {
				t.Fatal(err)
			}
			if err := schemacheck.Validate(schemasDir, schemacheck.SPDX23, buf.Bytes()); err != nil {
				t.Fatalf("SPDX output does not validate: %v", err)
			}
			var doc struct {
				SPDXVersion string `json:"spdxVersion"`
				Packages    []struct {
					Name        string `json:"name"`
					Checksums   []struct{ Algorithm, ChecksumValue string }
					Annotations []struct {
						Comment string `json:"comment"`
					} `json:"annotations"`
				} `json:"packages"`
			}
			if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.SPDXVersion != "SPDX-2.3" {
				t.Errorf("spdxVersion %q", doc.SPDXVersion)
			}
			if len(doc.Packages) != len(s.Packages)+1 {
				t.Fatalf("%d SPDX packages for %d SBOM packages + root", len(doc.Packages), len(s.Packages))
			}
			root := doc.Packages[len(doc.Packages)-1]
			if len(root.Checksums) != 1 || root.Checksums[0].ChecksumValue != exp.SHA256 {
				t.Errorf("root package %s checksums %+v, want sha256 %s", root.Name, root.Checksums, exp.SHA256)
			}
			for _, p := range doc.Packages[:len(s.Packages)] {
				var origin bool
				for _, a := range p.Annotations {
					origin = origin || strings.HasPrefix(a.Comment, PropOrigin+"=")
				}
				if !origin {
					t.Errorf("package %s has no %s annotation", p.Name, PropOrigin)
				}
			}
		})
	}
}

// generateFile opens and catalogs one target with default options.
func generateFile(t testing.TB, target string, layers ...string) *SBOM {
	t.Helper()
	d, err := artifact.Open(context.Background(), target, artifact.Options{Layers: layers})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s, err := Generate(context.Background(), d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
