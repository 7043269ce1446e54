package artifact

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/internal/imagetest"
)

func readFile(t *testing.T, d *Deployment, p string) string {
	t.Helper()
	rc, err := d.Open(p)
	if err != nil {
		t.Fatalf("open %s: %v", p, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestImageLayerRules: OCI whiteouts (a file, a directory), an opaque
// directory (lower content hidden, the layer's own kept), a hard link to a
// lower layer's file, and a file replacing a directory.
func TestImageLayerRules(t *testing.T) {
	base := imagetest.Layer(t,
		imagetest.File("app/keep.txt", "keep"),
		imagetest.File("app/gone.txt", "gone"),
		imagetest.File("app/dir/a.txt", "a"),
		imagetest.File("opq/old.txt", "old"),
		imagetest.File("lib/libc.so", "libc"),
		imagetest.File("swap/x.txt", "x"),
	)
	top := imagetest.Layer(t,
		imagetest.Whiteout("app/gone.txt"),
		imagetest.Whiteout("app/dir"),
		imagetest.File("opq/new.txt", "new"), // before its own opaque marker: still kept
		imagetest.Opaque("opq"),
		imagetest.Entry{Name: "lib/libc.so.6", Type: tar.TypeLink, Linkname: "lib/libc.so"},
		imagetest.File("swap", "now a file"),
	)
	img := imagetest.Image(t, base, top)
	d, err := Open(context.Background(), imagetest.Targets(t, img)["oci-dir"], Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var got []string
	for _, f := range d.Files() {
		got = append(got, f.Path)
	}
	want := []string{"/app/keep.txt", "/lib/libc.so", "/lib/libc.so.6", "/opq/new.txt", "/swap"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("files %v, want %v", got, want)
	}
	if d.IsDir("/app/dir") || d.IsDir("/swap") {
		t.Error("a whited-out or replaced directory is still there")
	}
	if s := readFile(t, d, "/lib/libc.so.6"); s != "libc" {
		t.Errorf("hard link content %q", s)
	}
	f, _ := d.File("/lib/libc.so.6")
	if f.Origin().Index != 2 || f.Entry() != "lib/libc.so.6" {
		t.Errorf("hard link origin %+v entry %q", f.Origin(), f.Entry())
	}
}

// TestImageManyWhiteouts: a layer that whites out thousands of directories
// of a lower one leaves exactly the rest. (Removing a subtree walks that
// subtree only; an image of many whiteouts used to cost entries x
// whiteouts.)
func TestImageManyWhiteouts(t *testing.T) {
	const n = 5000
	var lower, upper []imagetest.Entry
	for i := 0; i < n; i++ {
		lower = append(lower, imagetest.File(fmt.Sprintf("pkgs/p%05d/package.json", i), "{}"))
		if i%2 == 0 {
			upper = append(upper, imagetest.Whiteout(fmt.Sprintf("pkgs/p%05d", i)))
		}
	}
	img := imagetest.Image(t, imagetest.Layer(t, lower...), imagetest.Layer(t, upper...))
	d, err := Open(context.Background(), imagetest.Targets(t, img)["docker-archive"], Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	files := d.Files()
	if len(files) != n/2 || files[0].Path != "/pkgs/p00001/package.json" {
		t.Errorf("%d files, first %s", len(files), files[0].Path)
	}
}

// TestImageTamperedBlobs: an OCI layout whose layer blob or config blob was
// swapped (the library reads layouts without checking digests) is refused,
// so the digest fnaudit reports always covers what it read.
func TestImageTamperedBlobs(t *testing.T) {
	good := imagetest.Layer(t, imagetest.File("var/task/index.js", "exports.handler = 1"))
	evil := imagetest.Layer(t, imagetest.File("var/task/index.js", "require('child_process').exec('curl evil')"))
	img := imagetest.Image(t, good)
	for name, tamper := range map[string]func(dir string){
		"layer": func(dir string) {
			d, _ := good.Digest()
			rc, _ := evil.Compressed()
			b, _ := io.ReadAll(rc)
			os.WriteFile(filepath.Join(dir, "blobs", "sha256", d.Hex), b, 0o644)
		},
		"config": func(dir string) {
			m, _ := img.Manifest()
			raw, _ := img.RawConfigFile()
			os.WriteFile(filepath.Join(dir, "blobs", "sha256", m.Config.Digest.Hex), append(raw, ' '), 0o644)
		},
	} {
		t.Run(name, func(t *testing.T) {
			target := imagetest.Targets(t, img)["oci-dir"]
			tamper(strings.TrimPrefix(target, PrefixOCIDir))
			_, err := Open(context.Background(), target, Options{})
			var ie *InputError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), "does not match") {
				t.Errorf("tampered %s: %v", name, err)
			}
		})
	}
}
