package artifact

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/fnaudit/fnaudit/internal/imagetest"
	zt "github.com/fnaudit/fnaudit/internal/ziptest"
)

// Inputs of issue 10 ("hostile inputs, round two"), points 3, 9, 11-14 and
// the third bullet of 15.

// wantInputError checks that err is an *InputError naming file (suffix),
// entry and a reason substring, with the flag that raises the limit.
func wantInputError(t *testing.T, err error, file, entry, reason, limit string) *InputError {
	t.Helper()
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v (%T) is not an *InputError", err, err)
	}
	if !strings.HasSuffix(ie.File, file) || ie.Entry != entry || !strings.Contains(ie.Reason, reason) || ie.Limit != limit {
		t.Errorf("got file %q entry %q reason %q limit %q\nwant file *%q entry %q reason ~%q limit %q",
			ie.File, ie.Entry, ie.Reason, ie.Limit, file, entry, reason, limit)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("message is not one line: %q", err)
	}
	return ie
}

func writeZip(t *testing.T, raw []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "function.zip")
	if err := os.WriteFile(p, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Point 3: a whiteout whose target is "", "." or ".." would delete its own
// directory, the parent or the root; it is refused naming the layer and the
// entry.
func TestInvalidWhiteoutRefused(t *testing.T) {
	base := imagetest.Layer(t,
		imagetest.File("var/task/index.js", "exports.handler = async () => 1"),
		imagetest.File("var/task/node_modules/flatmap-stream/package.json", `{"name":"flatmap-stream","version":"0.1.1"}`))
	for _, name := range []string{"var/task/node_modules/.wh..", "var/task/node_modules/.wh...", "var/task/.wh.", ".wh.."} {
		t.Run(name, func(t *testing.T) {
			top := imagetest.Layer(t, imagetest.File("var/task/other.js", "x"), imagetest.Entry{Name: name})
			digest, err := top.Digest()
			if err != nil {
				t.Fatal(err)
			}
			target := imagetest.DockerArchive(t, imagetest.Image(t, base, top))
			d, err := Open(context.Background(), target, Options{})
			if err == nil {
				d.Close()
				t.Fatal("opened an image with an invalid whiteout")
			}
			wantInputError(t, err, target+"!/"+digest.String(), name, "invalid whiteout", "")
		})
	}
}

// patchName replaces the second occurrence of old (the central directory's
// copy; the first is the local header's) with repl, of the same length.
func patchName(t *testing.T, raw []byte, old, repl string) []byte {
	t.Helper()
	if len(old) != len(repl) {
		t.Fatal("names must have the same length")
	}
	first := bytes.Index(raw, []byte(old))
	second := bytes.Index(raw[first+1:], []byte(old))
	if first < 0 || second < 0 {
		t.Fatalf("%q is not in the zip twice", old)
	}
	out := bytes.Clone(raw)
	copy(out[first+1+second:], repl)
	return out
}

// Point 9: the central directory says READMEX.md!x, the local header
// package.json (what a streaming reader such as Java's ZipInputStream
// sees). Refused, naming both, in the function zip and in a nested jar.
func TestLocalHeaderNameMismatch(t *testing.T) {
	const local, central = "node_modules/flatmap-stream/package.json", "node_modules/flatmap-stream/READMEX.md!x"
	fn := zt.Bytes(t, zt.File("index.js", "require('flatmap-stream')"),
		zt.File(local, `{"name":"flatmap-stream","version":"0.1.1"}`))
	t.Run("function zip", func(t *testing.T) {
		p := writeZip(t, patchName(t, fn, local, central))
		d, err := Open(context.Background(), p, Options{})
		if err == nil {
			d.Close()
			t.Fatal("opened a zip whose local and central names differ")
		}
		ie := wantInputError(t, err, "function.zip", central, `local header names the entry "`+local+`"`, "")
		if !strings.Contains(ie.Reason, central) {
			t.Errorf("reason %q does not name the central directory's name", ie.Reason)
		}
	})
	t.Run("nested jar", func(t *testing.T) {
		jar := patchName(t, zt.Bytes(t, zt.File("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n"), zt.File("a/package.json", "{}")),
			"a/package.json", "a/READMEX.md!x")
		p := writeZip(t, zt.Bytes(t, zt.Entry{Name: "lib/app.jar", Body: jar, Store: true}))
		_, err := Open(context.Background(), p, Options{})
		wantInputError(t, err, "function.zip!/lib/app.jar", "a/READMEX.md!x", `local header names the entry "a/package.json"`, "")
	})
	t.Run("unpatched opens", func(t *testing.T) {
		d, err := Open(context.Background(), writeZip(t, fn), Options{})
		if err != nil {
			t.Fatal(err)
		}
		d.Close()
	})
}

// deepName is a path of depth components ("d/d/.../d") and a file name.
func deepName(depth int, file string) string {
	return strings.Repeat("d/", depth-1) + file
}

// Point 11: deep paths stop on the path-depth limit; with the limit raised
// they open, resolve (through a symlink too) and read.
func TestDeepPaths(t *testing.T) {
	t.Run("node_modules 800 levels", func(t *testing.T) {
		name := strings.Repeat("node_modules/a/", 800) + "package.json"
		p := writeZip(t, zt.Bytes(t, zt.File("index.js", "x"), zt.File(name, `{"name":"a","version":"1.0.0"}`)))
		_, err := Open(context.Background(), p, Options{})
		wantInputError(t, err, "function.zip", shortName(name), "path 1601 levels deep, more than 256", "--max-path-depth")
	})
	t.Run("30,000 levels, limit raised", func(t *testing.T) {
		const depth = 30_000
		var entries []zt.Entry
		for i := range 4 {
			entries = append(entries, zt.File(deepName(depth, fmt.Sprintf("p%d/package.json", i)), fmt.Sprintf(`{"name":"p%d"}`, i)))
		}
		// a link to depth 2,000 (its target is under PATH_MAX)
		entries = append(entries, zt.Symlink("short", strings.TrimSuffix(deepName(2_000, ""), "/")))
		raw := zt.Bytes(t, entries...)
		p := writeZip(t, raw)
		if _, err := Open(context.Background(), p, Options{}); err == nil {
			t.Fatal("opened past the default path depth")
		}
		d, err := Open(context.Background(), p, Options{Limits: Limits{MaxPathDepth: depth + 1}})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		real, f, ok := d.Resolve("/var/task/short/" + deepName(depth-1_999, "p3/package.json"))
		if !ok || real != "/var/task/"+deepName(depth, "p3/package.json") || f.Entry() != deepName(depth, "p3/package.json") {
			t.Fatalf("resolve through the link: %v %v", ok, f)
		}
		if got := readFile(t, d, "/var/task/short/"+deepName(depth-1_999, "p2/package.json")); got != `{"name":"p2"}` {
			t.Errorf("read %q", got)
		}
	})
}

// BenchmarkDeepPath: opening a zip of four package.json files at a depth of
// N and resolving each (directly and through a symlink) grows linearly with
// N. Run: go test ./artifact -run '^$' -bench DeepPath -benchtime 3x
func BenchmarkDeepPath(b *testing.B) {
	for _, depth := range []int{1_000, 3_000, 10_000, 30_000} {
		var entries []zt.Entry
		for i := range 4 {
			entries = append(entries, zt.File(deepName(depth, fmt.Sprintf("p%d/package.json", i)), "{}"))
		}
		entries = append(entries, zt.Symlink("short", strings.TrimSuffix(deepName(500, ""), "/")))
		p := filepath.Join(b.TempDir(), "deep.zip")
		if err := os.WriteFile(p, zt.Bytes(b, entries...), 0o644); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("depth=%d", depth), func(b *testing.B) {
			for b.Loop() {
				d, err := Open(context.Background(), p, Options{Limits: Limits{MaxPathDepth: depth + 1}})
				if err != nil {
					b.Fatal(err)
				}
				// what a cataloger does: resolve every file found, then open
				// each package.json, some through the link
				for range 50 {
					for _, f := range d.Files() {
						if _, _, ok := d.Resolve(f.Path); !ok && !f.IsSymlink() {
							b.Fatal("unresolved", f.Entry())
						}
					}
				}
				for i := range 4 {
					rc, err := d.Open("/var/task/short/" + deepName(depth-499, fmt.Sprintf("p%d/package.json", i)))
					if err != nil {
						b.Fatal(err)
					}
					rc.Close()
				}
				d.Close()
			}
		})
	}
}

