package scan

import (
	"fmt"

	"github.com/fnaudit/fnaudit/feeds"
)

// storeRef is one opened advisory database and the scans using it.
//
// A registry lookup (Request.CheckRegistry) saves its snapshot the way
// every database write does: a new file renamed over the old one. The
// engine's open Store keeps reading the old file (its connections are
// pinned to it), so it would go on serving the previous snapshot, and the
// next scan's conditional requests and offline assessment would miss the
// new answers. After a save the engine therefore opens the new file and
// swaps it in; scans already running finish on the store they started
// with, which is closed when the last of them releases it.
type storeRef struct {
	store   *feeds.Store
	users   int
	retired bool
}

// acquire returns the current store for one scan (nil when the engine has
// no database); release it when the scan is done.
func (e *Engine) acquire() *storeRef {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cur == nil {
		return nil
	}
	e.cur.users++
	return e.cur
}

func (e *Engine) release(r *storeRef) {
	if r == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	r.users--
	if r.retired && r.users == 0 {
		r.store.Close()
	}
}

// reopen opens the database file now at the engine's path and makes it the
// store of the scans that start from here on.
func (e *Engine) reopen() error {
	s, err := feeds.Open(e.cfg.DBPath)
	if err != nil {
		return fmt.Errorf("reopen the advisory database after saving the registry snapshot: %w", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		s.Close()
		return nil
	}
	old := e.cur
	e.cur = &storeRef{store: s}
	if old != nil {
		old.retired = true
		if old.users == 0 {
			old.store.Close()
		}
	}
	return nil
}
