package sbom

import (
	"bytes"
	"io"
	"sync"
)

// binaryCacheBudget bounds the decompressed executables kept in memory.
const binaryCacheBudget = 64 << 20

// binaryCache keeps decompressed executables while cataloging. Half a dozen
// of syft's catalogers (Go, Rust, .NET, ELF notes, GraalVM, binary
// classifiers) each read every executable in full, and from a zip each read
// would inflate it again; from memory it is read once and handed out with
// random access, which spares the catalogers their own copy too.
type binaryCache struct {
	mu      sync.Mutex
	entries map[string]*cachedBinary
	used    int64
}

type cachedBinary struct {
	once sync.Once
	data []byte
	err  error
}

// get returns the content of the file at path through load, cached when it
// fits the budget; ok is false when it does not (the caller streams it).
func (c *binaryCache) get(path string, size int64, load func() (io.ReadCloser, error)) (io.ReadCloser, bool, error) {
	c.mu.Lock()
	e, found := c.entries[path]
	if !found {
		if c.used+size > binaryCacheBudget {
			c.mu.Unlock()
			return nil, false, nil
		}
		if c.entries == nil {
			c.entries = map[string]*cachedBinary{}
		}
		e = &cachedBinary{}
		c.entries[path] = e
		c.used += size
	}
	c.mu.Unlock()
	e.once.Do(func() {
		rc, err := load()
		if err != nil {
			e.err = err
			return
		}
		defer rc.Close()
		buf := bytes.NewBuffer(make([]byte, 0, size))
		_, e.err = buf.ReadFrom(rc)
		e.data = buf.Bytes()
	})
	if e.err != nil {
		return nil, true, e.err
	}
	return readSeekCloser{bytes.NewReader(e.data)}, true, nil
}

// readSeekCloser gives syft's union reader the io.ReaderAt and io.Seeker
// it looks for, so it reads in place instead of copying.
type readSeekCloser struct{ *bytes.Reader }

func (readSeekCloser) Close() error { return nil }
