package artifact

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// OCI whiteout markers (image-spec layer.md "Whiteouts").
const (
	whiteoutPrefix = ".wh."
	whiteoutOpaque = ".wh..wh..opq"
)

// blobStore holds the content of image files in one spill file of the private
// temp directory: a compressed layer cannot be read at random, and catalogers
// ask for files in any order.
type blobStore struct {
	f    *os.File
	size int64
}

func newBlobStore(dir string) (*blobStore, error) {
	f, err := os.CreateTemp(dir, "image-blobs-")
	if err != nil {
		return nil, fmt.Errorf("create image content store: %w", err)
	}
	return &blobStore{f: f}, nil
}

func (s *blobStore) put(r io.Reader) (off, n int64, err error) {
	off = s.size
	n, err = io.Copy(s.f, r)
	s.size += n
	return off, n, err
}

// blob is an image file's content in the store, with its tar header's name.
type blob struct {
	s      *blobStore
	off, n int64
	name   string
	mtime  time.Time
}

func (b blob) open() (io.ReadCloser, error) {
	return io.NopCloser(io.NewSectionReader(b.s.f, b.off, b.n)), nil
}
func (b blob) entry() string      { return b.name }
func (b blob) modTime() time.Time { return b.mtime }

// hardLink is a tar hard link: its own name, its target's content.
type hardLink struct {
	source
	name string
}

func (h hardLink) entry() string { return h.name }

func (s *blobStore) Close() error {
	name := s.f.Name()
	err := s.f.Close()
	os.Remove(name)
	return err
}

// layerEntry is one tar entry of a layer, kept until the layer's whiteouts
// are applied: a whiteout hides lower layers only, and may come after the
// layer's own entries in the same directory.
type layerEntry struct {
	file *File
	dir  bool
}

// applyLayers reads each layer in order into the view.
func applyLayers(ctx context.Context, d *Deployment, img v1.Image, b *budget) error {
	layers, err := img.Layers()
	if err != nil {
		return &InputError{File: d.Target, Reason: "image layers", Err: err}
	}
	// The diff_ids come from the config, which verifyImage checked against
	// the manifest; a layer's own DiffID method may hash whatever blob is
	// there.
	cf, err := img.ConfigFile()
	if err != nil {
		return &InputError{File: d.Target, Reason: "image config", Err: err}
	}
	if len(cf.RootFS.DiffIDs) != len(layers) {
		return &InputError{File: d.Target, Reason: fmt.Sprintf("config lists %d layers, the manifest %d", len(cf.RootFS.DiffIDs), len(layers))}
	}
	store, err := newBlobStore(b.tempDir)
	if err != nil {
		return err
	}
	d.closers = append(d.closers, store)
	for i, layer := range layers {
		if err := ctx.Err(); err != nil {
			return err
		}
		digest, err := layer.Digest()
		if err != nil {
			return &InputError{File: d.Target, Entry: fmt.Sprintf("layer %d", i+1), Reason: "layer digest", Err: err}
		}
		origin := Origin{Kind: OriginImageLayer, Index: i + 1, Name: d.Target, Digest: digest.String()}
		d.Origins = append(d.Origins, origin)
		d.sources[origin] = d.Target
		if err := applyLayer(ctx, d, layer, cf.RootFS.DiffIDs[i], origin, store, b); err != nil {
			return err
		}
	}
	return nil
}

