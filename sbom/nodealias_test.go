package sbom

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	zt "github.com/fnaudit/fnaudit/internal/ziptest"
)

// TestFolderNameAlias: a node_modules folder whose package.json names
// another package is listed under the package.json's name with the folder
// name as its alias. A shipped lockfile recording the folder as an npm
// alias of that name marks the alias declared; otherwise a warning names
// the package.
func TestFolderNameAlias(t *testing.T) {
	real := flatmapPackageJSON(t)
	innocent := strings.Replace(real, `"name": "flatmap-stream"`, `"name": "innocent"`, 1)
	aliasLock := `{"name":"fn","lockfileVersion":3,"packages":{"":{"dependencies":{"flatmap-stream":"npm:innocent@0.1.1"}},` +
		`"node_modules/flatmap-stream":{"name":"innocent","version":"0.1.1","resolved":"https://registry.npmjs.org/innocent/-/innocent-0.1.1.tgz"}}}`
	otherLock := `{"name":"fn","lockfileVersion":3,"packages":{"node_modules/flatmap-stream":{"version":"0.1.1"}}}`
	cases := []struct {
		name     string
		entries  []zt.Entry
		pkg      string
		alias    string
		declared bool
		warned   bool
	}{
		{"package.json names another package", []zt.Entry{zt.File("node_modules/flatmap-stream/package.json", innocent)}, "innocent", "flatmap-stream", false, true},
		{"npm alias in the hidden lockfile", []zt.Entry{
			zt.File("node_modules/flatmap-stream/package.json", innocent),
			zt.File("node_modules/.package-lock.json", aliasLock)}, "innocent", "flatmap-stream", true, false},
		{"npm alias in package-lock.json", []zt.Entry{
			zt.File("node_modules/flatmap-stream/package.json", innocent),
			zt.File("package-lock.json", aliasLock)}, "innocent", "flatmap-stream", true, false},
		{"lockfile entry without the alias's name", []zt.Entry{
			zt.File("node_modules/flatmap-stream/package.json", innocent),
			zt.File("node_modules/.package-lock.json", otherLock)}, "innocent", "flatmap-stream", false, true},
		{"lenient read", []zt.Entry{zt.File("node_modules/flatmap-stream/package.json", "\xef\xbb\xbf"+innocent)}, "innocent", "flatmap-stream", false, true},
		{"task root folder", []zt.Entry{zt.File("flatmap-stream/package.json", innocent)}, "innocent", "flatmap-stream", false, true},
		{"same name, other case", []zt.Entry{zt.File("node_modules/FLATMAP-STREAM/package.json", real)}, "flatmap-stream", "", false, false},
		{"same name", []zt.Entry{zt.File("node_modules/flatmap-stream/package.json", real)}, "flatmap-stream", "", false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fn := zt.Write(t, t.TempDir(), "function.zip", append([]zt.Entry{zt.File("index.js", "require('flatmap-stream')")}, c.entries...)...)
			s := generateFile(t, fn)
			var got []string
			for _, p := range s.Packages {
				if p.Ecosystem == EcosystemNPM && !p.Declared {
					got = append(got, p.Name)
					if p.Alias != c.alias || p.AliasDeclared != c.declared {
						t.Errorf("%s: alias %q declared %v, want %q %v", p.Name, p.Alias, p.AliasDeclared, c.alias, c.declared)
					}
				}
			}
			if len(got) != 1 || got[0] != c.pkg {
				t.Errorf("packages %v, want [%s]", got, c.pkg)
			}
			warned := strings.Contains(strings.Join(s.Warnings(), "\n"), "folder named after another package")
			if warned != c.warned {
				t.Errorf("warned %v, want %v: %q", warned, c.warned, s.Warnings())
			}
		})
	}
}

// TestFolderNameAliasEncodes: the alias survives CycloneDX and SPDX, so a
// scan of the SBOM matches both names too.
func TestFolderNameAliasEncodes(t *testing.T) {
	innocent := strings.Replace(flatmapPackageJSON(t), `"name": "flatmap-stream"`, `"name": "innocent"`, 1)
	fn := zt.Write(t, t.TempDir(), "function.zip", zt.File("node_modules/flatmap-stream/package.json", innocent))
	s := generateFile(t, fn)
	for _, enc := range []struct {
		name string
		enc  EncoderFunc
	}{{"cdx.json", encodeCycloneDX}, {"spdx.json", encodeSPDX}} {
		t.Run(enc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := enc.enc(&buf, s); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(t.TempDir(), "fn."+enc.name)
			if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			back, err := Decode(p)
			if err != nil {
				t.Fatal(err)
			}
			if len(back.Packages) != 1 || back.Packages[0].Name != "innocent" || back.Packages[0].Alias != "flatmap-stream" || back.Packages[0].AliasDeclared {
				t.Errorf("decoded %+v", back.Packages)
			}
		})
	}
}
