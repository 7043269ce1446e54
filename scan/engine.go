package scan

import (
	"context"
	"sync"

	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/provenance"
	"github.com/fnaudit/fnaudit/sbom"
)

// Engine runs scans. Open one per process and share it: Scan is safe for
// concurrent use.
type Engine struct {
	cfg Config

	mu     sync.Mutex
	cur    *storeRef // nil when opened without a database (see store.go)
	closed bool
}

// Open opens the engine: the advisory database when cfg.DBPath is set, and
// the shared set-up every scan would otherwise pay for (syft's license
// scanner is built in the background from here; the Sigstore trusted root
// is parsed on first use, once).
func Open(ctx context.Context, cfg Config) (*Engine, error) {
	sbom.Preload()
	e := &Engine{cfg: cfg}
	if cfg.DBPath != "" {
		store, err := feeds.Open(cfg.DBPath)
		if err != nil {
			// feeds' error names the file and gives the advice, once.
			return nil, err
		}
		e.cur = &storeRef{store: store}
	}
	return e, nil
}

// Close releases the database (when the scans still running on it end).
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	var err error
	if r := e.cur; r != nil {
		r.retired = true
		if r.users == 0 {
			err = r.store.Close()
		}
	}
	return err
}

// Store is the advisory database the engine matches against now (nil when
// it was opened without one). A registry lookup that saved a snapshot
// replaces it.
func (e *Engine) Store() *feeds.Store {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cur == nil {
		return nil
	}
	return e.cur.store
}

// trustedRoot is the embedded Sigstore root, parsed once per process.
func trustedRoot() (provenance.Option, error) {
	tr, err := provenance.DefaultTrustedRoot()
	if err != nil {
		return nil, err
	}
	return provenance.WithTrustedMaterial(tr), nil
}
