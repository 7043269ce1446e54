package artifact

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	zt "github.com/fnaudit/fnaudit/internal/ziptest"
)

// nested returns a zip whose only entry is inner stored under name.
func nested(t *testing.T, name string, inner []byte) []byte {
	return zt.Bytes(t, zt.Entry{Name: name, Body: inner})
}

// zipDepth builds a chain of zips: depth 0 is a plain zip, depth n holds a
// zip of depth n-1 as "inner.zip".
func zipDepth(t *testing.T, n int) []byte {
	b := zt.Bytes(t, zt.File("index.js", "exports.handler = async () => 1"))
	for i := 0; i < n; i++ {
		b = nested(t, "inner.zip", b)
	}
	return b
}

func TestHostileInput(t *testing.T) {
	zeros := bytes.Repeat([]byte{0}, 2<<20) // 2 MiB, deflates ~1000:1
	cases := []struct {
		name    string
		zip     []byte   // the function zip
		layers  [][]byte // layer zips
		limits  Limits
		file    string // "function.zip" or "layerN.zip": the file the error must name
		entry   string // the entry the error must name ("" for the file as a whole)
		reason  string // a substring of the reason
		raiseOK *Limits
	}{
		{name: "zip slip dot-dot", zip: zt.Bytes(t, zt.File("../evil.js", "x")),
			file: "function.zip", entry: "../evil.js", reason: "escapes the archive"},
		{name: "zip slip nested dot-dot", zip: zt.Bytes(t, zt.File("node_modules/../../evil.js", "x")),
			file: "function.zip", entry: "node_modules/../../evil.js", reason: "escapes the archive"},
		{name: "zip slip backslash", zip: zt.Bytes(t, zt.File(`..\evil.js`, "x")),
			file: "function.zip", entry: `..\evil.js`, reason: "escapes the archive"},
		{name: "absolute entry", zip: zt.Bytes(t, zt.File("/etc/cron.d/evil", "x")),
			file: "function.zip", entry: "/etc/cron.d/evil", reason: "absolute entry name"},
		{name: "symlink out of the artifact", zip: zt.Bytes(t, zt.Symlink("node_modules/x", "../../../../etc")),
			file: "function.zip", entry: "node_modules/x", reason: "symlink points outside the artifact"},
		{name: "absolute symlink out of the artifact", zip: zt.Bytes(t, zt.Symlink("config", "/etc/passwd")),
			file: "function.zip", entry: "config", reason: "symlink points outside the artifact"},
		{name: "entry through a symlink", zip: zt.Bytes(t, zt.Symlink("lib", "node_modules"), zt.File("lib/evil.js", "x")),
			file: "function.zip", entry: "lib/evil.js", reason: "path goes through symlink"},
		{name: "zip bomb ratio", zip: zt.Bytes(t, zt.Entry{Name: "data.bin", Body: zeros}),
			file: "function.zip", entry: "data.bin", reason: "compression ratio above 200:1",
			raiseOK: &Limits{MaxRatio: 10_000}},
		{name: "total size", zip: zt.Bytes(t, zt.Entry{Name: "a.bin", Body: zeros, Store: true}, zt.Entry{Name: "b.bin", Body: zeros, Store: true}),
			limits: Limits{MaxZipSize: 3 << 20}, file: "function.zip", entry: "b.bin", reason: "total uncompressed size exceeds 3.0 MiB",
			raiseOK: &Limits{}},
		{name: "too many entries", zip: zt.Bytes(t, zt.File("a", ""), zt.File("b", ""), zt.File("c", "")),
			limits: Limits{MaxEntries: 2}, file: "function.zip", entry: "c", reason: "more than 2 entries",
			raiseOK: &Limits{}},
		{name: "nested past the depth limit", zip: zipDepth(t, 5),
			file: "function.zip!/inner.zip!/inner.zip!/inner.zip!/inner.zip", entry: "inner.zip", reason: "nested deeper than 4 levels",
			raiseOK: &Limits{MaxDepth: 5}},
		{name: "nested archive not a zip", zip: zt.Bytes(t, zt.File("lib/app.jar", "this is not a jar")),
			file: "function.zip", entry: "lib/app.jar", reason: "nested archive is not a readable zip"},
		{name: "truncated zip", zip: zt.Bytes(t, zt.File("index.js", "exports.handler = 1"))[:40],
			file: "function.zip", reason: "not a readable zip archive"},
		{name: "not a zip at all", zip: []byte("#!/bin/sh\necho this is a shell script\n"),
			file: "function.zip", reason: "not a readable zip archive"},
		{name: "duplicate entry names", zip: zt.Bytes(t, zt.File("node_modules/a/package.json", `{"name":"a","version":"1.0.0"}`),
			zt.File("node_modules/a/package.json", `{"name":"a","version":"6.6.6"}`)),
			file: "function.zip", entry: "node_modules/a/package.json", reason: "duplicate entry name"},
		{name: "file and directory of one name", zip: zt.Bytes(t, zt.File("node_modules/a", "x"), zt.File("node_modules/a/package.json", "{}")),
			file: "function.zip", entry: "node_modules/a/package.json", reason: "path collides with file"},
		{name: "encrypted entry", zip: zt.Bytes(t, zt.Entry{Name: "index.js", Body: []byte("x"), Encrypt: true}),
			file: "function.zip", entry: "index.js", reason: "encrypted entry"},
		{name: "layer file where an earlier layer has a directory",
			zip:    zt.Bytes(t, zt.File("index.js", "x")),
			layers: [][]byte{zt.Bytes(t, zt.File("nodejs/node_modules/a/package.json", "{}")), zt.Bytes(t, zt.File("nodejs/node_modules/a", "x"))},
			file:   "layer2.zip", entry: "nodejs/node_modules/a", reason: "file collides with directory /opt/nodejs/node_modules/a"},
		{name: "layer directory where an earlier layer has a file",
			zip:    zt.Bytes(t, zt.File("index.js", "x")),
			layers: [][]byte{zt.Bytes(t, zt.File("nodejs/node_modules/a", "x")), zt.Bytes(t, zt.File("nodejs/node_modules/a/package.json", "{}"))},
			file:   "layer2.zip", entry: "nodejs/node_modules/a/package.json", reason: "path collides with file /opt/nodejs/node_modules/a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			fn := filepath.Join(dir, "function.zip")
			if err := os.WriteFile(fn, tc.zip, 0o644); err != nil {
				t.Fatal(err)
			}
			var layers []string
			for i, l := range tc.layers {
				p := filepath.Join(dir, "layer"+string(rune('1'+i))+".zip")
				if err := os.WriteFile(p, l, 0o644); err != nil {
					t.Fatal(err)
				}
				layers = append(layers, p)
			}
			d, err := Open(context.Background(), fn, Options{Layers: layers, Limits: tc.limits})
			if err == nil {
				d.Close()
				t.Fatal("opened; want an input error")
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v (%T) is not an *InputError", err, err)
			}
			if !strings.HasSuffix(ie.File, tc.file) || ie.Entry != tc.entry || !strings.Contains(ie.Reason, tc.reason) {
				t.Errorf("got file %q entry %q reason %q\nwant file *%q entry %q reason ~%q", ie.File, ie.Entry, ie.Reason, tc.file, tc.entry, tc.reason)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("message is not one line: %q", err)
			}
			if tc.raiseOK != nil {
				d, err := Open(context.Background(), fn, Options{Layers: layers, Limits: *tc.raiseOK})
				if err != nil {
					t.Fatalf("with the limit raised: %v", err)
				}
				d.Close()
			}
		})
	}
}

