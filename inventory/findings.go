package inventory

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// findingKey is what makes two findings the same one across generations:
// the package (by path and normalised name) and the advisory.
type findingKey struct {
	Path, Ecosystem, NameNorm, AdvisoryID string
}

func keyOf(f FindingRow) findingKey {
	return findingKey{f.Path, f.Ecosystem, normalize(f.Ecosystem, f.Name), f.AdvisoryID}
}

// storedFindingKey is every stored field of a finding, aliases as stored.
func storedFindingKey(f FindingRow) string {
	k := keyOf(f)
	aliases := storedAliases(f.Aliases)
	return strings.Join([]string{k.Path, k.Ecosystem, k.NameNorm, k.AdvisoryID, f.Name, f.Version,
		strings.Join(aliases, " "), f.Kind, f.Severity, f.Verdict}, "\x00")
}

// storedAliases are aliases as stored: sorted, once each.
func storedAliases(a []string) []string { return slices.Compact(slices.Sorted(slices.Values(a))) }

func sortFindings(fs []FindingRow) {
	slices.SortFunc(fs, func(a, b FindingRow) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Ecosystem, b.Ecosystem),
			cmp.Compare(a.Name, b.Name), cmp.Compare(a.Version, b.Version), cmp.Compare(a.AdvisoryID, b.AdvisoryID))
	})
}

// NameKey is a package name in one ecosystem, the unit an incremental
// rematch is scoped by.
type NameKey struct {
	Ecosystem string
	Name      string // normalised or not: it is normalised here
}

// FindingsUpdate is a rematch's result for one artifact.
type FindingsUpdate struct {
	ArtifactDigest string
	Generation     string // the advisory database generation matched against
	// Scope limits the update to these package names (an incremental
	// rematch): the previous findings on other packages are carried into
	// the new generation unchanged. Nil means every package (--full).
	Scope    []NameKey
	Findings []FindingRow // the new findings (within Scope when set)
}

// FindingsDiff compares an artifact's new findings with its previous
// generation's, by (package path, package name, advisory id).
type FindingsDiff struct {
	PreviousGeneration string // "" when the artifact had never been matched
	New                []FindingRow
	Fixed              []FindingRow
}

// ReplaceFindings stores an artifact's findings for a new advisory database
// generation in one transaction, makes it the artifact's current
// generation, and returns what is new and what was fixed.
func (s *Store) ReplaceFindings(ctx context.Context, u FindingsUpdate) (FindingsDiff, error) {
	d, err := s.ReplaceFindingsAll(ctx, []FindingsUpdate{u})
	if err != nil {
		return FindingsDiff{}, err
	}
	return d[0], nil
}

// ReplaceFindingsAll is ReplaceFindings for many artifacts in one
// transaction: a rematch's results land whole, and with one commit instead
// of one per artifact (thousands after a popular package changes). The
// diffs are in the order of updates.
func (s *Store) ReplaceFindingsAll(ctx context.Context, updates []FindingsUpdate) ([]FindingsDiff, error) {
	b, err := prepareBatch(updates)
	if err != nil {
		return nil, err
	}
	return s.replaceBatch(ctx, b, nil)
}

// findingsBatch is a checked ReplaceFindingsAll call.
type findingsBatch struct {
	updates []FindingsUpdate
	scopes  []*scope // per update; nil: every package
	digests []string // sorted
	// names limits the rows read to the scope's names when every update
	// shares one scope (rows outside a scope stay as they are); nil: all.
	names []string
}

func prepareBatch(updates []FindingsUpdate) (findingsBatch, error) {
	b := findingsBatch{updates: updates, scopes: make([]*scope, len(updates))}
	built := map[*NameKey]*scope{} // a rematch passes one Scope slice to every update
	for i, u := range updates {
		if u.ArtifactDigest == "" || u.Generation == "" {
			return b, fmt.Errorf("replace findings: %w: artifact digest and generation are required", ErrInvalidRecord)
		}
		if err := validateFindings(u.Findings); err != nil {
			return b, fmt.Errorf("replace findings of %s: %w", u.ArtifactDigest, err)
		}
		if u.Scope != nil {
			var first *NameKey
			if len(u.Scope) > 0 {
				first = &u.Scope[0]
			}
			sc, ok := built[first]
			if !ok || sc.n != len(u.Scope) {
				sc = newScope(u.Scope)
				built[first] = sc
			}
			b.scopes[i] = sc
			for _, f := range u.Findings {
				if !sc.has(f) {
					return b, fmt.Errorf("replace findings of %s: %w: finding %s on %s/%s is outside the update's scope",
						u.ArtifactDigest, ErrInvalidRecord, f.AdvisoryID, f.Ecosystem, f.Name)
				}
			}
		}
		b.digests = append(b.digests, u.ArtifactDigest)
	}
	// Locks in digest order: two batches never wait on each other in turn.
	slices.Sort(b.digests)
	for i := 1; i < len(b.digests); i++ {
		if b.digests[i] == b.digests[i-1] {
			return b, fmt.Errorf("replace findings: %w: artifact %s listed twice", ErrInvalidRecord, b.digests[i])
		}
	}
	if len(updates) == 0 {
		return b, nil
	}
	if sc := b.scopes[0]; sc != nil && len(sc.norms) <= 10000 && !slices.ContainsFunc(b.scopes, func(o *scope) bool { return o != sc }) {
		b.names = sc.norms
	}
	return b, nil
}