// Point 12: one jar holding 30,000 tiny jars (each an empty zip) stops on
// the nested-archive limit before syft sees it; raised, it opens.
func TestNestedJarBomb(t *testing.T) {
	empty := zt.Bytes(t)
	inner := make([]zt.Entry, 30_000)
	for i := range inner {
		inner[i] = zt.Entry{Name: fmt.Sprintf("lib/j%05d.jar", i), Body: empty, Store: true}
	}
	p := writeZip(t, zt.Bytes(t, zt.File("Handler.class", ""), zt.Entry{Name: "lib/bomb.jar", Body: zt.Bytes(t, inner...)}))
	_, err := Open(context.Background(), p, Options{})
	// bomb.jar itself is the first nested archive
	wantInputError(t, err, "function.zip!/lib/bomb.jar", "lib/j00999.jar", "more than 1000 nested archives", "--max-nested-archives")
	d, err := Open(context.Background(), p, Options{Limits: Limits{MaxNestedArchives: 30_001}})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	_, err = Open(context.Background(), p, Options{Limits: Limits{MaxNestedArchives: 30_001, MaxEntries: 30_000}})
	wantInputError(t, err, "function.zip!/lib/bomb.jar", "lib/j29998.jar", "more than 30000 entries", "--max-entries")
}

