package inventory

import (
	"context"
	"sync"

	"github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/match"
)

// rematchBatchSize is how many artifacts' findings one transaction of a
// rematch writes.
const rematchBatchSize = 1000

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

// matchMemo matches each distinct package once per rematch. A package's
// findings depend only on what match reads of it (ecosystem, name,
// version, the purl a distribution package names its source by, the
// folder name an npm package is loaded by), not
// on where it sits, and a fleet carries each version of a name in
// thousands of artifacts: a full rematch of 10,000 artifacts of 300
// packages matched three million copies of forty thousand packages.
type matchMemo struct {
	src match.Source
	m   map[matchKey][]match.Finding
}

type matchKey struct {
	ecosystem, name, version, purl, alias string
	aliasDeclared                         bool
}

func newMatchMemo(src match.Source) *matchMemo {
	return &matchMemo{src: src, m: map[matchKey][]match.Finding{}}
}

// match is match.Match over pkgs, each finding's Package being the copy
// in pkgs (its path and origin).
func (mm *matchMemo) match(ctx context.Context, pkgs []core.Package) ([]match.Finding, error) {
	var out []match.Finding
	for _, p := range pkgs {
		k := matchKey{p.Ecosystem, p.Name, p.Version, p.PURL, p.Alias, p.AliasDeclared}
		fs, ok := mm.m[k]
		if !ok {
			var err error
			if fs, err = match.Match(ctx, mm.src, []core.Package{p}); err != nil {
				return nil, err
			}
			mm.m[k] = fs
		}
		for _, f := range fs {
			f.Package = p
			out = append(out, f)
		}
	}
	return out, nil
}
