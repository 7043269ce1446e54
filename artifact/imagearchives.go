package artifact

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"strings"
)

// checkImageArchives opens every archive (archiveExts: jars, wheels, zips,
// ...) of an image's final filesystem, as syft's catalogers will see it,
// and checks it as a zip target's nested archives are checked: it counts
// against --max-nested-archives, its entries against --max-entries and
// --max-path-depth, its sizes against the image size and --max-ratio, its
// own archives against --max-depth. Archives in an image are one level
// down, as in a function zip. One that is not a readable zip stops the
// read: "nested archives fail closed" holds for images too.
func checkImageArchives(ctx context.Context, d *Deployment, b *budget) error {
	for _, f := range d.Files() {
		if f.IsSymlink() || !f.Mode.IsRegular() || f.Size == 0 || !isArchiveName(f.Path) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		outer := d.Target + "!/" + f.Origin().Digest
		entry := f.Entry()
		if b.limits.MaxDepth < 1 {
			return &InputError{File: outer, Entry: entry,
				Reason: fmt.Sprintf("archives nested deeper than %d levels", b.limits.MaxDepth), Limit: "--max-depth"}
		}
		if err := b.nestedArchive(outer, entry); err != nil {
			return err
		}
		ra, ok := imageReaderAt(f)
		if !ok {
			return &InputError{File: outer, Entry: entry, Reason: "archive content is not in the image store"}
		}
		file := outer + "!/" + strings.TrimPrefix(entry, "/")
		zr, err := zip.NewReader(ra, f.Size)
		if err != nil {
			return &InputError{File: outer, Entry: entry, Reason: "nested archive is not a readable zip", Err: err}
		}
		if err := checkLocalNames(file, ra, f.Size, zr); err != nil {
			return err
		}
		if err := walkZip(b, file, zr, 1, nil); err != nil {
			return err
		}
	}
	return nil
}

// imageReaderAt is random access to an image file's content in the blob
// store (hard links share their target's).
func imageReaderAt(f *File) (io.ReaderAt, bool) {
	src := f.src
	if h, ok := src.(hardLink); ok {
		src = h.source
	}
	bl, ok := src.(blob)
	if !ok {
		return nil, false
	}
	return io.NewSectionReader(bl.s.f, bl.off, bl.n), true
}
