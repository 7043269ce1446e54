package jsbundle

import (
	"archive/zip"
	"io"
	"io/fs"
	"path"
	"testing"
)

// zipFS is an FS over a function zip whose files the runtime sees under
// /var/task, for tests (fnaudit reads zips through package artifact).
type zipFS struct {
	files map[string]*zip.File
}

func openZipFS(t testing.TB, name string) zipFS {
	t.Helper()
	zr, err := zip.OpenReader(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { zr.Close() })
	z := zipFS{files: map[string]*zip.File{}}
	for _, f := range zr.File {
		if f.Mode().IsRegular() {
			z.files[path.Join("/var/task", f.Name)] = f
		}
	}
	return z
}

func (z zipFS) Paths() []string {
	var out []string
	for p := range z.files {
		out = append(out, p)
	}
	return out
}

func (z zipFS) Size(p string) (int64, bool) {
	f, ok := z.files[p]
	if !ok {
		return 0, false
	}
	return int64(f.UncompressedSize64), true
}

func (z zipFS) Open(p string) (io.ReadCloser, error) {
	f, ok := z.files[p]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
	}
	return f.Open()
}

const bundlesDir = "../../../testdata/bundles"