// TestSymlinksInsideWork: npm's node_modules/.bin links (relative, inside the
// artifact) are normal; they resolve to their targets, and a link between
// layers and function code stays inside the artifact.
func TestSymlinksInsideWork(t *testing.T) {
	dir := t.TempDir()
	fn := zt.Write(t, dir, "function.zip",
		zt.File("index.js", "x"),
		zt.File("node_modules/semver/package.json", `{"name":"semver","version":"5.7.3"}`),
		zt.File("node_modules/semver/bin/semver", "#!/usr/bin/env node"),
		zt.Symlink("node_modules/.bin/semver", "../semver/bin/semver"),
		zt.Symlink("shared", "/opt/nodejs/shared"),
	)
	layer := zt.Write(t, dir, "layer.zip", zt.File("nodejs/shared/config.json", `{}`))
	d, err := Open(context.Background(), fn, Options{Layers: []string{layer}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	real, f, ok := d.Resolve("/var/task/node_modules/.bin/semver")
	if !ok || real != "/var/task/node_modules/semver/bin/semver" || f.Origin().Kind != OriginFunction {
		t.Errorf("bin link resolved to %q %v %v", real, f, ok)
	}
	real, f, ok = d.Resolve("/var/task/shared/config.json")
	if !ok || real != "/opt/nodejs/shared/config.json" || f.Origin().Kind != OriginLayer {
		t.Errorf("link into the layer resolved to %q %v %v", real, f, ok)
	}
}

// TestCorruptEntryRecorded: a zip whose central directory is intact but an
// entry's data is damaged opens (nothing is read yet), and reading that entry
// fails and is remembered by Err, so the SBOM step can refuse a partial
// answer.
func TestCorruptEntryRecorded(t *testing.T) {
	body := strings.Repeat(`{"name":"a","version":"1.0.0"}`, 50)
	raw := zt.Bytes(t, zt.File("node_modules/a/package.json", body))
	i := bytes.Index(raw, []byte("package.json")) + len("package.json") + 10
	raw[i] ^= 0xff // inside the deflated data of the only entry
	p := filepath.Join(t.TempDir(), "function.zip")
	if err := os.WriteFile(p, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := Open(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rc, err := d.Open("/var/task/node_modules/a/package.json")
	if err == nil {
		_, err = readAll(rc)
	}
	if err == nil {
		t.Fatal("read a corrupt entry without error")
	}
	var ie *InputError
	if !errors.As(d.Err(), &ie) || ie.Entry != "node_modules/a/package.json" || ie.Reason != "corrupt entry data" {
		t.Errorf("Err() = %v", d.Err())
	}
}

func readAll(rc interface {
	Read([]byte) (int, error)
	Close() error
}) ([]byte, error) {
	defer rc.Close()
	var buf bytes.Buffer
	_, err := buf.ReadFrom(rc)
	return buf.Bytes(), err
}
