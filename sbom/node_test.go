package sbom

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/artifact"
	zt "github.com/fnaudit/fnaudit/internal/ziptest"
)

// flatmapPackageJSON is flatmap-stream 0.1.1's package.json from the
// event-stream reconstruction in the corpus.
func flatmapPackageJSON(t *testing.T) string {
	t.Helper()
	b := corpusFile(t, "event-stream-reconstruction.zip", "node_modules/flatmap-stream/package.json")
	if !strings.Contains(b, `"version": "0.1.1"`) || !strings.Contains(b, `"name": "flatmap-stream"`) {
		t.Fatalf("corpus flatmap-stream is not 0.1.1: %s", b)
	}
	return b
}

// pkgRow is what the tests assert of one package.
type pkgRow struct {
	Name, Version string
	Paths         []string
	Evidence      string
	Loaded        bool
	ShadowedBy    string
	Declared      bool
}

func rowsOf(s *SBOM, ecosystem string) []pkgRow {
	var out []pkgRow
	for _, p := range s.Packages {
		if p.Ecosystem == ecosystem {
			out = append(out, pkgRow{p.Name, p.Version, p.Paths, p.Evidence, p.Loaded, p.ShadowedBy, p.Declared})
		}
	}
	return out
}

func assertRows(t *testing.T, s *SBOM, ecosystem string, want ...pkgRow) {
	t.Helper()
	got := rowsOf(s, ecosystem)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s packages:\n got %+v\nwant %+v", ecosystem, got, want)
	}
}

// generateErr catalogs a target and returns Generate's error.
func generateErr(t *testing.T, target string) error {
	t.Helper()
	d, err := artifact.Open(context.Background(), target, artifact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	_, err = Generate(context.Background(), d, Options{})
	return err
}

// TestUnreadablePackageJSON: issue 10 point 1. Each form of
// node_modules/flatmap-stream/package.json below is loaded by Node; each
// is listed, read leniently where syft refuses it.
func TestUnreadablePackageJSON(t *testing.T) {
	real := flatmapPackageJSON(t)
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	cases := []struct {
		name, body, version, evidence string
	}{
		{"as published", real, "0.1.1", ""},
		{"BOM", "\xef\xbb\xbf" + real, "0.1.1", EvidenceLenient},
		{"author array", strings.Replace(real, `"license"`, `"author": ["a <a@example.com>", "b"], "license"`, 1), "0.1.1", EvidenceLenient},
		{"repository array", strings.Replace(real, `"license"`, `"repository": ["git://x"], "license"`, 1), "0.1.1", EvidenceLenient},
		{"homepage array", strings.Replace(real, `"license"`, `"homepage": ["https://x"], "license"`, 1), "0.1.1", EvidenceLenient},
		{"description array", strings.Replace(real, `"description": "`, `"description": ["`, 1), "0.1.1", EvidenceLenient},
		{"version number", strings.Replace(real, `"version": "0.1.1"`, `"version": 0.1`, 1), "0.1", EvidenceLenient},
		{"version array", strings.Replace(real, `"version": "0.1.1"`, `"version": ["0.1.1"]`, 1), "0.1.1", EvidenceLenient},
		{"name missing", strings.Replace(real, `"name": "flatmap-stream",`, ``, 1), "0.1.1", EvidenceLenient},
		{"name array", strings.Replace(real, `"name": "flatmap-stream"`, `"name": ["flatmap-stream"]`, 1), "0.1.1", EvidenceLenient},
		{"nested 20000 deep", strings.Replace(real, `"license"`, `"x": `+deep+`, "license"`, 1), "0.1.1", EvidenceLenient},
	}
	// description array: the replacement above must still be JSON.
	cases[5].body = strings.Replace(real, `"description": "RECONSTRUCTED`, `"description": ["RECONSTRUCTED`, 1)
	cases[5].body = strings.Replace(cases[5].body, `Contains no code."`, `Contains no code."]`, 1)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fn := zt.Write(t, t.TempDir(), "function.zip",
				zt.File("index.js", "require('flatmap-stream')"),
				zt.File("node_modules/flatmap-stream/package.json", c.body))
			s := generateFile(t, fn)
			assertRows(t, s, EcosystemNPM, pkgRow{Name: "flatmap-stream", Version: c.version,
				Paths: []string{"/var/task/node_modules/flatmap-stream"}, Evidence: c.evidence, Loaded: true})
		})
	}
}

