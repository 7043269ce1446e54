package artifact

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"syscall"
	"time"
)

// openDirectory reads an unpacked function (or, with only layer directories
// at its top, an unpacked layer). Symlinks are recorded, never followed on
// the host; files are opened with O_NOFOLLOW when read.
func openDirectory(ctx context.Context, dir string, opts Options) (*Deployment, error) {
	d := &Deployment{Target: dir, Kind: KindDirectory, view: newView(true, TaskRoot, OptRoot), sources: map[Origin]string{}}
	b := newZipBudget(opts)
	origin := Origin{Kind: OriginDirectory, Name: filepath.Base(filepath.Clean(dir))}
	mount := TaskRoot
	if len(opts.Layers) == 0 && isLayerDir(dir) {
		origin = Origin{Kind: OriginLayer, Index: 1, Name: origin.Name}
		mount = OptRoot
	}
	d.Origins = append(d.Origins, origin)
	d.sources[origin] = dir
	shared := &origin
	err := filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("read directory %s: %w", p, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if err := b.entry(dir, rel); err != nil {
			return err
		}
		vp := path.Join(mount, rel)
		if de.IsDir() {
			return d.view.addDir(vp, origin, rel, dir)
		}
		info, err := de.Info()
		if err != nil {
			return fmt.Errorf("stat %s: %w", p, err)
		}
		f := &File{Path: vp, Mode: info.Mode(), Size: info.Size(), origin: shared,
			src: hostFile{path: p, rel: rel, mtime: info.ModTime()}}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			if f.LinkTarget, err = os.Readlink(p); err != nil {
				return fmt.Errorf("read link %s: %w", p, err)
			}
		case info.Mode().IsRegular():
			if err := b.bytes(dir, rel, info.Size()); err != nil {
				return err
			}
		default:
			return nil // devices, sockets, fifos: nothing a runtime loads code from
		}
		return d.view.addFile(f, dir)
	})
	if err != nil {
		return nil, err
	}
	// --layer zips go on top of an unpacked function as on a zipped one
	// (they were once dropped silently, hiding their packages).
	if err := addLayerZips(ctx, d, b, opts.Layers); err != nil {
		d.Close()
		return nil, err
	}
	if err := d.view.checkLinks(d.fileOf); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// hostFile reads a file of an unpacked function, never through a symlink.
type hostFile struct {
	path, rel string
	mtime     time.Time
}

func (h hostFile) open() (io.ReadCloser, error) {
	return os.OpenFile(h.path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
}
func (h hostFile) entry() string      { return h.rel }
func (h hostFile) modTime() time.Time { return h.mtime }

// isLayerDir applies looksLikeLayer's rule to a directory's top level.
func isLayerDir(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		return false
	}
	runtimeDir := false
	for _, e := range entries {
		if !e.IsDir() || !layerDirs[e.Name()] {
			return false
		}
		if e.Name() != "lib" && e.Name() != "bin" {
			runtimeDir = true
		}
	}
	return runtimeDir
}
