package artifact

import (
	"archive/zip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// unzipTo extracts a trusted corpus zip for the test.
func unzipTo(t *testing.T, zipPath, dir string) {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		dest := filepath.Join(dir, f.Name)
		if f.FileInfo().IsDir() {
			os.MkdirAll(dest, 0o755)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
			t.Fatal(err)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dest, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDirectoryTarget: an unpacked function opens to the same view as its
// zip (paths in /var/task, content readable), without a deployable digest;
// an unpacked layer lands in /opt.
func TestDirectoryTarget(t *testing.T) {
	zipPath := filepath.Join("..", "testdata", "functions", "node-app.zip")
	dir := t.TempDir()
	unzipTo(t, zipPath, dir)
	fromDir, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fromDir.Close()
	fromZip, err := Open(context.Background(), zipPath, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fromZip.Close()
	paths := func(d *Deployment) []string {
		var out []string
		for _, f := range d.Files() {
			out = append(out, f.Path)
		}
		sort.Strings(out)
		return out
	}
	if a, b := paths(fromDir), paths(fromZip); strings.Join(a, "\n") != strings.Join(b, "\n") || len(a) < 1000 {
		t.Errorf("directory view has %d files, zip view %d", len(a), len(b))
	}
	if fromDir.Kind != KindDirectory || fromDir.Digest != "" || fromDir.Runtime.Name != "nodejs" {
		t.Errorf("directory deployment: %+v", fromDir)
	}
	rc, err := fromDir.Open("/var/task/node_modules/lodash/package.json")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if !strings.Contains(string(b), `"version": "4.17.15"`) {
		t.Errorf("content %q", b)
	}

	layerDir := t.TempDir()
	unzipTo(t, filepath.Join("..", "testdata", "functions", "node-layer.zip"), layerDir)
	d, err := Open(context.Background(), layerDir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, ok := d.File("/opt/nodejs/node_modules/express/package.json"); !ok || d.Origins[0].Kind != OriginLayer {
		t.Errorf("unpacked layer not in /opt: %+v", d.Origins)
	}
}

// TestDirectorySymlinkOut: a directory whose symlink leaves it is refused,
// and nothing on the host is followed.
func TestDirectorySymlinkOut(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.js"), []byte("x"), 0o644)
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "config")); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), dir, Options{})
	var ie *InputError
	if !errors.As(err, &ie) || ie.Entry != "config" || !strings.Contains(ie.Reason, "symlink points outside the artifact") {
		t.Errorf("err %v", err)
	}
}
