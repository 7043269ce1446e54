package sbom

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestDecodeRoundTrip: fnaudit's own CycloneDX and SPDX outputs read back as
// scan input give the same packages; CycloneDX keeps origin, path and
// loaded (a layer's shadowed copy stays not loaded).
func TestDecodeRoundTrip(t *testing.T) {
	s := generateFile(t, filepath.Join(functionsDir, "node-app.zip"), filepath.Join(functionsDir, "node-layer.zip"))
	dir := t.TempDir()
	for name, enc := range map[string]func(*bytes.Buffer, *SBOM) error{
		"bom.cdx.json":  func(b *bytes.Buffer, s *SBOM) error { return encodeCycloneDX(b, s) },
		"bom.spdx.json": func(b *bytes.Buffer, s *SBOM) error { return encodeSPDX(b, s) },
	} {
		var buf bytes.Buffer
		if err := enc(&buf, s); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if !LooksLikeSBOM(p) {
			t.Fatalf("%s not recognised as an SBOM", name)
		}
		d, err := Decode(p)
		if err != nil {
			t.Fatal(err)
		}
		type key struct{ eco, name, version, purl string }
		want, got := map[key]int{}, map[key]int{}
		for _, p := range s.Packages {
			want[key{p.Ecosystem, p.Name, p.Version, p.PURL}]++
		}
		for _, p := range d.Packages {
			got[key{p.Ecosystem, p.Name, p.Version, p.PURL}]++
		}
		if !reflect.DeepEqual(want, got) {
			t.Errorf("%s: decoded packages differ:\nwant %v\ngot  %v", name, want, got)
		}
		if name == "bom.cdx.json" {
			if !reflect.DeepEqual(s.Packages, d.Packages) {
				for i := range s.Packages {
					if i < len(d.Packages) && !reflect.DeepEqual(s.Packages[i], d.Packages[i]) {
						t.Errorf("CycloneDX round trip lost package facts:\n%+v\n%+v", s.Packages[i], d.Packages[i])
						break
					}
				}
			}
			if d.Digest != s.Digest {
				t.Errorf("digest %q, want %q", d.Digest, s.Digest)
			}
		}
	}
	if LooksLikeSBOM(filepath.Join(functionsDir, "node-app.zip")) {
		t.Error("a zip was taken for an SBOM")
	}
}
