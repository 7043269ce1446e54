package jsbundle

import (
	"bytes"
	"io"
	"io/fs"
)

// memFS is an FS over in-memory files, for the format tests.
type memFS map[string]string

func (m memFS) Paths() []string {
	var out []string
	for p := range m {
		out = append(out, p)
	}
	return out
}

func (m memFS) Size(p string) (int64, bool) {
	s, ok := m[p]
	return int64(len(s)), ok
}

func (m memFS) Open(p string) (io.ReadCloser, error) {
	s, ok := m[p]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
	}
	return io.NopCloser(bytes.NewReader([]byte(s))), nil
}
