// Package imagetest builds container images with go-containerregistry for
// tests (layers from tar entries, whiteouts included) and writes them in
// every form fnaudit reads: OCI layout, oci-archive, docker-archive, and an
// in-process registry. Used by tests only.
package imagetest

import (
	"archive/tar"
	"bytes"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/klauspost/compress/gzip"
)

// Entry is one tar entry of a layer. A name whose base starts with ".wh." is
// an OCI whiteout.
type Entry struct {
	Name     string
	Body     string
	Type     byte // tar.TypeReg (default), tar.TypeDir, tar.TypeSymlink, tar.TypeLink
	Linkname string
}

// File is a regular file entry.
func File(name, body string) Entry { return Entry{Name: name, Body: body} }

// Whiteout deletes path of a lower layer.
func Whiteout(path string) Entry {
	dir, base := filepath.Split(path)
	return Entry{Name: dir + ".wh." + base}
}

// Opaque hides everything lower layers put in dir.
func Opaque(dir string) Entry { return Entry{Name: strings.TrimSuffix(dir, "/") + "/.wh..wh..opq"} }

// Layer builds a gzip-compressed layer from entries.
func Layer(t testing.TB, entries ...Entry) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		typ := e.Type
		if typ == 0 {
			typ = tar.TypeReg
		}
		h := &tar.Header{Name: e.Name, Typeflag: typ, Mode: 0o644, Size: int64(len(e.Body)), Linkname: e.Linkname}
		if typ != tar.TypeReg {
			h.Size = 0
		}
		if typ == tar.TypeDir {
			h.Mode = 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			if _, err := io.WriteString(tw, e.Body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// Image stacks layers on an empty linux/amd64 image.
func Image(t testing.TB, layers ...v1.Layer) v1.Image {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// Targets writes img in every form and returns fnaudit targets for each:
// "oci-dir:...", "oci-archive:...", "docker-archive:...", "registry:...".
// The registry runs in-process on loopback until the test ends.
func Targets(t testing.TB, img v1.Image) map[string]string {
	t.Helper()
	dir := t.TempDir()
	out := map[string]string{}

	ociDir := filepath.Join(dir, "oci")
	p, err := layout.Write(ociDir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	out["oci-dir"] = "oci-dir:" + ociDir

	ociArchive := filepath.Join(dir, "image.oci.tar")
	tarDir(t, ociDir, ociArchive)
	out["oci-archive"] = "oci-archive:" + ociArchive

	ref, err := name.ParseReference("example.com/function:latest")
	if err != nil {
		t.Fatal(err)
	}
	dockerArchive := filepath.Join(dir, "image.docker.tar")
	if err := tarball.WriteToFile(dockerArchive, ref, img); err != nil {
		t.Fatal(err)
	}
	out["docker-archive"] = "docker-archive:" + dockerArchive

	srv := httptest.NewServer(registry.New(registry.Logger(nopLogger())))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	rref, err := name.ParseReference(host + "/function:latest")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(rref, img); err != nil {
		t.Fatal(err)
	}
	out["registry"] = "registry:" + rref.String()
	return out
}

// tarDir writes dir as a tar file (an oci-archive is a tarred OCI layout).
func tarDir(t testing.TB, dir, dest string) {
	t.Helper()
	f, err := os.Create(dest)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	err = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		h, err := tar.FileInfoHeader(info, "")
		if err != nil {
			return err
		}
		h.Name = filepath.ToSlash(rel)
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if info.Mode().IsRegular() {
			body, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			_, err = tw.Write(body)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}

// DockerArchive writes img as a docker-archive only (no registry, no
// layout) and returns its "docker-archive:..." target.
func DockerArchive(t testing.TB, img v1.Image) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "image.docker.tar")
	ref, err := name.ParseReference("example.com/function:latest")
	if err != nil {
		t.Fatal(err)
	}
	if err := tarball.WriteToFile(p, ref, img); err != nil {
		t.Fatal(err)
	}
	return "docker-archive:" + p
}

// ZerosLayer is a gzip-compressed layer holding one file of size zero
// bytes: a decompression bomb. Only the compressed bytes are kept in memory
// (about a thousandth of size).
func ZerosLayer(t testing.TB, name string, size int64) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: size}); err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	for left := size; left > 0; left -= int64(len(zeros)) {
		if _, err := tw.Write(zeros[:min(left, int64(len(zeros)))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}
