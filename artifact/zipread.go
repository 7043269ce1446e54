package artifact

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

// maxLinkTarget bounds a symlink entry's content; PATH_MAX on Linux.
const maxLinkTarget = 4096

// spillAbove is the nested-archive size above which its bytes go to a file in
// the private temp directory instead of memory.
const spillAbove = 64 * mib

// archiveExts are the entry names opened as nested archives: what a JVM,
// Python (zipimport, wheels) or NuGet would open.
// The Java ones are those syft's Java archive cataloger opens (it also
// reads .sar, .nar, .jpi, .hpi, .kar, .far and .lpkg as jars), so none of them
// reaches syft unchecked.
var archiveExts = []string{".jar", ".war", ".ear", ".zip", ".whl", ".egg", ".nupkg", ".aar", ".par",
	".sar", ".nar", ".jpi", ".hpi", ".kar", ".far", ".lpkg"}

func isArchiveName(name string) bool {
	lower := strings.ToLower(name)
	for _, ext := range archiveExts {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
}

// cleanEntryName turns a stored entry name into a clean relative path, or
// says why it is refused. Backslashes are kept as name characters (Linux
// unzip does) but checked as separators too, so "..\x" is refused either way.
func cleanEntryName(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("empty entry name")
	}
	if strings.ContainsRune(name, 0) {
		return "", fmt.Errorf("NUL byte in entry name")
	}
	slashed := strings.ReplaceAll(name, `\`, "/")
	if strings.HasPrefix(slashed, "/") || (len(slashed) >= 2 && slashed[1] == ':') {
		return "", fmt.Errorf("absolute entry name")
	}
	for _, part := range strings.Split(slashed, "/") {
		if part == ".." {
			return "", fmt.Errorf("entry name escapes the archive (..)")
		}
	}
	return path.Clean(strings.TrimSuffix(name, "/")), nil
}

// zipEntry is one checked entry of a zip, handed to the caller of walkZip.
type zipEntry struct {
	zf   *zip.File
	name string // clean relative path
	dir  bool
	link string // symlink target, "" for other entries
}

// walkZip checks every entry of zr against the rules for hostile input and
// the budget, opens nested archives (depth+1) to check them the same way, and
// calls visit for each entry of zr itself (not of nested archives). file is
// the name used in messages ("f.zip", or "f.zip!/lib/a.jar" when nested).
func walkZip(b *budget, file string, zr *zip.Reader, depth int, visit func(zipEntry) error) error {
	seen := make(map[string]bool, len(zr.File))
	for _, zf := range zr.File {
		name, err := cleanEntryName(zf.Name)
		if err != nil {
			return &InputError{File: file, Entry: zf.Name, Reason: err.Error()}
		}
		if name == "." {
			continue // "./" lists the root itself
		}
		if err := b.entry(file, zf.Name); err != nil {
			return err
		}
		if seen[name] {
			return &InputError{File: file, Entry: zf.Name, Reason: "duplicate entry name"}
		}
		seen[name] = true
		if zf.Flags&0x1 != 0 {
			return &InputError{File: file, Entry: zf.Name, Reason: "encrypted entry"}
		}
		e := zipEntry{zf: zf, name: name, dir: zf.Mode().IsDir() || strings.HasSuffix(zf.Name, "/")}
		if !e.dir {
			if err := b.ratio(file, zf.Name, zf.CompressedSize64, zf.UncompressedSize64); err != nil {
				return err
			}
			if zf.UncompressedSize64 > 1<<62 {
				return &InputError{File: file, Entry: zf.Name, Reason: "impossible entry size"}
			}
			if err := b.bytes(file, zf.Name, int64(zf.UncompressedSize64)); err != nil {
				return err
			}
		}
		switch {
		case e.dir:
		case zf.Mode()&fs.ModeSymlink != 0:
			if e.link, err = readLinkEntry(zf); err != nil {
				return &InputError{File: file, Entry: zf.Name, Reason: "unreadable symlink", Err: err}
			}
		case isArchiveName(name) && zf.UncompressedSize64 > 0:
			if err := walkNested(b, file, zf, depth+1); err != nil {
				return err
			}
		}
		if visit != nil {
			if err := visit(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// readLinkEntry reads a symlink entry's target.
func readLinkEntry(zf *zip.File) (string, error) {
	if zf.UncompressedSize64 == 0 || zf.UncompressedSize64 > maxLinkTarget {
		return "", fmt.Errorf("target length %d", zf.UncompressedSize64)
	}
	rc, err := zf.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	buf, err := io.ReadAll(io.LimitReader(rc, maxLinkTarget+1))
	if err != nil {
		return "", err
	}
	if bytes.IndexByte(buf, 0) >= 0 {
		return "", fmt.Errorf("NUL byte in target")
	}
	return string(buf), nil
}

// walkNested opens an archive stored inside another and checks it like the
// outer one: an archive the scanner cannot read is one it cannot vouch for,
// so it stops the read rather than being skipped.
func walkNested(b *budget, outer string, zf *zip.File, depth int) error {
	file := outer + "!/" + strings.TrimPrefix(path.Clean(zf.Name), "/")
	if depth > b.limits.MaxDepth {
		return &InputError{File: outer, Entry: zf.Name,
			Reason: fmt.Sprintf("archives nested deeper than %d levels", b.limits.MaxDepth), Limit: "--max-depth"}
	}
	if err := b.nestedArchive(outer, zf.Name); err != nil {
		return err
	}
	ra, size, cleanup, err := readNested(zf, b.tempDir)
	if err != nil {
		return &InputError{File: outer, Entry: zf.Name, Reason: "unreadable nested archive", Err: err}
	}
	defer cleanup()
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return &InputError{File: outer, Entry: zf.Name, Reason: "nested archive is not a readable zip", Err: err}
	}
	if err := checkLocalNames(file, ra, size, zr); err != nil {
		return err
	}
	return walkZip(b, file, zr, depth, nil)
}

// readNested returns a nested archive's bytes for random access: in memory,
// or in a file of the private temp directory when large.
func readNested(zf *zip.File, tempDir string) (io.ReaderAt, int64, func(), error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, 0, nil, err
	}
	defer rc.Close()
	size := int64(zf.UncompressedSize64)
	if size <= spillAbove {
		buf := make([]byte, size)
		if _, err := io.ReadFull(rc, buf); err != nil {
			return nil, 0, nil, err
		}
		return bytes.NewReader(buf), size, func() {}, nil
	}
	tmp, err := os.CreateTemp(tempDir, "nested-*.zip")
	if err != nil {
		return nil, 0, nil, err
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	if _, err := io.Copy(tmp, rc); err != nil {
		cleanup()
		return nil, 0, nil, err
	}
	return tmp, size, cleanup, nil
}
