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

// goBinaries keeps, from the cache, the content of each file that holds Go
// packages: reachability analysis needs the binary as a file, and writing
// these bytes spares inflating it from the zip a second time (80 ms of a
// 10 MB bootstrap, a sixth of a small scan). The cache's budget bounds them.
func (c *binaryCache) goBinaries(ps []Package) map[string][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out map[string][]byte
	for _, p := range ps {
		if p.Ecosystem != EcosystemGo {
			continue
		}
		if e, ok := c.entries[p.Path()]; ok && e.err == nil && e.data != nil {
			if out == nil {
				out = map[string][]byte{}
			}
			out[p.Path()] = e.data
		}
	}
	return out
}

// GoBinary is the content of the Go binary at path when cataloging read it
// whole (it fit the binary cache); ok is false otherwise, and the caller
// reads it from the deployment.
func (s *SBOM) GoBinary(path string) (data []byte, ok bool) {
	data, ok = s.goBinaries[path]
	return data, ok
}