// Point 13: a gzip bomb layer stops on the ratio limit as it streams, names
// the layer, and leaves nothing in the temp directory.
func TestImageLayerGzipBomb(t *testing.T) {
	tmp, cleanup, err := NewPrivateTempDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	t.Setenv("TMPDIR", tmp)
	bomb := imagetest.ZerosLayer(t, "var/task/data.bin", 256<<20)
	digest, err := bomb.Digest()
	if err != nil {
		t.Fatal(err)
	}
	target := imagetest.DockerArchive(t, imagetest.Image(t, imagetest.Layer(t, imagetest.File("var/task/index.js", "x")), bomb))
	_, err = Open(context.Background(), target, Options{})
	ie := wantInputError(t, err, target, digest.String(), "layer expands more than 200:1", "--max-ratio")
	if ie.File != target {
		t.Errorf("file %q, want the image %q", ie.File, target)
	}
	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0].Name() != pidMarker {
		t.Errorf("temp directory holds %v after the refusal", left)
	}
}

// countdownCtx is cancelled after its Err has been asked n times: a
// deterministic stand-in for a SIGTERM arriving mid-layer.
type countdownCtx struct {
	context.Context
	n int
}

func (c *countdownCtx) Err() error {
	if c.n--; c.n < 0 {
		return context.Canceled
	}
	return nil
}

