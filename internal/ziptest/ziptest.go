// Package ziptest builds zip files for tests: ordinary function packages,
// layers with symlinks, and the hostile shapes fnaudit must refuse (path
// traversal, bombs, duplicates, nesting). Used by tests only.
package ziptest

import (
	"archive/zip"
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// Entry is one zip entry.
type Entry struct {
	Name    string
	Body    []byte
	Mode    fs.FileMode // 0 means 0644 for files, 0755|ModeDir for names ending in "/"
	Link    string      // symlink target: the entry becomes a symlink
	Store   bool        // store instead of deflate
	Encrypt bool        // set the "encrypted" flag bit
}

// File is a regular file entry.
func File(name, body string) Entry { return Entry{Name: name, Body: []byte(body)} }

// Dir is a directory entry.
func Dir(name string) Entry { return Entry{Name: name} }

// Symlink is a symlink entry.
func Symlink(name, target string) Entry { return Entry{Name: name, Link: target} }

// Bytes returns the zip holding entries, in order.
func Bytes(t testing.TB, entries ...Entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.Name, Method: zip.Deflate}
		if e.Store || len(e.Name) > 0 && e.Name[len(e.Name)-1] == '/' {
			h.Method = zip.Store
		}
		mode := e.Mode
		switch {
		case len(e.Name) > 0 && e.Name[len(e.Name)-1] == '/':
			// archive/zip takes a trailing slash for a directory, whatever
			// else the entry was meant to be
			mode = fs.ModeDir | 0o755
		case e.Link != "":
			mode = fs.ModeSymlink | 0o777
			e.Body = []byte(e.Link)
		case mode == 0:
			mode = 0o644
		}
		h.SetMode(mode)
		if e.Encrypt {
			h.Flags |= 0x1
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if mode.IsDir() {
			continue // archive/zip refuses content for a directory entry
		}
		if _, err := w.Write(e.Body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Write writes the zip to dir/name and returns its path.
func Write(t testing.TB, dir, name string, entries ...Entry) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, Bytes(t, entries...), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// NodePackage is the entries of an installed npm package: its package.json
// under root/node_modules/name.
func NodePackage(root, name, version string) Entry {
	return File(root+"node_modules/"+name+"/package.json",
		`{"name":"`+name+`","version":"`+version+`","license":"MIT"}`)
}

// ReadEntry returns one entry of a zip on disk (real registry metadata from
// the corpus, say).
func ReadEntry(t testing.TB, zipPath, entry string) string {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	rc, err := zr.Open(entry)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
