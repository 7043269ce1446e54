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

// writeFindings replaces the findings of (artifact, generation) and makes
// that generation the artifact's current one. When that generation is
// already current with exactly these findings (an unchanged function
// re-matched against the same database, every fleet re-run), nothing is
// written: rewriting identical rows was most of a re-run's time.
func (s *Store) writeFindings(ctx context.Context, tx *sql.Tx, artifact, generation string, fs []FindingRow) error {
	same, err := s.findingsUnchanged(ctx, tx, artifact, generation, fs)
	if err != nil || same {
		return err
	}
	for _, table := range []string{"findings", "finding_ids"} {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM `+table+` WHERE artifact_digest = ? AND generation = ?`),
			artifact, generation); err != nil {
			return err
		}
	}
	rows := make([][]any, 0, len(fs))
	ids := make([][]any, 0, len(fs))
	for _, f := range fs {
		k := keyOf(f)
		aliases := slices.Clone(f.Aliases)
		slices.Sort(aliases)
		aliases = slices.Compact(aliases)
		rows = append(rows, []any{artifact, generation, k.Ecosystem, k.NameNorm, k.Path, k.AdvisoryID, f.Name, f.Version,
			strings.Join(aliases, " "), f.Kind, f.Severity, f.Verdict})
		for _, id := range slices.Compact(slices.Sorted(slices.Values(append([]string{f.AdvisoryID}, aliases...)))) {
			ids = append(ids, []any{id, artifact, generation, k.Path, k.Ecosystem, k.NameNorm, k.AdvisoryID})
		}
	}
	if err := s.insertRows(ctx, tx, "findings", []string{"artifact_digest", "generation", "ecosystem", "name_norm", "path",
		"advisory_id", "name", "version", "aliases", "kind", "severity", "verdict"}, rows, ""); err != nil {
		return err
	}
	if err := s.insertRows(ctx, tx, "finding_ids", []string{"id", "artifact_digest", "generation", "path", "ecosystem",
		"name_norm", "advisory_id"}, ids, ""); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, s.q(`UPDATE artifacts SET current_generation = ?, matched_generation = NULL WHERE digest = ?`), generation, artifact)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("no artifact %s in the inventory", artifact)
	}
	return nil
}

// findingsUnchanged says whether generation is the artifact's current one
// and its stored findings are exactly fs (compared as writeFindings would
// store them).
func (s *Store) findingsUnchanged(ctx context.Context, tx *sql.Tx, artifact, generation string, fs []FindingRow) (bool, error) {
	var cur sql.NullString
	if err := tx.QueryRowContext(ctx, s.q(`SELECT current_generation FROM artifacts WHERE digest = ?`), artifact).Scan(&cur); err != nil {
		if err == sql.ErrNoRows {
			return false, fmt.Errorf("no artifact %s in the inventory", artifact)
		}
		return false, err
	}
	if !cur.Valid || cur.String != generation {
		return false, nil
	}
	want := make([]string, 0, len(fs))
	for _, f := range fs {
		want = append(want, storedFindingKey(f))
	}
	got := make([]string, 0, len(fs))
	stored, err := s.readFindings(ctx, tx, artifact, generation)
	if err != nil {
		return false, err
	}
	for _, f := range stored {
		got = append(got, storedFindingKey(f))
	}
	slices.Sort(want)
	slices.Sort(got)
	return slices.Equal(want, got), nil
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

// readFindings returns the findings of (artifact, generation), sorted.
func (s *Store) readFindings(ctx context.Context, q querier, artifact, generation string) ([]FindingRow, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT advisory_id, aliases, kind, severity, ecosystem, name, version, path, verdict
		FROM findings WHERE artifact_digest = ? AND generation = ?`), artifact, generation)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []FindingRow
	for rows.Next() {
		var f FindingRow
		var aliases string
		if err := rows.Scan(&f.AdvisoryID, &aliases, &f.Kind, &f.Severity, &f.Ecosystem, &f.Name, &f.Version, &f.Path, &f.Verdict); err != nil {
			return nil, err
		}
		f.Aliases = strings.Fields(aliases)
		out = append(out, f)
	}
	sortFindings(out)
	return out, rows.Err()
}

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
	scopes := make([]func(FindingRow) bool, len(updates))
	var digests []string
	for i, u := range updates {
		if u.ArtifactDigest == "" || u.Generation == "" {
			return nil, fmt.Errorf("replace findings: %w: artifact digest and generation are required", ErrInvalidRecord)
		}
		if err := validateFindings(u.Findings); err != nil {
			return nil, fmt.Errorf("replace findings of %s: %w", u.ArtifactDigest, err)
		}
		scopes[i] = func(FindingRow) bool { return true }
		if u.Scope != nil {
			scope := map[NameKey]bool{}
			for _, n := range u.Scope {
				scope[NameKey{n.Ecosystem, normalize(n.Ecosystem, n.Name)}] = true
			}
			scopes[i] = func(f FindingRow) bool { return scope[NameKey{f.Ecosystem, normalize(f.Ecosystem, f.Name)}] }
			for _, f := range u.Findings {
				if !scopes[i](f) {
					return nil, fmt.Errorf("replace findings of %s: %w: finding %s on %s/%s is outside the update's scope",
						u.ArtifactDigest, ErrInvalidRecord, f.AdvisoryID, f.Ecosystem, f.Name)
				}
			}
		}
		digests = append(digests, u.ArtifactDigest)
	}
	// Locks in digest order: two batches never wait on each other in turn.
	slices.Sort(digests)
	digests = slices.Compact(digests)
	diffs := make([]FindingsDiff, len(updates))
	var failed string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, d := range digests {
			if err := s.lock(ctx, tx, "artifact:"+d); err != nil {
				return err
			}
		}
		for i, u := range updates {
			var err error
			if diffs[i], err = s.replaceOne(ctx, tx, u, scopes[i]); err != nil {
				failed = u.ArtifactDigest
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("replace findings of %s: %s", cmp.Or(failed, fmt.Sprintf("%d artifacts", len(digests))), oneLine(err))
	}
	return diffs, nil
}

func (s *Store) replaceOne(ctx context.Context, tx *sql.Tx, u FindingsUpdate, inScope func(FindingRow) bool) (FindingsDiff, error) {
	var diff FindingsDiff
	var prevGen sql.NullString
	if err := tx.QueryRowContext(ctx, s.q(`SELECT current_generation FROM artifacts WHERE digest = ?`),
		u.ArtifactDigest).Scan(&prevGen); err != nil {
		if err == sql.ErrNoRows {
			return diff, fmt.Errorf("no artifact %s in the inventory", u.ArtifactDigest)
		}
		return diff, err
	}
	var prev []FindingRow
	if prevGen.Valid {
		var err error
		if prev, err = s.readFindings(ctx, tx, u.ArtifactDigest, prevGen.String); err != nil {
			return diff, err
		}
	}
	diff.PreviousGeneration = prevGen.String
	next := slices.Clone(u.Findings)
	for _, f := range prev {
		if !inScope(f) {
			next = append(next, f)
		}
	}
	diff.New, diff.Fixed = diffFindings(prev, next)
	return diff, s.writeFindings(ctx, tx, u.ArtifactDigest, u.Generation, next)
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