func applyLayer(ctx context.Context, d *Deployment, layer v1.Layer, diffID v1.Hash, origin Origin, store *blobStore, b *budget) error {
	file := d.Target + "!/" + origin.Digest
	shared := &origin
	ls, err := openLayerStream(ctx, layer, b, d.Target, origin.Digest)
	if err != nil {
		return &InputError{File: d.Target, Entry: origin.Digest, Reason: "unreadable layer", Err: err}
	}
	defer ls.Close()
	// The uncompressed stream is hashed as it is read and checked against
	// the diff_id the (verified) config lists for this layer.
	h := sha256.New()
	stream := io.TeeReader(ls, h)
	tr := tar.NewReader(stream)
	var entries []layerEntry
	var whiteouts, opaque []string
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return ls.why(&InputError{File: file, Reason: "corrupt layer tar", Err: err})
		}
		name, err := cleanEntryName(hdr.Name)
		if err != nil {
			return &InputError{File: file, Entry: hdr.Name, Reason: err.Error()}
		}
		if name == "." {
			continue
		}
		if err := b.entry(file, hdr.Name); err != nil {
			return err
		}
		p := "/" + name
		base := path.Base(p)
		switch {
		case base == whiteoutOpaque:
			opaque = append(opaque, path.Dir(p))
			continue
		case strings.HasPrefix(base, whiteoutPrefix):
			// ".wh.", ".wh.." and ".wh..." name no file: joined to their
			// directory they would delete the directory itself, its parent
			// or the root. containerd refuses them as invalid whiteouts.
			switch target := strings.TrimPrefix(base, whiteoutPrefix); target {
			case "", ".", "..":
				return &InputError{File: file, Entry: hdr.Name, Reason: fmt.Sprintf("invalid whiteout: it names %q, not a file", target)}
			default:
				whiteouts = append(whiteouts, path.Join(path.Dir(p), target))
			}
			continue
		}
		f := &File{Path: p, Mode: hdr.FileInfo().Mode(), Size: hdr.Size, origin: shared,
			src: nameOnly{name: hdr.Name, mtime: hdr.ModTime}}
		switch hdr.Typeflag {
		case tar.TypeDir:
			entries = append(entries, layerEntry{file: f, dir: true})
		case tar.TypeReg:
			if err := b.bytes(file, hdr.Name, hdr.Size); err != nil {
				return err
			}
			off, n, err := store.put(tr)
			if err != nil {
				return ls.why(&InputError{File: file, Entry: hdr.Name, Reason: "corrupt layer tar", Err: err})
			}
			f.src = blob{s: store, off: off, n: n, name: hdr.Name, mtime: hdr.ModTime}
			entries = append(entries, layerEntry{file: f})
		case tar.TypeSymlink:
			f.Mode = fs.ModeSymlink | 0o777
			f.LinkTarget = hdr.Linkname
			entries = append(entries, layerEntry{file: f})
		case tar.TypeLink:
			target, err := cleanEntryName(hdr.Linkname)
			if err != nil {
				return &InputError{File: file, Entry: hdr.Name, Reason: "hard link: " + err.Error()}
			}
			f.LinkTarget = "/" + target // resolved below, once this layer's files are in
			entries = append(entries, layerEntry{file: f})
		default:
			// devices, fifos: no code is loaded from them
		}
	}
	if _, err := io.Copy(io.Discard, stream); err != nil { // tar padding after the end marker
		return ls.why(&InputError{File: file, Reason: "corrupt layer", Err: err})
	}
	if diffID.Algorithm != "sha256" || hex.EncodeToString(h.Sum(nil)) != diffID.Hex {
		return &InputError{File: file, Reason: fmt.Sprintf("layer content does not match its diff_id %s", diffID)}
	}
	for _, p := range whiteouts {
		d.view.remove(p)
	}
	for _, p := range opaque {
		d.view.clearDir(p)
	}
	for _, e := range entries {
		if e.dir {
			if err := d.view.addDir(e.file.Path, origin, e.file.Entry(), file); err != nil {
				return err
			}
			continue
		}
		if err := d.view.addFile(e.file, file); err != nil {
			return err
		}
	}
	return resolveHardLinks(d, entries, file)
}

// resolveHardLinks gives each hard link of a layer its target's content. A
// hard link names a file by its path in the image, which must already exist
// as a regular file.
func resolveHardLinks(d *Deployment, entries []layerEntry, file string) error {
	for _, e := range entries {
		f := e.file
		if e.dir || f.IsSymlink() || f.LinkTarget == "" {
			continue
		}
		if _, pending := f.src.(nameOnly); !pending {
			continue
		}
		target, ok := d.view.files[f.LinkTarget]
		if !ok || target.IsSymlink() || !target.Mode.IsRegular() {
			return &InputError{File: file, Entry: f.Entry(), Reason: fmt.Sprintf("hard link to missing file %s", f.LinkTarget)}
		}
		f.src, f.Size, f.LinkTarget = hardLink{source: target.src, name: f.Entry()}, target.Size, ""
	}
	return nil
}

// untarLayout extracts an oci-archive (a tar of an OCI image layout) into
// dir, which the caller made private: only regular files and directories,
// names checked like zip entries, sizes charged to the budget.
func untarLayout(ctx context.Context, archive, dir string, b *budget) error {
	f, err := os.Open(archive)
	if err != nil {
		return fmt.Errorf("open %s: %w", archive, err)
	}
	defer f.Close()
	tr := tar.NewReader(&ctxReader{ctx: ctx, r: f})
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s: %w", archive, err)
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("%s: %w", archive, ctx.Err())
			}
			return &InputError{File: archive, Reason: "not a readable oci-archive tarball", Err: err}
		}
		name, err := cleanEntryName(hdr.Name)
		if err != nil {
			return &InputError{File: archive, Entry: hdr.Name, Reason: err.Error()}
		}
		if err := b.entry(archive, hdr.Name); err != nil {
			return err
		}
		dest := path.Join(dir, name)
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(dest, 0o700); err != nil {
				return fmt.Errorf("extract %s: %w", hdr.Name, err)
			}
		case tar.TypeReg:
			if err := b.bytes(archive, hdr.Name, hdr.Size); err != nil {
				return err
			}
			if err := writeFile(dest, tr); err != nil {
				if ctx.Err() != nil {
					return fmt.Errorf("%s: %w", archive, ctx.Err())
				}
				return fmt.Errorf("extract %s: entry %q: %w", archive, hdr.Name, err)
			}
		default:
			return &InputError{File: archive, Entry: hdr.Name, Reason: "unexpected entry type in an OCI layout"}
		}
	}
}

func writeFile(dest string, r io.Reader) error {
	if err := os.MkdirAll(path.Dir(dest), 0o700); err != nil {
		return err
	}
	out, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