// Point 13: reading a layer honours cancellation while the layer streams,
// not only between layers.
func TestImageLayerReadCancelled(t *testing.T) {
	bomb := imagetest.ZerosLayer(t, "var/task/data.bin", 64<<20)
	target := imagetest.DockerArchive(t, imagetest.Image(t, bomb))
	// one check before the layer, one after the first 4 MiB
	ctx := &countdownCtx{Context: context.Background(), n: 2}
	_, err := Open(ctx, target, Options{Limits: Limits{MaxRatio: 1 << 40}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if ctx.n > -1 {
		t.Errorf("the layer was read without looking at the context (%d checks left)", ctx.n)
	}
}

// Point 14: a package.json larger than the metadata cap fails the read with
// an error naming the file, and is remembered by Err; archives and
// executables are not capped; with default limits, the input (a
// highly compressible huge package.json) already stops on the ratio.
func TestMetadataSizeCap(t *testing.T) {
	const pj = "var/task/node_modules/flatmap-stream/package.json"
	big := `{"name":"flatmap-stream","version":"0.1.1","description":"` + strings.Repeat("x", 2<<20) + `"}`
	jar := zt.Bytes(t, zt.Entry{Name: "a.bin", Body: bytes.Repeat([]byte("y"), 2<<20), Store: true})
	img := imagetest.Image(t, imagetest.Layer(t,
		imagetest.File(pj, big),
		imagetest.File("var/task/lib/app.jar", string(jar)),
		imagetest.File("var/task/bootstrap", "\x7fELF"+strings.Repeat("z", 2<<20)),
	))
	target := imagetest.DockerArchive(t, img)
	d, err := Open(context.Background(), target, Options{Limits: Limits{MaxMetadataSize: 1 << 20, MaxRatio: 1 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rc, err := d.Open("/" + pj)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, rc)
	rc.Close()
	wantInputError(t, err, target, pj, "package.json is read as metadata and is larger than 1.0 MiB", "--max-metadata-size")
	if n > 1<<20+1 {
		t.Errorf("read %d bytes past the cap", n)
	}
	wantInputError(t, d.Err(), target, pj, "larger than 1.0 MiB", "--max-metadata-size")
	rc, err = d.Open("/var/task/lib/app.jar") // an archive: exempt
	if err != nil {
		t.Fatal(err)
	}
	if n, err := io.Copy(io.Discard, rc); err != nil || n != int64(len(jar)) {
		t.Errorf("read the jar: %d bytes, %v", n, err)
	}
	rc.Close()
	rc, err = d.OpenExecutable("/var/task/bootstrap")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := io.Copy(io.Discard, rc); err != nil || n != 4+2<<20 {
		t.Errorf("read the executable: %d bytes, %v", n, err)
	}
	rc.Close()

	t.Run("zip", func(t *testing.T) {
		p := writeZip(t, zt.Bytes(t, zt.File("index.js", "x"), zt.File("node_modules/flatmap-stream/package.json", big)))
		d, err := Open(context.Background(), p, Options{Limits: Limits{MaxMetadataSize: 1 << 20, MaxRatio: 1 << 20}})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		rc, err := d.Open("/var/task/node_modules/flatmap-stream/package.json")
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.ReadAll(rc)
		rc.Close()
		wantInputError(t, err, "function.zip", "node_modules/flatmap-stream/package.json", "larger than 1.0 MiB", "--max-metadata-size")
	})
	t.Run("default limits, 256 MiB package.json", func(t *testing.T) {
		layer := imagetest.ZerosLayer(t, pj, 256<<20)
		digest, err := layer.Digest()
		if err != nil {
			t.Fatal(err)
		}
		target := imagetest.DockerArchive(t, imagetest.Image(t, layer))
		_, err = Open(context.Background(), target, Options{})
		wantInputError(t, err, target, digest.String(), "layer expands more than 200:1", "--max-ratio")
	})
}

// Point 15, third bullet: with --layer given, a target holding only nodejs/
// is the function (in /var/task), not layer 1 to be overwritten by the
// user's layers; for a directory target the layers were not read at all.
func TestLayerGivenTargetIsFunction(t *testing.T) {
	dir := t.TempDir()
	fnEntries := []zt.Entry{zt.File("nodejs/node_modules/flatmap-stream/package.json", `{"name":"flatmap-stream","version":"0.1.1"}`)}
	fn := zt.Write(t, dir, "function.zip", fnEntries...)
	layer := zt.Write(t, dir, "layer.zip", zt.File("nodejs/node_modules/flatmap-stream/package.json", `{"name":"flatmap-stream","version":"0.1.2"}`))

	unpacked := filepath.Join(dir, "unpacked")
	if err := os.MkdirAll(filepath.Join(unpacked, "nodejs/node_modules/flatmap-stream"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(unpacked, "nodejs/node_modules/flatmap-stream/package.json"), []byte(`{"name":"flatmap-stream","version":"0.1.1"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{fn, unpacked} {
		t.Run(filepath.Base(target), func(t *testing.T) {
			d, err := Open(context.Background(), target, Options{Layers: []string{layer}})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if len(d.Origins) != 2 || d.Origins[0].Kind == OriginLayer || d.Origins[1].Kind != OriginLayer || d.Origins[1].Index != 1 {
				t.Fatalf("origins %+v", d.Origins)
			}
			if got := readFile(t, d, "/var/task/nodejs/node_modules/flatmap-stream/package.json"); !strings.Contains(got, "0.1.1") {
				t.Errorf("function's copy: %s", got)
			}
			if got := readFile(t, d, "/opt/nodejs/node_modules/flatmap-stream/package.json"); !strings.Contains(got, "0.1.2") {
				t.Errorf("layer's copy: %s", got)
			}
		})
	}
	// Without --layer the same zip is still read as layer 1.
	d, err := Open(context.Background(), fn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Origins[0].Kind != OriginLayer {
		t.Errorf("alone, a nodejs/-only zip is %+v, want layer 1", d.Origins[0])
	}
}

// An uncompressed docker-archive (what "docker save" wrote before
// containerd's image store) is read straight, not gzipped by the library to
// be inflated again: the check that tells these layers apart still matches
// go-containerregistry's types.
func TestUncompressedDockerArchive(t *testing.T) {
	var layer bytes.Buffer
	tw := tar.NewWriter(&layer)
	body := `{"name":"flatmap-stream","version":"0.1.1"}`
	if err := tw.WriteHeader(&tar.Header{Name: "var/task/node_modules/flatmap-stream/package.json", Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	io.WriteString(tw, body)
	tw.Close()
	diffID := sha256.Sum256(layer.Bytes())
	config := fmt.Sprintf(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%x"]},"config":{}}`, diffID)
	configSum := sha256.Sum256([]byte(config))
	manifest := fmt.Sprintf(`[{"Config":"%x.json","RepoTags":["example.com/function:latest"],"Layers":["layer.tar"]}]`, configSum)
	p := filepath.Join(t.TempDir(), "image.tar")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	aw := tar.NewWriter(f)
	for _, e := range []struct{ name, body string }{
		{fmt.Sprintf("%x.json", configSum), config}, {"layer.tar", layer.String()}, {"manifest.json", manifest},
	} {
		if err := aw.WriteHeader(&tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		io.WriteString(aw, e.body)
	}
	aw.Close()
	f.Close()

	img, err := tarball.ImageFromPath(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 || !gzipsOnTheFly(layers[0]) {
		t.Fatalf("layers %v (%v): the uncompressed layer's type is not recognised", layers, err)
	}
	d, err := Open(context.Background(), PrefixDockerArchive+p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if got := readFile(t, d, "/var/task/node_modules/flatmap-stream/package.json"); got != body {
		t.Errorf("read %q", got)
	}
}
