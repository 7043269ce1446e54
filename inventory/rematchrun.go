package inventory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/match"
)

// Advisories is what a rematch needs from the advisory database
// (feeds.Store): the records of a package, its generation, and what changed
// since an earlier generation (an error wrapping ErrChangesUnknown when it
// cannot tell).
type Advisories interface {
	match.Source
	Generation() string
	ChangedNames(ctx context.Context, since string) ([]NameKey, error)
}

// ErrChangesUnknown: the advisory database cannot say what changed since a
// generation; the rematch falls back to a full one.
var ErrChangesUnknown = errors.New("changes since that generation unknown")

// Verdicts gives the gate's verdict (Verdict*) for each finding, in order.
type Verdicts func([]match.Finding) []string

// RematchChange is what a rematch changed for one artifact.
type RematchChange struct {
	ArtifactDigest string
	Functions      []Function // still-deployed functions that carry it
	New            []FindingRow
	Fixed          []FindingRow
	// Reachability of each new Go finding by advisory id: the fact kept
	// for the binary at scan time, else ReachableUnknown.
	Reachability map[string]string
}

// RematchResult is a whole rematch.
type RematchResult struct {
	Generation string
	Full       bool      // every deployed artifact was re-matched
	FullReason string    // why a requested incremental rematch was full
	Changed    []NameKey // the package names an incremental rematch looked at
	Artifacts  int       // artifacts re-matched (findings replaced, or found unchanged)
	Changes    []RematchChange
}

// Rematch re-matches the stored packages of still-deployed versions against
// db and stores the new findings; it never opens an artifact. Incremental
// (full false): only the package names of advisory records changed since
// the generations the deployed artifacts were last matched against. Go
// findings get the reachability fact kept for their binary at scan time,
// or "unknown reachability" when none was kept.
func (s *Store) Rematch(ctx context.Context, db Advisories, full bool, verdicts Verdicts) (res RematchResult, err error) {
	res = RematchResult{Generation: db.Generation(), Full: full}
	if res.Generation == "" {
		return res, fmt.Errorf("rematch: the advisory database has no generation (import or update it first)")
	}
	if !full {
		changed, reason, err := s.changedSinceLastMatch(ctx, db)
		if err != nil {
			return res, err
		}
		if reason != "" {
			res.Full, res.FullReason = true, reason
		} else {
			res.Changed = changed
		}
	}
	src := newMemoSource(db)
	memo := newMatchMemo(src)
	reach := newReachCache(s)
	// Findings are written in batches of artifacts, one transaction each:
	// a commit per artifact (an fsync on SQLite) would cost more than the
	// matching on a large fleet, and one transaction for a full rematch
	// would hold the write lock for its whole length. A writer goroutine
	// stores each batch while the next is matched: on two cores the
	// matching then costs no wall time.
	w := s.startRematchWriter(ctx, &res)
	defer func() {
		// Every batch sent is stored (or the writer failed) before
		// Rematch returns.
		err = w.stop(err)
		slices.SortFunc(res.Changes, func(a, b RematchChange) int { return compareDigest(a.ArtifactDigest, b.ArtifactDigest) })
	}()
	var pending []pendingUpdate
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		us := make([]FindingsUpdate, len(pending))
		for i, p := range pending {
			us[i] = p.update
		}
		b, err := prepareBatch(us)
		if err != nil {
			return err
		}
		// The batch's stored findings are read here, while the writer
		// stores the one before; it reads again only what moved since.
		snap, err := s.readCurrent(ctx, s.db, b.digests, b.names)
		if err != nil {
			return fmt.Errorf("rematch: current findings: %w", err)
		}
		err = w.send(rematchBatch{pending, b, snap})
		pending = nil
		return err
	}
	update := func(a ArtifactPackages, scope []NameKey) error {
		fs, err := memo.match(ctx, a.Packages)
		if err != nil {
			return fmt.Errorf("rematch %s: %w", a.Digest, err)
		}
		r, err := reach.apply(ctx, fs)
		if err != nil {
			return err
		}
		pending = append(pending, pendingUpdate{FindingsUpdate{ArtifactDigest: a.Digest, Generation: res.Generation,
			Scope: scope, Findings: findingRowsOf(fs, verdicts(fs))}, r})
		if len(pending) >= rematchBatchSize {
			return flush()
		}
		return nil
	}
	if res.Full {
		// RematchPackages holds no query open while update writes.
		if err := s.RematchPackages(ctx, nil, func(a ArtifactPackages) error { return update(a, nil) }); err != nil {
			return res, err
		}
		return res, flush()
	}
	if len(res.Changed) == 0 {
		return res, nil
	}
	versions, err := s.PackageVersions(ctx, res.Changed)
	if err != nil {
		return res, err
	}
	// The scope is the changed names, the distribution packages built from
	// a changed source package and the npm packages loaded by a folder of
	// a changed name: their findings are the ones to redo.
	scope := slices.Clone(res.Changed)
	inScope := map[NameKey]bool{}
	for _, n := range scope {
		inScope[NameKey{n.Ecosystem, normalize(n.Ecosystem, n.Name)}] = true
	}
	for _, v := range versions {
		if k := (NameKey{v.Ecosystem, v.Name}); !inScope[k] {
			inScope[k] = true
			scope = append(scope, k)
		}
	}
	var hit []PackageVersion
	for _, v := range versions {
		fs, err := match.Match(ctx, src, []core.Package{{Ecosystem: v.Ecosystem, Name: v.Name, Version: v.Version, PURL: v.PURL,
			Alias: v.Alias, AliasDeclared: v.AliasDeclared}})
		if err != nil {
			return res, fmt.Errorf("rematch %s %s %s: %w", v.Ecosystem, v.Name, v.Version, err)
		}
		if len(fs) > 0 {
			hit = append(hit, v)
		}
	}
	var affected []ArtifactPackages
	if len(hit) > 0 {
		if err := s.AffectedPackages(ctx, hit, func(a ArtifactPackages) error { affected = append(affected, a); return nil }); err != nil {
			return res, err
		}
	}
	again, err := s.ArtifactsWithFindings(ctx, scope)
	if err != nil {
		return res, err
	}
	done := map[string]bool{}
	for _, a := range affected {
		done[a.Digest] = true
		if err := update(a, scope); err != nil {
			return res, err
		}
	}
	// Artifacts with findings on a changed name but no copy at a version
	// any record now affects: those findings are fixed (or withdrawn).
	for _, d := range again {
		if !done[d] {
			if err := update(ArtifactPackages{Digest: d}, scope); err != nil {
				return res, err
			}
		}
	}
	return res, flush()
}

