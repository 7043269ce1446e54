package sbom

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cdx writes a CycloneDX 1.5 document with the given components (JSON
// array text) and, nested under the subject, metaComponents.
func cdx(t *testing.T, components, metaComponents string) string {
	t.Helper()
	doc := `{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
		"metadata": {"component": {"type": "application", "name": "fn", "components": ` + metaComponents + `}},
		"components": ` + components + `}`
	p := filepath.Join(t.TempDir(), "bom.cdx.json")
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Issue 10.6: CycloneDX components without a usable purl are identified
// by name, version and an ecosystem hint, or refused with one line naming
// the file and the component; never dropped.
func TestDecodeCycloneDXComponentsWithoutUsablePURL(t *testing.T) {
	const fsCPE = `"cpe": "cpe:2.3:a:flatmap-stream_project:flatmap-stream:0.1.1:*:*:*:*:node.js:*:*"`
	for _, c := range []struct {
		name, components, meta string
		want                   string // "eco name version purl", or "" for no package
		err                    []string
	}{
		{"bad escape in qualifiers", `[{"type": "library", "name": "flatmap-stream", "version": "0.1.1", "purl": "pkg:npm/flatmap-stream@0.1.1?a=%zz"}]`, `[]`,
			"npm flatmap-stream 0.1.1 pkg:npm/flatmap-stream@0.1.1", nil},
		{"leading space", `[{"type": "library", "name": "flatmap-stream", "version": "0.1.1", "purl": " pkg:npm/flatmap-stream@0.1.1"}]`, `[]`,
			"npm flatmap-stream 0.1.1 pkg:npm/flatmap-stream@0.1.1", nil},
		{"nested under the subject", `[]`, `[{"type": "library", "name": "flatmap-stream", "version": "0.1.1", "purl": "pkg:npm/flatmap-stream@0.1.1"}]`,
			"npm flatmap-stream 0.1.1 pkg:npm/flatmap-stream@0.1.1", nil},
		{"CPE with syft's package type", `[{"type": "library", "name": "flatmap-stream", "version": "0.1.1", ` + fsCPE + `, "properties": [{"name": "syft:package:type", "value": "npm"}]}]`, `[]`,
			"npm flatmap-stream 0.1.1 ", nil},
		{"malformed purl of a known type", `[{"type": "library", "group": "@acme", "name": "left-pad", "version": "1.0.0", "purl": "pkg:npm/%zz@@"}]`, `[]`,
			"npm @acme/left-pad 1.0.0 ", nil},
		{"Maven group", `[{"type": "library", "group": "org.apache.logging.log4j", "name": "log4j-core", "version": "2.14.1", "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=%zz"}]`, `[]`,
			"Maven org.apache.logging.log4j:log4j-core 2.14.1 pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", nil},
		{"Ubuntu package", `[{"type": "library", "name": "openssl", "version": "3.0.2-0ubuntu1.10", "purl": "pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.10?arch=amd64&distro=ubuntu-22.04"}]`, `[]`,
			"Ubuntu:22.04:LTS openssl 3.0.2-0ubuntu1.10 pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.10?arch=amd64&distro=ubuntu-22.04", nil},
		{"generic purl and a file", `[{"type": "application", "name": "node", "version": "18.0.0", "purl": "pkg:generic/node@18.0.0"}, {"type": "file", "name": "/var/task/index.js"}]`, `[]`,
			"", nil},
		{"CPE only", `[{"type": "library", "name": "flatmap-stream", "version": "0.1.1", "bom-ref": "c1", ` + fsCPE + `}]`, `[]`,
			"", []string{"bom.cdx.json", `"flatmap-stream" 0.1.1 (bom-ref "c1")`, "only a CPE"}},
		{"unknown purl type", `[{"type": "library", "name": "flatmap-stream", "version": "0.1.1", "purl": "pkg:node/flatmap-stream@0.1.1"}]`, `[]`,
			"", []string{"bom.cdx.json", `"flatmap-stream" 0.1.1`, `package URL "pkg:node/flatmap-stream@0.1.1" names no ecosystem`}},
		{"nothing at all", `[]`, `[{"type": "library", "name": "flatmap-stream"}]`,
			"", []string{"bom.cdx.json", `"flatmap-stream"`, "no package URL and no ecosystem"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := cdx(t, c.components, c.meta)
			s, err := Decode(path)
			if c.err != nil {
				if err == nil {
					t.Fatalf("decoded %d packages, want an error", len(s.Packages))
				}
				for _, w := range c.err {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error is not one line: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range s.Packages {
				got = append(got, strings.Join([]string{p.Ecosystem, p.Name, p.Version, p.PURL}, " "))
			}
			want := []string{}
			if c.want != "" {
				want = []string{c.want}
			}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("packages %q, want %q", got, want)
			}
		})
	}
}
