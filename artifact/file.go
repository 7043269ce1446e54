package artifact

import (
	"errors"
	"io"
	"io/fs"
	"time"
)

// File is one entry of a deployment's merged filesystem view.
type File struct {
	// Path is absolute and clean, in the filesystem the runtime sees:
	// /var/task/... for function code, /opt/... for layers, image paths as is.
	Path string
	// Origin is the zip, directory or image layer the file came from.
	Origin Origin
	// Entry is the file's name inside its archive (or relative path in its
	// directory), as stored: what error messages name.
	Entry   string
	Mode    fs.FileMode // type bits and permissions
	Size    int64       // uncompressed size
	ModTime time.Time
	// LinkTarget is the target of a symlink, as stored.
	LinkTarget string

	open func() (io.ReadCloser, error)
}

// IsSymlink reports whether f is a symbolic link.
func (f *File) IsSymlink() bool { return f.Mode&fs.ModeSymlink != 0 }

// Open returns the file's content. For a zip entry only this entry is
// decompressed; nothing else is read. Reading past the declared size or a
// CRC mismatch is an error (archive/zip checks both).
func (f *File) Open() (io.ReadCloser, error) {
	if f.open == nil {
		return nil, errors.New("no content")
	}
	return f.open()
}
