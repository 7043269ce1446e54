package inventory

import (
	"context"
	"sync"

	"github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/match"
)

// rematchBatch is how many artifacts' findings one transaction of a
// rematch writes.
const rematchBatch = 200

// pendingUpdate is an artifact's new findings waiting for its batch.
type pendingUpdate struct {
	update FindingsUpdate
	reach  map[string]string
}

// memoSource answers each (ecosystem, name) from the advisory database
// once per rematch. match.Match caches within one call, but a rematch
// calls it once per artifact, and a fleet's artifacts share most of their
// package names: a full rematch of 10,000 artifacts of 300 packages asks
// about a few thousand names three million times.
type memoSource struct {
	src match.Source
	mu  sync.Mutex
	m   map[NameKey][]*osvschema.Vulnerability
}

func newMemoSource(src match.Source) *memoSource {
	return &memoSource{src: src, m: map[NameKey][]*osvschema.Vulnerability{}}
}

func (c *memoSource) Lookup(ctx context.Context, ecosystem, name string) ([]*osvschema.Vulnerability, error) {
	k := NameKey{ecosystem, core.NormalizeName(ecosystem, name)}
	c.mu.Lock()
	recs, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return recs, nil
	}
	recs, err := c.src.Lookup(ctx, ecosystem, name)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.m[k] = recs
	c.mu.Unlock()
	return recs, nil
}
