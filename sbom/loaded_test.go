package sbom

import (
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/artifact"
	zt "github.com/fnaudit/fnaudit/internal/ziptest"
)

// realLodashPackageJSON is lodash 4.17.15's package.json, byte for byte from
// the corpus node-app.zip (npm registry metadata).
func realLodashPackageJSON(t *testing.T) string {
	t.Helper()
	b := corpusFile(t, "node-app.zip", "node_modules/lodash/package.json")
	if !strings.Contains(b, `"version": "4.17.15"`) {
		t.Fatalf("corpus lodash is not 4.17.15: %s", b)
	}
	return b
}

// TestLayerCopyShadowed: a function whose node_modules has lodash 4.18.1,
// deployed with a layer whose nodejs/node_modules has lodash 4.17.15, lists
// both; the runtime loads the function's copy, not the layer's.
func TestLayerCopyShadowed(t *testing.T) {
	lodash41715 := realLodashPackageJSON(t)
	lodash41801 := strings.Replace(lodash41715, `"version": "4.17.15"`, `"version": "4.18.1"`, 1)
	dir := t.TempDir()
	fn := zt.Write(t, dir, "function.zip",
		zt.File("index.js", "exports.handler = async () => require('lodash').VERSION"),
		zt.File("node_modules/lodash/package.json", lodash41801))
	layer := zt.Write(t, dir, "deps-layer.zip",
		zt.File("nodejs/node_modules/lodash/package.json", lodash41715))

	s := generateFile(t, fn, layer)
	got := map[string]Package{}
	for _, p := range s.Packages {
		got[p.Version] = p
	}
	if len(s.Packages) != 2 {
		t.Fatalf("packages %+v, want the two lodash copies", s.Packages)
	}
	fnCopy, layerCopy := got["4.18.1"], got["4.17.15"]
	if fnCopy.Path() != "/var/task/node_modules/lodash" || !fnCopy.Loaded || fnCopy.Origin.Kind != artifact.OriginFunction {
		t.Errorf("function copy: %+v", fnCopy)
	}
	if layerCopy.Path() != "/opt/nodejs/node_modules/lodash" || layerCopy.Loaded ||
		layerCopy.ShadowedBy != "/var/task/node_modules/lodash" ||
		layerCopy.Origin != (artifact.Origin{Kind: artifact.OriginLayer, Index: 1, Name: "deps-layer.zip", Digest: layerCopy.Origin.Digest}) ||
		!strings.HasPrefix(layerCopy.Origin.Digest, "sha256:") {
		t.Errorf("layer copy: %+v", layerCopy)
	}
}

// TestNodeSearchPath covers the Lambda NODE_PATH order with a runtime
// version: /opt/nodejs/node20 before /opt/nodejs, /opt/nodejs/node18 off the
// path under nodejs20.x, and a nested copy following its parent.
func TestNodeSearchPath(t *testing.T) {
	pkgs := []Package{
		{Ecosystem: "npm", Name: "a", Paths: []string{"/opt/nodejs/node20/node_modules/a"}, Loaded: true},
		{Ecosystem: "npm", Name: "a", Paths: []string{"/opt/nodejs/node_modules/a"}, Loaded: true},
		{Ecosystem: "npm", Name: "b", Paths: []string{"/opt/nodejs/node18/node_modules/b"}, Loaded: true},
		{Ecosystem: "npm", Name: "c", Paths: []string{"/var/task/node_modules/c"}, Loaded: true},
		{Ecosystem: "npm", Name: "c", Paths: []string{"/opt/nodejs/node_modules/c"}, Loaded: true},
		{Ecosystem: "npm", Name: "d", Paths: []string{"/opt/nodejs/node_modules/c/node_modules/d"}, Loaded: true},
		{Ecosystem: "npm", Name: "@s/e", Paths: []string{"/var/task/node_modules/@s/e"}, Loaded: true},
		{Ecosystem: "npm", Name: "@s/e", Paths: []string{"/opt/nodejs/node20/node_modules/@s/e"}, Loaded: true},
	}
	markLoaded(pkgs, artifact.Runtime{Name: "nodejs", Version: "20"})
	want := []struct {
		loaded   bool
		shadowBy string
	}{
		{true, ""},
		{false, "/opt/nodejs/node20/node_modules/a"},
		{false, ""}, // node18 directory: not on NODE_PATH of nodejs20.x
		{true, ""},
		{false, "/var/task/node_modules/c"},
		{false, "/var/task/node_modules/c"}, // nested in a shadowed copy
		{true, ""},
		{false, "/var/task/node_modules/@s/e"},
	}
	for i, w := range want {
		if pkgs[i].Loaded != w.loaded || pkgs[i].ShadowedBy != w.shadowBy {
			t.Errorf("%s: loaded %v shadowed by %q, want %v %q", pkgs[i].Path(), pkgs[i].Loaded, pkgs[i].ShadowedBy, w.loaded, w.shadowBy)
		}
	}
}

// TestSearchPathUnknownVersion: without a runtime version a version-specific
// layer directory may or may not be searched, so neither it nor the generic
// directory is cleared on its account; /var/task still wins.
func TestSearchPathUnknownVersion(t *testing.T) {
	pkgs := []Package{
		{Ecosystem: "npm", Name: "a", Paths: []string{"/opt/nodejs/node20/node_modules/a"}, Loaded: true},
		{Ecosystem: "npm", Name: "a", Paths: []string{"/opt/nodejs/node_modules/a"}, Loaded: true},
		{Ecosystem: "PyPI", Name: "Werkzeug", Paths: []string{"/var/task/werkzeug-3.0.0.dist-info"}, Loaded: true},
		{Ecosystem: "PyPI", Name: "werkzeug", Paths: []string{"/opt/python/lib/python3.11/site-packages/Werkzeug-2.2.2.egg-info"}, Loaded: true},
		{Ecosystem: "Maven", Name: "g:a", Paths: []string{"/var/task/lib/a-2.jar"}, Loaded: true},
		{Ecosystem: "Maven", Name: "g:a", Paths: []string{"/opt/java/lib/a-1.jar"}, Loaded: true},
	}
	markLoaded(pkgs, artifact.Runtime{})
	loaded := []bool{true, true, true, false, true, false}
	for i, w := range loaded {
		if pkgs[i].Loaded != w {
			t.Errorf("%s: loaded %v, want %v", pkgs[i].Path(), pkgs[i].Loaded, w)
		}
	}
}