func compareDigest(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// changedSinceLastMatch unions the names changed since each generation the
// deployed artifacts were matched against. reason is set when that cannot
// be told and everything must be re-matched.
func (s *Store) changedSinceLastMatch(ctx context.Context, db Advisories) (names []NameKey, reason string, err error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT DISTINCT COALESCE(a.current_generation, '') FROM artifacts a
		WHERE EXISTS (SELECT 1 FROM versions v WHERE v.artifact_digest = a.digest AND v.deployed = ?)`), true)
	if err != nil {
		return nil, "", fmt.Errorf("rematch: generations: %w", err)
	}
	var gens []string
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			rows.Close()
			return nil, "", fmt.Errorf("rematch: generations: %w", err)
		}
		gens = append(gens, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("rematch: generations: %w", err)
	}
	seen := map[NameKey]bool{}
	names = []NameKey{}
	for _, g := range gens {
		if g == "" {
			return nil, "some deployed artifacts were never matched", nil
		}
		if g == db.Generation() {
			continue
		}
		changed, err := db.ChangedNames(ctx, g)
		if errors.Is(err, ErrChangesUnknown) {
			return nil, "the advisory database cannot tell what changed since generation " + g, nil
		}
		if err != nil {
			return nil, "", fmt.Errorf("rematch: %w", err)
		}
		for _, n := range changed {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	return names, "", nil
}

// reachCache reads the reachability facts of each Go binary once per
// rematch: a binary's findings come back in every artifact that carries it.
type reachCache struct {
	s     *Store
	facts map[string]map[string]ReachabilityFact
}

func newReachCache(s *Store) *reachCache {
	return &reachCache{s: s, facts: map[string]map[string]ReachabilityFact{}}
}

// apply sets each Go finding's reachability from the facts kept for its
// binary, else unknown; returns it by advisory id.
func (c *reachCache) apply(ctx context.Context, fs []match.Finding) (map[string]string, error) {
	out := map[string]string{}
	for i := range fs {
		f := &fs[i]
		if f.Package.Ecosystem != core.EcosystemGo || len(f.IDs) == 0 {
			continue
		}
		key := GoBinaryKey(f.Package.Origin.Digest, f.Package.Path())
		facts, ok := c.facts[key]
		if !ok {
			var err error
			if facts, err = c.s.Reachability(ctx, key); err != nil {
				return nil, err
			}
			c.facts[key] = facts
		}
		f.Reachable, f.ReachableReason = match.ReachabilityUnknown, "unknown reachability: no fact kept for this binary and advisory; rematch does not read binaries"
		for _, id := range f.IDs {
			if fact, ok := facts[id]; ok {
				f.Reachable, f.ReachableSymbols = match.Reachability(fact.Reachable), fact.Symbols
				f.ReachableReason = "kept from the scan that read the binary"
				break
			}
		}
		out[f.IDs[0]] = string(f.Reachable)
	}
	return out, nil
}

// findingRowsOf turns match findings and their verdicts into stored rows.
func findingRowsOf(fs []match.Finding, verdicts []string) []FindingRow {
	if len(fs) == 0 {
		return nil
	}
	rows := make([]FindingRow, 0, len(fs))
	seen := make(map[findingKey]bool, len(fs))
	for i, f := range fs {
		if len(f.IDs) == 0 {
			continue
		}
		row := FindingRow{AdvisoryID: f.IDs[0], Aliases: aliasesOf(f.IDs[1:], f.Aliases), Kind: string(f.Kind),
			Severity: string(f.Severity), Ecosystem: f.Package.Ecosystem, Name: f.Package.Name,
			Version: f.Package.Version, Path: f.Package.Path(), Verdict: verdicts[i]}
		if k := keyOf(row); !seen[k] {
			seen[k] = true
			rows = append(rows, row)
		}
	}
	return rows
}

// rematchWriter stores a rematch's batches in a goroutine of its own, one
// transaction each, in the order sent. It alone touches the result's
// Artifacts and Changes until stop returns.
type rematchWriter struct {
	s    *Store
	ctx  context.Context
	res  *RematchResult
	in   chan rematchBatch
	done chan struct{}
	mu   sync.Mutex
	err  error
}

func (s *Store) startRematchWriter(ctx context.Context, res *RematchResult) *rematchWriter {
	w := &rematchWriter{s: s, ctx: ctx, res: res, in: make(chan rematchBatch, 1), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for batch := range w.in {
			if w.failed() != nil {
				continue // drain: the producer stops at its next send
			}
			if err := w.write(batch); err != nil {
				w.mu.Lock()
				w.err = err
				w.mu.Unlock()
			}
		}
	}()
	return w
}

func (w *rematchWriter) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// rematchBatch is a batch for the writer: the updates, checked, and their
// stored findings as read before the writing transaction.
type rematchBatch struct {
	pending []pendingUpdate
	batch   findingsBatch
	snap    currentState
}

// send queues a batch; it fails once the writer has.
func (w *rematchWriter) send(batch rematchBatch) error {
	if err := w.failed(); err != nil {
		return err
	}
	select {
	case w.in <- batch:
		return nil
	case <-w.ctx.Done():
		return w.ctx.Err()
	}
}

// stop waits until every batch sent is written, and returns err (the
// producer's) or else the writer's error.
func (w *rematchWriter) stop(err error) error {
	close(w.in)
	<-w.done
	if err != nil {
		return err
	}
	return w.failed()
}

// write stores one batch. An artifact whose findings did not change costs
// no row writes: only its generation moves (findings are intervals,
// findingsrows.go).
func (w *rematchWriter) write(rb rematchBatch) error {
	us, batch := rb.batch.updates, rb.pending
	w.res.Artifacts += len(batch)
	diffs, err := w.s.replaceBatch(w.ctx, rb.batch, &rb.snap)
	if err != nil {
		return err
	}
	var changed []string
	for i, d := range diffs {
		if len(d.New) > 0 || len(d.Fixed) > 0 {
			changed = append(changed, us[i].ArtifactDigest)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	fns, err := w.s.artifactsFunctions(w.ctx, changed, true)
	if err != nil {
		return fmt.Errorf("rematch: functions: %w", err)
	}
	for i, d := range diffs {
		noteChange(w.res, us[i].ArtifactDigest, fns[us[i].ArtifactDigest], d, batch[i].reach)
	}
	return nil
}

func noteChange(res *RematchResult, digest string, fns []Function, diff FindingsDiff, reach map[string]string) {
	if len(diff.New) == 0 && len(diff.Fixed) == 0 {
		return
	}
	c := RematchChange{ArtifactDigest: digest, Functions: fns, New: diff.New, Fixed: diff.Fixed, Reachability: map[string]string{}}
	for _, f := range diff.New {
		if r, ok := reach[f.AdvisoryID]; ok {
			c.Reachability[f.AdvisoryID] = r
		}
	}
	res.Changes = append(res.Changes, c)
}