// replaceBatch writes a batch in one transaction. snap, when not nil, is
// the batch's current findings read before the transaction (a rematch
// reads the next batch's while this one is written); artifacts written
// since then are read again inside it (revisions, findingsrows.go).
func (s *Store) replaceBatch(ctx context.Context, b findingsBatch, snap *currentState) ([]FindingsDiff, error) {
	diffs := make([]FindingsDiff, len(b.updates))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		names := make([]string, len(b.digests))
		for i, d := range b.digests {
			names[i] = "artifact:" + d
		}
		if err := s.lockAll(ctx, tx, names); err != nil {
			return err
		}
		st, err := s.currentIn(ctx, tx, b.digests, b.names, snap)
		if err != nil {
			return err
		}
		// One write per generation: a batch is normally all of one.
		byGen := map[string][]findingsWrite{}
		var gens []string
		for i, u := range b.updates {
			var cur []storedFinding
			for _, c := range st.rows[u.ArtifactDigest] {
				if b.scopes[i].has(c.FindingRow) {
					cur = append(cur, c)
				}
			}
			w := findingsWrite{artifact: u.ArtifactDigest, current: cur, next: u.Findings}
			prev := make([]FindingRow, len(cur))
			for j, c := range cur {
				prev[j] = c.FindingRow
			}
			diffs[i].PreviousGeneration = st.generation[u.ArtifactDigest]
			diffs[i].New, diffs[i].Fixed = diffFindings(prev, w.next)
			if _, ok := byGen[u.Generation]; !ok {
				gens = append(gens, u.Generation)
			}
			byGen[u.Generation] = append(byGen[u.Generation], w)
		}
		for _, g := range gens {
			if err := s.writeFindings(ctx, tx, g, byGen[g]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if len(b.digests) == 1 {
			return nil, fmt.Errorf("replace findings of %s: %s", b.digests[0], oneLine(err))
		}
		return nil, fmt.Errorf("replace findings of %d artifacts: %s", len(b.digests), oneLine(err))
	}
	return diffs, nil
}

// diffFindings returns the findings of next not in prev, and of prev not in next.
func diffFindings(prev, next []FindingRow) (added, fixed []FindingRow) {
	in := func(fs []FindingRow) map[findingKey]bool {
		m := make(map[findingKey]bool, len(fs))
		for _, f := range fs {
			m[keyOf(f)] = true
		}
		return m
	}
	p, n := in(prev), in(next)
	for _, f := range next {
		if !p[keyOf(f)] {
			added = append(added, f)
		}
	}
	for _, f := range prev {
		if !n[keyOf(f)] {
			fixed = append(fixed, f)
		}
	}
	sortFindings(added)
	sortFindings(fixed)
	return added, fixed
}

// scope is a FindingsUpdate's Scope as a set.
type scope struct {
	n     int // len(Scope)
	keys  map[NameKey]bool
	norms []string // the normalised names, sorted, once each
}

func newScope(names []NameKey) *scope {
	sc := &scope{n: len(names), keys: make(map[NameKey]bool, len(names))}
	for _, n := range names {
		k := NameKey{n.Ecosystem, normalize(n.Ecosystem, n.Name)}
		sc.keys[k] = true
		sc.norms = append(sc.norms, k.Name)
	}
	slices.Sort(sc.norms)
	sc.norms = slices.Compact(sc.norms)
	return sc
}

// has says whether f is within the scope (nil: every package is).
func (sc *scope) has(f FindingRow) bool {
	return sc == nil || sc.keys[NameKey{f.Ecosystem, normalize(f.Ecosystem, f.Name)}]
}
