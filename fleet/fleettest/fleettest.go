// Package fleettest builds fleets of functions from the corpus zips
// (testdata/functions) for tests and benchmarks: many functions with
// distinct code digests and a set of shared layers, written as a manifest.
package fleettest

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Options shape a generated fleet.
type Options struct {
	Functions int // number of functions (default 200)
	Layers    int // number of distinct shared layers (default 20)
	// EOLEvery gives every n-th function the deprecated nodejs16.x runtime
	// (0: none).
	EOLEvery int
}

// Fleet is a generated fleet.
type Fleet struct {
	Manifest string   // manifest.yaml path
	Dir      string   // folder holding the manifest and the zips
	Code     []string // each function's code zip, by index
	Names    []string // each function's name, by index
}

// Build writes a fleet under dir from the corpus folder functionsDir: odd
// functions are node-app.zip variants on a node-layer.zip variant, even ones
// python-app.zip variants on a python-layer.zip variant. A variant is the
// corpus zip with one extra file, so digests differ while packages do not.
func Build(functionsDir, dir string, o Options) (*Fleet, error) {
	if o.Functions <= 0 {
		o.Functions = 200
	}
	if o.Layers <= 0 {
		o.Layers = 20
	}
	f := &Fleet{Dir: dir, Manifest: filepath.Join(dir, "manifest.yaml")}
	for _, sub := range []string{"code", "layers"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, err
		}
	}
	var layers []string
	for i := 0; i < o.Layers; i++ {
		base := "node-layer.zip"
		if i%2 == 1 {
			base = "python-layer.zip"
		}
		rel := fmt.Sprintf("layers/layer-%02d.zip", i)
		if err := Variant(filepath.Join(functionsDir, base), filepath.Join(dir, rel), fmt.Sprintf("layer %d", i)); err != nil {
			return nil, err
		}
		layers = append(layers, rel)
	}
	var b strings.Builder
	b.WriteString("functions:\n")
	for i := 0; i < o.Functions; i++ {
		// layer i%Layers: even layers are node-layer variants, odd ones python-layer variants
		base, runtime, layer := "node-app.zip", "nodejs22.x", layers[i%o.Layers]
		if i%2 == 1 {
			base, runtime, layer = "python-app.zip", "python3.12", layers[i%o.Layers]
		}
		if o.EOLEvery > 0 && i%o.EOLEvery == 0 && i%2 == 0 {
			runtime = "nodejs16.x"
		}
		name := fmt.Sprintf("fn-%03d", i)
		rel := fmt.Sprintf("code/%s.zip", name)
		if err := Variant(filepath.Join(functionsDir, base), filepath.Join(dir, rel), "function "+name); err != nil {
			return nil, err
		}
		f.Code = append(f.Code, filepath.Join(dir, rel))
		f.Names = append(f.Names, name)
		fmt.Fprintf(&b, "  - name: %s\n    code: %s\n    layers: [%s]\n    runtime: %s\n    account: \"123456789012\"\n    region: eu-west-1\n    role: arn:aws:iam::123456789012:role/team-%d\n",
			name, rel, layer, runtime, i%3)
	}
	if err := os.WriteFile(f.Manifest, []byte(b.String()), 0o644); err != nil {
		return nil, err
	}
	return f, nil
}

// Variant copies the zip src to dst with one extra file holding note, so
// its digest differs from src's and every other note's.
func Variant(src, dst, note string) error {
	return Rewrite(src, dst, nil, map[string]string{"fleet-variant.txt": note})
}

// Rewrite copies the zip src to dst, replacing the named entries' contents
// with strings.Replace-style edits (old→new applied to each entry listed in
// edits, keyed "entry\x00old") and adding files from add.
func Rewrite(src, dst string, edits map[string][2]string, add map[string]string) error {
	r, err := zip.OpenReader(src)
	if err != nil {
		return err
	}
	defer r.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	w := zip.NewWriter(out)
	for _, e := range r.File {
		h := e.FileHeader
		rc, err := e.Open()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		if ed, ok := edits[e.Name]; ok {
			if !strings.Contains(string(data), ed[0]) {
				return fmt.Errorf("%s: entry %s has no %q", src, e.Name, ed[0])
			}
			data = []byte(strings.Replace(string(data), ed[0], ed[1], 1))
		}
		h.CompressedSize64, h.UncompressedSize64, h.CRC32 = 0, 0, 0
		wr, err := w.CreateHeader(&h)
		if err != nil {
			return err
		}
		if _, err := wr.Write(data); err != nil {
			return err
		}
	}
	for name, content := range add {
		wr, err := w.Create(name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(wr, content); err != nil {
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	return out.Close()
}
