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
	cfg   Config
	store *feeds.Store // nil when opened without a database

	closeOnce sync.Once
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
		e.store = store
	}
	return e, nil
}

// Close releases the database.
func (e *Engine) Close() error {
	var err error
	e.closeOnce.Do(func() {
		if e.store != nil {
			err = e.store.Close()
		}
	})
	return err
}

// Store is the advisory database the engine matches against (nil when it
// was opened without one).
func (e *Engine) Store() *feeds.Store { return e.store }

// trustedRoot is the embedded Sigstore root, parsed once per process.
func trustedRoot() (provenance.Option, error) {
	tr, err := provenance.DefaultTrustedRoot()
	if err != nil {
		return nil, err
	}
	return provenance.WithTrustedMaterial(tr), nil
}
