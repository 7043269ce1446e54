package sbom

import (
	"context"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/fnaudit/fnaudit/artifact"
)

// TestGlobNarrowingMatchesDoublestar: the base-name narrowing in
// FilesByGlob returns exactly what matching every path with doublestar
// returns, for the pattern shapes syft's catalogers use.
func TestGlobNarrowingMatchesDoublestar(t *testing.T) {
	d, err := artifact.Open(context.Background(), filepath.Join(functionsDir, "node-app.zip"),
		artifact.Options{Layers: []string{filepath.Join(functionsDir, "node-layer.zip")}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	r := newResolver(d)
	for _, pattern := range []string{
		"**/package.json", "**/*.js", "**/LICENSE*", "**/node_modules/*/package.json",
		"**/{var/lib,usr/share}/rpm/{Packages,rpmdb.sqlite}", "**/lib/*.{js,json}", "/opt/nodejs/**",
		"**/libstd-????????????????.so", "**/[a-c]*.js", "**/send/node_modules/**/package.json",
	} {
		locs, err := r.FilesByGlob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for _, l := range locs {
			got = append(got, l.RealPath)
		}
		for _, f := range d.Files() {
			if ok, _ := doublestar.Match(pattern, f.Path); ok {
				want = append(want, f.Path)
			}
		}
		sort.Strings(got)
		sort.Strings(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %d paths, doublestar %d", pattern, len(got), len(want))
		}
		if pattern == "**/package.json" && len(got) != 21+50+2 {
			t.Errorf("%d package.json files, want 73 (71 packages and 2 roots)", len(got))
		}
	}
}