// TestNotJSONPackageJSONFails: a package.json that is not a JSON object at
// all fails the command, naming the file and the entry.
func TestNotJSONPackageJSONFails(t *testing.T) {
	fn := zt.Write(t, t.TempDir(), "function.zip",
		zt.File("node_modules/flatmap-stream/package.json", "flatmap-stream 0.1.1"))
	err := generateErr(t, fn)
	if err == nil || !strings.Contains(err.Error(), `function.zip: entry "node_modules/flatmap-stream/package.json": package.json of /var/task/node_modules/flatmap-stream cannot be read`) {
		t.Fatalf("err = %v", err)
	}
}

// TestToposortClass: issue 9 point 3, the real toposort-class 1.0.1
// package.json (author is an array) beside a package syft reads.
func TestToposortClass(t *testing.T) {
	b, err := os.ReadFile("../testdata/packages/toposort-class-1.0.1.package.json")
	if err != nil {
		t.Fatal(err)
	}
	fn := zt.Write(t, t.TempDir(), "function.zip",
		zt.File("node_modules/toposort-class/package.json", string(b)),
		zt.File("node_modules/lodash/package.json", realLodashPackageJSON(t)))
	s := generateFile(t, fn)
	assertRows(t, s, EcosystemNPM,
		pkgRow{Name: "lodash", Version: "4.17.15", Paths: []string{"/var/task/node_modules/lodash"}, Loaded: true},
		pkgRow{Name: "toposort-class", Version: "1.0.1", Paths: []string{"/var/task/node_modules/toposort-class"}, Evidence: EvidenceLenient, Loaded: true})
}

