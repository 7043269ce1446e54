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

// match is match.Match over an artifact's package rows, each finding's
// Package being its copy (path and origin). Most packages have no
// findings: only those that do are turned into a core.Package, and the
// result is allocated once (findings are large structs, and a rematch
// handles a million copies).
func (mm *matchMemo) match(ctx context.Context, rows []PackageRow) ([]match.Finding, error) {
	var parts [][]match.Finding
	var owners []int
	total := 0
	for i, p := range rows {
		k := matchKey{p.Ecosystem, p.Name, p.Version, p.PURL, p.Alias, p.AliasDeclared}
		fs, ok := mm.m[k]
		if !ok {
			var err error
			if fs, err = match.Match(ctx, mm.src, []core.Package{p.CorePackage()}); err != nil {
				return nil, err
			}
			mm.m[k] = fs
		}
		if len(fs) > 0 {
			parts, owners = append(parts, fs), append(owners, i)
			total += len(fs)
		}
	}
	out := make([]match.Finding, 0, total)
	for j, fs := range parts {
		cp := rows[owners[j]].CorePackage()
		for _, f := range fs {
			f.Package = cp
			out = append(out, f)
		}
	}
	return out, nil
}
