package artifact

import (
	"context"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	zt "github.com/fnaudit/fnaudit/internal/ziptest"
)

// openAndRead opens data as a function zip (with layers) and reads every
// file of the view: it must either fail with an error or give a consistent
// view, and never panic or write outside t.TempDir.
func openAndRead(t *testing.T, data []byte, layers ...[]byte) {
	dir := t.TempDir()
	fn := filepath.Join(dir, "function.zip")
	if err := os.WriteFile(fn, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var lp []string
	for i, l := range layers {
		p := filepath.Join(dir, "layer"+string(rune('a'+i))+".zip")
		if err := os.WriteFile(p, l, 0o644); err != nil {
			t.Fatal(err)
		}
		lp = append(lp, p)
	}
	d, err := Open(context.Background(), fn, Options{Layers: lp, Limits: Limits{MaxZipSize: 64 << 20, MaxEntries: 10_000}})
	if err != nil {
		return
	}
	defer d.Close()
	checkResolve(t, d.view)
	for _, f := range d.Files() {
		if !d.view.within(f.Path) {
			t.Fatalf("file %s outside the artifact roots", f.Path)
		}
		if f.IsSymlink() {
			if dest := linkDest(f.Path, f.LinkTarget); !d.view.within(dest) {
				t.Fatalf("symlink %s -> %s leaves the artifact", f.Path, f.LinkTarget)
			}
			continue
		}
		rc, err := d.Open(f.Path)
		if err != nil {
			continue
		}
		_, err = io.Copy(io.Discard, io.LimitReader(rc, 1<<20))
		rc.Close()
		if err != nil && !errors.Is(d.Err(), d.Err()) {
			t.Fatal(err)
		}
	}
}

func FuzzOpenZip(f *testing.F) {
	seeds := [][]zt.Entry{
		{zt.File("index.js", "x"), zt.File("node_modules/a/package.json", `{"name":"a","version":"1.0.0"}`)},
		{zt.Symlink("node_modules/.bin/a", "../a/cli.js"), zt.File("node_modules/a/cli.js", "")},
		{zt.File("../evil", "x")},
		{zt.Dir("lib/"), zt.Entry{Name: "lib/a.jar", Body: zt.Bytes(f, zt.File("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n"))}},
	}
	for _, s := range seeds {
		f.Add(zt.Bytes(f, s...))
	}
	for _, name := range []string{"event-stream-reconstruction.zip", "python-layer.zip"} {
		if b, err := os.ReadFile(filepath.Join("..", "testdata", "functions", name)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		openAndRead(t, data)
	})
}

// FuzzMergeLayers merges a function zip and two layer zips whose entry names
// come from the fuzzer, so collisions between files, directories and
// symlinks across layers are explored.
func FuzzMergeLayers(f *testing.F) {
	f.Add("nodejs/node_modules/a/package.json", "nodejs/node_modules/a", "nodejs/node_modules/.bin/a", "../a/x", true)
	f.Add("python/x.py", "python/x.py", "python/lib", "/opt/python", false)
	f.Add("nodejs/a", "nodejs/a/b", "nodejs/c", "/etc", true)
	f.Fuzz(func(t *testing.T, name1, name2, link, target string, dirFirst bool) {
		l1 := []zt.Entry{zt.File(name1, "one")}
		if dirFirst {
			l1 = append([]zt.Entry{zt.Dir(name2 + "/")}, l1...)
		}
		layer1 := zt.Bytes(t, l1...)
		layer2 := zt.Bytes(t, zt.File(name2, "two"), zt.Symlink(link, target))
		fn := zt.Bytes(t, zt.File("index.js", "x"))
		openAndRead(t, fn, layer1, layer2)
	})
}

// checkResolve compares the view's one-pass resolution with the
// component-by-component walk it replaced, for every file, its parent
// directories and paths through every symlink.
func checkResolve(t *testing.T, v *view) {
	var paths []string
	for p, f := range v.files {
		paths = append(paths, p, parentDir(p), p+"/x")
		if f.IsSymlink() {
			paths = append(paths, p+"/package.json", p+"/a/b")
		}
	}
	for _, p := range paths {
		gotReal, gotDir, gotOK := v.resolvePath(path.Clean(p), 0)
		wantReal, wantDir, wantOK := resolveByComponents(v, path.Clean(p), 0)
		if gotReal != wantReal || gotDir != wantDir || gotOK != wantOK {
			t.Fatalf("resolve %q: got %q dir=%v ok=%v, the component walk gives %q dir=%v ok=%v",
				p, gotReal, gotDir, gotOK, wantReal, wantDir, wantOK)
		}
	}
}

// resolveByComponents is the resolution resolvePath replaced: quadratic in
// the depth, but obviously right.
func resolveByComponents(v *view, p string, hops int) (string, bool, bool) {
	if hops > maxLinkHops {
		return "", false, false
	}
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	cur := "/"
	for i, part := range parts {
		if part == "" {
			continue
		}
		next := path.Join(cur, part)
		if f, ok := v.files[next]; ok {
			if f.IsSymlink() {
				dest := linkDest(next, f.LinkTarget)
				if !v.within(dest) {
					return "", false, false
				}
				return resolveByComponents(v, path.Join(dest, strings.Join(parts[i+1:], "/")), hops+1)
			}
			if i != len(parts)-1 {
				return "", false, false
			}
			return next, false, true
		}
		if !v.dirs.has(next) {
			return "", false, false
		}
		cur = next
	}
	return cur, true, true
}
