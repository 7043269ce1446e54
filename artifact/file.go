package artifact

import (
	"errors"
	"io"
	"io/fs"
	"time"
)

// File is one entry of a deployment's merged filesystem view. A 250 MB
// function holds tens of thousands of them, so a File keeps only what every
// entry needs; the rest is read from where it came from (the zip's central
// directory entry, the tar header, the directory) when asked.
type File struct {
	// Path is absolute and clean, in the filesystem the runtime sees:
	// /var/task/... for function code, /opt/... for layers, image paths as is.
	Path string
	Mode fs.FileMode // type bits and permissions
	Size int64       // uncompressed size
	// LinkTarget is the target of a symlink, as stored.
	LinkTarget string

	origin *Origin // shared by every file of one zip, directory or image layer
	src    source
}

// source is where a file's content and header details live.
type source interface {
	open() (io.ReadCloser, error)
	entry() string // the name inside its archive, or its relative path
	modTime() time.Time
}

// Origin is the zip, directory or image layer the file came from.
func (f *File) Origin() Origin { return *f.origin }

// Entry is the file's name inside its archive (or relative path in its
// directory), as stored: what error messages name.
func (f *File) Entry() string { return f.src.entry() }

// ModTime is the file's modification time as recorded.
func (f *File) ModTime() time.Time { return f.src.modTime() }

// IsSymlink reports whether f is a symbolic link.
func (f *File) IsSymlink() bool { return f.Mode&fs.ModeSymlink != 0 }

// Open returns the file's content. For a zip entry only this entry is
// decompressed; nothing else is read. Reading past the declared size or a
// CRC mismatch is an error (archive/zip checks both).
func (f *File) Open() (io.ReadCloser, error) {
	if f.IsSymlink() {
		return nil, errors.New("no content: a symlink")
	}
	return f.src.open()
}

// nameOnly is the source of an entry whose content is never read (symlinks,
// and directory entries handed to the view).
type nameOnly struct {
	name  string
	mtime time.Time
}

func (n nameOnly) open() (io.ReadCloser, error) { return nil, errors.New("no content") }
func (n nameOnly) entry() string                { return n.name }
func (n nameOnly) modTime() time.Time           { return n.mtime }