// TestSymlinkedPackage: issue 10 point 2, in a zip and in a directory: a
// symlinked package folder and a symlinked package.json are listed at the
// node_modules path.
func TestSymlinkedPackage(t *testing.T) {
	real := flatmapPackageJSON(t)
	want := []pkgRow{{Name: "flatmap-stream", Version: "0.1.1", Paths: []string{"/var/task/node_modules/flatmap-stream"}, Loaded: true}}
	t.Run("zip folder link", func(t *testing.T) {
		fn := zt.Write(t, t.TempDir(), "function.zip",
			zt.File("vendor/flatmap-stream/package.json", real),
			zt.File("vendor/flatmap-stream/index.js", "module.exports = 1"),
			zt.Symlink("node_modules/flatmap-stream", "../vendor/flatmap-stream"))
		assertRows(t, generateFile(t, fn), EcosystemNPM, want...)
	})
	t.Run("zip package.json link", func(t *testing.T) {
		fn := zt.Write(t, t.TempDir(), "function.zip",
			zt.File("vendor/fs.json", real),
			zt.File("node_modules/flatmap-stream/index.js", "module.exports = 1"),
			zt.Symlink("node_modules/flatmap-stream/package.json", "../../vendor/fs.json"))
		assertRows(t, generateFile(t, fn), EcosystemNPM, want...)
	})
	t.Run("directory folder link", func(t *testing.T) {
		dir := t.TempDir()
		writeTree(t, dir, map[string]string{
			"index.js":                           "require('flatmap-stream')",
			"vendor/flatmap-stream/package.json": real,
		})
		if err := os.MkdirAll(filepath.Join(dir, "node_modules"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("../vendor/flatmap-stream", filepath.Join(dir, "node_modules", "flatmap-stream")); err != nil {
			t.Fatal(err)
		}
		assertRows(t, generateFile(t, dir), EcosystemNPM, want...)
	})
}

func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestShadowingIsCaseSensitive: issue 10 point 7. node_modules/LODASH does
// not hide the layer's lodash: require('lodash') loads the layer's copy.
func TestShadowingIsCaseSensitive(t *testing.T) {
	lodash := realLodashPackageJSON(t)
	dir := t.TempDir()
	fn := zt.Write(t, dir, "function.zip",
		zt.File("index.js", "require('lodash')"),
		zt.File("node_modules/LODASH/package.json", strings.Replace(lodash, `"version": "4.17.15"`, `"version": "4.18.1"`, 1)))
	layer := zt.Write(t, dir, "deps-layer.zip", zt.File("nodejs/node_modules/lodash/package.json", lodash))
	assertRows(t, generateFile(t, fn, layer), EcosystemNPM,
		pkgRow{Name: "lodash", Version: "4.17.15", Paths: []string{"/opt/nodejs/node_modules/lodash"}, Loaded: true},
		pkgRow{Name: "lodash", Version: "4.18.1", Paths: []string{"/var/task/node_modules/LODASH"}, Loaded: true})
}

// TestPackagesOutsideNodeModules: issue 10 point 8.
func TestPackagesOutsideNodeModules(t *testing.T) {
	real := flatmapPackageJSON(t)
	t.Run("task root on NODE_PATH", func(t *testing.T) {
		fn := zt.Write(t, t.TempDir(), "function.zip",
			zt.File("index.js", "require('flatmap-stream')"),
			zt.File("flatmap-stream/package.json", real),
			zt.File("lib/util.js", "module.exports = 1"))
		assertRows(t, generateFile(t, fn), EcosystemNPM,
			pkgRow{Name: "flatmap-stream", Version: "0.1.1", Paths: []string{"/var/task/flatmap-stream"}, Loaded: true})
	})
	t.Run("task root after node_modules", func(t *testing.T) {
		fn := zt.Write(t, t.TempDir(), "function.zip",
			zt.File("flatmap-stream/package.json", real),
			zt.File("node_modules/flatmap-stream/package.json", strings.Replace(real, "0.1.1", "0.1.0", 1)))
		assertRows(t, generateFile(t, fn), EcosystemNPM,
			pkgRow{Name: "flatmap-stream", Version: "0.1.1", Paths: []string{"/var/task/flatmap-stream"}, ShadowedBy: "/var/task/node_modules/flatmap-stream"},
			pkgRow{Name: "flatmap-stream", Version: "0.1.0", Paths: []string{"/var/task/node_modules/flatmap-stream"}, Loaded: true})
	})
	t.Run("folder named in .package-lock.json", func(t *testing.T) {
		fn := zt.Write(t, t.TempDir(), "function.zip",
			zt.File("node_modules/.package-lock.json", `{"name":"fn","lockfileVersion":3,"requires":true,"packages":{"node_modules/flatmap-stream":{"version":"0.1.1","resolved":"https://registry.npmjs.org/flatmap-stream/-/flatmap-stream-0.1.1.tgz"}}}`),
			zt.File("node_modules/flatmap-stream/index.js", "module.exports = 1"))
		assertRows(t, generateFile(t, fn), EcosystemNPM,
			pkgRow{Name: "flatmap-stream", Version: "0.1.1", Paths: []string{"/var/task/node_modules/flatmap-stream"}, Evidence: EvidenceLockfile, Loaded: true})
	})
	t.Run("folder with nothing to version it", func(t *testing.T) {
		fn := zt.Write(t, t.TempDir(), "function.zip",
			zt.File("node_modules/flatmap-stream/index.js", "module.exports = 1"))
		assertRows(t, generateFile(t, fn), EcosystemNPM,
			pkgRow{Name: "flatmap-stream", Paths: []string{"/var/task/node_modules/flatmap-stream"}, Evidence: EvidenceFolder, Loaded: true})
	})
}

// TestLenientPackagesEncode: packages fnaudit lists itself reach CycloneDX
// (with fnaudit:evidence and fnaudit:declared) and SPDX like syft's.
func TestLenientPackagesEncode(t *testing.T) {
	real := flatmapPackageJSON(t)
	fn := zt.Write(t, t.TempDir(), "function.zip",
		zt.File("node_modules/flatmap-stream/package.json", "\xef\xbb\xbf"+real),
		zt.File("node_modules/lodash/package.json", realLodashPackageJSON(t)),
		zt.File("package-lock.json", `{"lockfileVersion":3,"packages":{"":{},"node_modules/event-stream":{"version":"3.3.6"}}}`))
	s := generateFile(t, fn)
	bom, err := s.CycloneDX()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range *bom.Components {
		props := []string{c.PackageURL}
		for _, p := range *c.Properties {
			if p.Name == PropEvidence || p.Name == PropDeclared || p.Name == PropLoaded {
				props = append(props, p.Name+"="+p.Value)
			}
		}
		got[c.Name+"@"+c.Version] = strings.Join(props, " ")
	}
	want := map[string]string{
		"flatmap-stream@0.1.1": "pkg:npm/flatmap-stream@0.1.1 fnaudit:loaded=true fnaudit:evidence=lenient",
		"lodash@4.17.15":       "pkg:npm/lodash@4.17.15 fnaudit:loaded=true",
		"event-stream@3.3.6":   "pkg:npm/event-stream@3.3.6 fnaudit:loaded=false fnaudit:evidence=lockfile fnaudit:declared=true",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("components\n got %v\nwant %v", got, want)
	}
	doc, err := s.SPDX()
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Packages) < 3 {
		t.Errorf("SPDX packages: %d", len(doc.Packages))
	}
}
