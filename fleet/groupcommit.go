package fleet

import (
	"context"
	"sync"

	"github.com/fnaudit/fnaudit/inventory"
)

// groupCommit records the functions a run handles at once in shared
// transactions. A re-run mostly re-matches unchanged functions, which takes
// milliseconds each, and a commit on the embedded store is a few fsyncs:
// one commit per function was most of the re-run's time. Records arriving
// while a commit is in flight wait and go into the next one together, so
// a lone record is never delayed and concurrent ones share a commit. Each
// caller still returns only once its record is committed.
type groupCommit struct {
	mu      sync.Mutex
	pending []*commitReq
	running bool
}

type commitReq struct {
	rec  inventory.ScanRecord
	err  error
	done chan struct{}
}

// record stores rec, sharing a transaction with the records of concurrent
// callers, and returns its own outcome.
func (g *groupCommit) record(ctx context.Context, store *inventory.Store, rec inventory.ScanRecord) error {
	r := &commitReq{rec: rec, done: make(chan struct{})}
	g.mu.Lock()
	g.pending = append(g.pending, r)
	lead := !g.running
	g.running = true
	g.mu.Unlock()
	if lead {
		g.commitAll(context.WithoutCancel(ctx), store)
	}
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		// The record may still be committed by the batch it joined; the run
		// key makes a later retry of it a no-op.
		return ctx.Err()
	}
}

// commitAll commits the waiting records in one transaction. The caller's
// own record is among them; records that arrived meanwhile are committed
// by another goroutine, so the caller returns as soon as its own is stored.
func (g *groupCommit) commitAll(ctx context.Context, store *inventory.Store) {
	g.mu.Lock()
	batch := g.pending
	g.pending = nil
	g.mu.Unlock()
	recs := make([]inventory.ScanRecord, len(batch))
	for i, r := range batch {
		recs[i] = r.rec
	}
	_, errs, err := store.RecordScans(ctx, recs)
	for i, r := range batch {
		r.err = err
		if err == nil {
			r.err = errs[i]
		}
		close(r.done)
	}
	g.mu.Lock()
	more := len(g.pending) > 0
	g.running = more
	g.mu.Unlock()
	if more {
		go g.commitAll(ctx, store)
	}
}
