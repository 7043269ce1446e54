package artifact

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// openZips opens a function zip and its layers as one view: the function in
// /var/task, each layer in /opt, a later layer replacing an earlier one's
// file at the same path. A zip that holds only layer directories (nodejs/,
// python/, java/, ...) given as the target with no --layer is read as layer 1.
func openZips(ctx context.Context, target string, opts Options) (*Deployment, error) {
	d := &Deployment{Target: target, Kind: KindZip, view: newView(true, TaskRoot, OptRoot), sources: map[Origin]string{}}
	b := newZipBudget(opts)
	ok := false
	defer func() {
		if !ok {
			d.Close()
		}
	}()

	zr, digest, err := openZipFile(d, target, "")
	if err != nil {
		return nil, err
	}
	d.Digest = digest
	layers := opts.Layers
	mainOrigin := Origin{Kind: OriginFunction, Name: filepath.Base(target), Digest: digest}
	mount := TaskRoot
	// With --layer given the target is the function, whatever its top
	// level holds: read as layer 1, a function of only nodejs/ would have
	// its files replaced by the user's layers (see DESIGN.md).
	if len(layers) == 0 && looksLikeLayer(zr) {
		mainOrigin = Origin{Kind: OriginLayer, Index: 1, Name: filepath.Base(target), Digest: digest}
		mount = OptRoot
	}
	if err := addZip(d, b, target, zr, mount, mainOrigin); err != nil {
		return nil, err
	}
	if err := addLayerZips(ctx, d, b, layers); err != nil {
		return nil, err
	}
	if err := d.view.checkLinks(d.fileOf); err != nil {
		return nil, err
	}
	ok = true
	return d, nil
}

// addLayerZips mounts the --layer zips in /opt, in order, numbered 1, 2, ...
// (the target is always the function when layers are given).
func addLayerZips(ctx context.Context, d *Deployment, b *budget, layers []string) error {
	for i, layer := range layers {
		if err := ctx.Err(); err != nil {
			return err
		}
		lr, ldigest, err := openZipFile(d, layer, "layer ")
		if err != nil {
			return err
		}
		origin := Origin{Kind: OriginLayer, Index: i + 1, Name: filepath.Base(layer), Digest: ldigest}
		if err := addZip(d, b, layer, lr, OptRoot, origin); err != nil {
			return err
		}
	}
	return nil
}

// openZipFile opens one zip file kept open for the deployment's life and
// returns its reader and "sha256:<hex>" digest of its bytes. what ("layer
// ") says which input the error is about.
func openZipFile(d *Deployment, name, what string) (*zip.Reader, string, error) {
	f, err := os.Open(name)
	if err != nil {
		// os.Open's error already reads "open NAME: ..."; say it once.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, "", fmt.Errorf("open %s%s: %w", what, name, err)
	}
	d.closers = append(d.closers, f)
	info, err := f.Stat()
	if err != nil {
		return nil, "", fmt.Errorf("stat %s: %w", name, err)
	}
	if !info.Mode().IsRegular() {
		return nil, "", &InputError{File: name, Reason: "not a regular file"}
	}
	// The digest of the deployed bytes is computed while the central
	// directory is read and checked (both read f through ReadAt, which is
	// safe concurrently): hashing a 95 MB zip is a third of opening it.
	type digest struct {
		sum string
		err error
	}
	hashed := make(chan digest, 1)
	go func() {
		h := sha256.New()
		if _, err := io.Copy(h, io.NewSectionReader(f, 0, info.Size())); err != nil {
			hashed <- digest{err: fmt.Errorf("read %s: %w", name, err)}
			return
		}
		hashed <- digest{sum: "sha256:" + hex.EncodeToString(h.Sum(nil))}
	}()
	zr, err := zip.NewReader(f, info.Size())
	if err == nil || errors.Is(err, zip.ErrInsecurePath) {
		err = checkLocalNames(name, f, info.Size(), zr)
	} else {
		err = &InputError{File: name, Reason: "not a readable zip archive (truncated, corrupt, or not a zip)", Err: err}
	}
	dg := <-hashed
	if err != nil {
		return nil, "", err
	}
	if dg.err != nil {
		return nil, "", dg.err
	}
	return zr, dg.sum, nil
}

// addZip checks every entry of one zip and places it in the view at mount.
func addZip(d *Deployment, b *budget, file string, zr *zip.Reader, mount string, origin Origin) error {
	d.Origins = append(d.Origins, origin)
	d.sources[origin] = file
	shared := &origin
	return walkZip(b, file, zr, 0, func(e zipEntry) error {
		p := path.Join(mount, e.name)
		if e.dir {
			return d.view.addDir(p, origin, e.zf.Name, file)
		}
		zf := e.zf
		// archive/zip parsed sizes and times out of the extra field already;
		// dropping it saves tens of bytes a file over a whole deployment.
		zf.Extra, zf.Comment = nil, ""
		f := &File{Path: p, Mode: zf.Mode(), Size: int64(zf.UncompressedSize64), LinkTarget: e.link,
			origin: shared, src: zipSource{zf}}
		if e.link != "" {
			f.Mode = fs.ModeSymlink | 0o777
		}
		return d.view.addFile(f, file)
	})
}

// zipSource reads a file from its zip entry; the central directory entry
// archive/zip already holds is all a File needs to keep.
type zipSource struct{ zf *zip.File }

func (z zipSource) open() (io.ReadCloser, error) { return z.zf.Open() }
func (z zipSource) entry() string                { return z.zf.Name }
func (z zipSource) modTime() time.Time           { return z.zf.Modified }

// layerDirs are the top-level directories Lambda layers use
// (https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html).
var layerDirs = map[string]bool{"nodejs": true, "python": true, "java": true, "ruby": true, "lib": true, "bin": true, "extensions": true}

// looksLikeLayer reports whether a zip holds nothing but layer directories,
// at least one of them a runtime's (lib/ and bin/ alone could be a function).
func looksLikeLayer(zr *zip.Reader) bool {
	runtimeDir := false
	for _, zf := range zr.File {
		top, _, nested := strings.Cut(strings.TrimPrefix(zf.Name, "./"), "/")
		if !nested && !strings.HasSuffix(zf.Name, "/") {
			return false // a file at the top: function code
		}
		if !layerDirs[top] {
			return false
		}
		if top != "lib" && top != "bin" {
			runtimeDir = true
		}
	}
	return runtimeDir
}
