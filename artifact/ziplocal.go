package artifact

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
)

// A zip names each entry twice: in the central directory at its end and in
// the local header before the entry's data. archive/zip (and so fnaudit's
// view) reads only the central directory, while streaming readers (Java's
// ZipInputStream, some unzip builds) read only the local headers. An entry
// whose two names differ is read as one file by fnaudit and as another by
// the runtime, so such a zip is refused, as Python's zipfile does.

const (
	localHeaderSig = 0x04034b50
	localHeaderLen = 30 // fixed part, before the name
	// localWindow is how much of the archive one read brings in: local
	// headers of small entries sit close together, so a window serves many.
	localWindow = 64 << 10
)

// checkLocalNames compares every entry's local header name with its central
// directory name, reading only the headers (no data is decompressed).
func checkLocalNames(file string, ra io.ReaderAt, size int64, zr *zip.Reader) error {
	type hdr struct {
		zf  *zip.File
		off int64
	}
	hdrs := make([]hdr, 0, len(zr.File))
	for _, zf := range zr.File {
		off, err := headerOffset(zf)
		if err != nil {
			return &InputError{File: file, Entry: shortName(zf.Name), Reason: "local header", Err: err}
		}
		hdrs = append(hdrs, hdr{zf, off})
	}
	// In file order, so the window moves forward only.
	sort.Slice(hdrs, func(i, j int) bool { return hdrs[i].off < hdrs[j].off })
	w := window{ra: ra, size: size}
	for _, h := range hdrs {
		fixed, err := w.at(h.off, localHeaderLen)
		if err != nil || binary.LittleEndian.Uint32(fixed) != localHeaderSig {
			return &InputError{File: file, Entry: shortName(h.zf.Name), Reason: "local header missing or damaged"}
		}
		nameLen := int(binary.LittleEndian.Uint16(fixed[26:]))
		name, err := w.at(h.off+localHeaderLen, nameLen)
		if err != nil {
			return &InputError{File: file, Entry: shortName(h.zf.Name), Reason: "local header name truncated"}
		}
		if !bytes.Equal(name, []byte(h.zf.Name)) {
			return &InputError{File: file, Entry: shortName(h.zf.Name),
				Reason: fmt.Sprintf("local header names the entry %q, the central directory %q", shortName(string(name)), shortName(h.zf.Name))}
		}
	}
	return nil
}

// headerOffset is where an entry's local header starts. archive/zip parses
// it from the central directory (zip64 extra included) but does not export
// it; DataOffset cannot be used instead, as it is computed from the local
// header's own lengths. Reading the field is covered by the tests, which
// fail if a Go release renames it.
func headerOffset(zf *zip.File) (int64, error) {
	f := reflect.ValueOf(zf).Elem().FieldByName("headerOffset")
	if !f.IsValid() || f.Kind() != reflect.Int64 {
		return 0, errors.New("this Go release's archive/zip has no headerOffset")
	}
	return f.Int(), nil
}

// window serves small reads from a buffered stretch of the archive.
type window struct {
	ra   io.ReaderAt
	size int64
	off  int64
	buf  []byte
}

func (w *window) at(off int64, n int) ([]byte, error) {
	if off < 0 || off+int64(n) > w.size {
		return nil, io.ErrUnexpectedEOF
	}
	if off >= w.off && off+int64(n) <= w.off+int64(len(w.buf)) {
		return w.buf[off-w.off : off-w.off+int64(n)], nil
	}
	want := max(n, localWindow)
	if rest := w.size - off; int64(want) > rest {
		want = int(rest)
	}
	if cap(w.buf) < want {
		w.buf = make([]byte, want)
	}
	w.buf = w.buf[:want]
	if _, err := w.ra.ReadAt(w.buf, off); err != nil && !(errors.Is(err, io.EOF) && want == int(w.size-off)) {
		w.buf = w.buf[:0]
		return nil, err
	}
	w.off = off
	return w.buf[:n], nil
}
