package fleet

import (
	"context"
	"errors"
	"sync"
)

// layerCache runs one fetch per key and hands its result to every caller,
// those that come later and those that wait meanwhile. A fetch that ended
// only because its caller's context ended is forgotten, so the next caller
// tries again instead of inheriting someone else's timeout.
type layerCache struct {
	mu sync.Mutex
	m  map[string]*layerEntry
}

type layerEntry struct {
	done chan struct{}
	file File
	err  error
}

func (c *layerCache) do(ctx context.Context, key string, fetch func(context.Context) (File, error)) (File, error) {
	for {
		c.mu.Lock()
		if c.m == nil {
			c.m = map[string]*layerEntry{}
		}
		e, found := c.m[key]
		if !found {
			e = &layerEntry{done: make(chan struct{})}
			c.m[key] = e
		}
		c.mu.Unlock()

		if !found {
			e.file, e.err = fetch(ctx)
			if e.err != nil && ctx.Err() != nil && (errors.Is(e.err, context.Canceled) || errors.Is(e.err, context.DeadlineExceeded)) {
				c.mu.Lock()
				delete(c.m, key)
				c.mu.Unlock()
			}
			close(e.done)
			return e.file, e.err
		}
		select {
		case <-ctx.Done():
			return File{}, ctx.Err()
		case <-e.done:
		}
		c.mu.Lock()
		current := c.m[key]
		c.mu.Unlock()
		if current != e {
			continue // the fetcher gave up on its own deadline: try ourselves
		}
		return e.file, e.err
	}
}
