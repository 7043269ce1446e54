package inventory

import (
	"context"
	"fmt"
	"strings"
)

// Findings are stored as intervals (schema v3): a row holds from the
// generation it was first found in (findings.generation) until the one
// that replaced or fixed it (until_generation, NULL while current). A new
// generation therefore writes only what changed. Copying every current row
// under each new generation, as v2 did, made a rematch after 500 changed
// records rewrite most of a fleet's findings. finding_ids holds the ids of
// current rows only.

// storedFinding is a current row: the finding and the generation it was
// first found in.
type storedFinding struct {
	FindingRow
	since string
}

// currentState is what the inventory holds now for some artifacts: the
// generation each was last matched against ("" when never matched), the
// revision of its findings, and its current findings.
type currentState struct {
	generation map[string]string
	rev        map[string]int64
	rows       map[string][]storedFinding
}

// readCurrent reads the current findings of these artifacts, only those on
// these normalised package names when names is not nil. Every digest must
// name a stored artifact.
func (s *Store) readCurrent(ctx context.Context, q querier, digests, names []string) (currentState, error) {
	st := currentState{generation: map[string]string{}, rev: map[string]int64{}, rows: map[string][]storedFinding{}}
	const per = 500
	for start := 0; start < len(digests); start += per {
		in, args := inClause(digests[start:min(len(digests), start+per)])
		// Revisions first, then rows: read outside a transaction, a write
		// in between shows as a newer revision (currentIn).
		if err := s.readRevisions(ctx, q, in, args, st); err != nil {
			return st, err
		}
		query := `SELECT artifact_digest, generation, advisory_id, aliases, kind, severity, ecosystem,
			name, version, path, verdict FROM findings WHERE until_generation IS NULL AND artifact_digest IN ` + in
		if names != nil {
			nin, nargs := inClause(names)
			query += ` AND name_norm IN ` + nin
			args = append(args, nargs...)
		}
		rows, err := q.QueryContext(ctx, s.q(query), args...)
		if err != nil {
			return st, err
		}
		for rows.Next() {
			var d, aliases string
			var f storedFinding
			if err := rows.Scan(&d, &f.since, &f.AdvisoryID, &aliases, &f.Kind, &f.Severity, &f.Ecosystem, &f.Name,
				&f.Version, &f.Path, &f.Verdict); err != nil {
				rows.Close()
				return st, err
			}
			f.Aliases = strings.Fields(aliases)
			st.rows[d] = append(st.rows[d], f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return st, err
		}
	}
	for _, d := range digests {
		if _, ok := st.generation[d]; !ok {
			return st, fmt.Errorf("no artifact %s in the inventory", d)
		}
	}
	return st, nil
}

// readRevisions reads the generation and findings revision of the
// artifacts in the IN clause in.
func (s *Store) readRevisions(ctx context.Context, q querier, in string, args []any, st currentState) error {
	rows, err := q.QueryContext(ctx, s.q(`SELECT digest, COALESCE(current_generation, ''), findings_rev FROM artifacts
		WHERE digest IN `+in), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var d, g string
		var rev int64
		if err := rows.Scan(&d, &g, &rev); err != nil {
			return err
		}
		st.generation[d], st.rev[d] = g, rev
	}
	return rows.Err()
}

// currentIn is readCurrent inside a writing transaction, starting from snap
// (read before it) when there is one: only the artifacts whose generation
// or findings revision moved since are read again. Every findings write
// bumps its artifact's revision in the same transaction.
func (s *Store) currentIn(ctx context.Context, tx querier, digests, names []string, snap *currentState) (currentState, error) {
	if snap == nil {
		return s.readCurrent(ctx, tx, digests, names)
	}
	now := currentState{generation: map[string]string{}, rev: map[string]int64{}}
	var moved []string
	const per = 500
	for start := 0; start < len(digests); start += per {
		in, args := inClause(digests[start:min(len(digests), start+per)])
		if err := s.readRevisions(ctx, tx, in, args, now); err != nil {
			return now, err
		}
	}
	for _, d := range digests {
		g, ok := now.generation[d]
		if !ok {
			return now, fmt.Errorf("no artifact %s in the inventory", d)
		}
		if sg, ok := snap.generation[d]; !ok || sg != g || snap.rev[d] != now.rev[d] {
			moved = append(moved, d)
		}
	}
	if len(moved) == 0 {
		return *snap, nil
	}
	again, err := s.readCurrent(ctx, tx, moved, names)
	if err != nil {
		return now, err
	}
	for _, d := range moved {
		snap.generation[d], snap.rev[d], snap.rows[d] = again.generation[d], again.rev[d], again.rows[d]
	}
	return *snap, nil
}

// readFindings returns an artifact's current findings, sorted.
func (s *Store) readFindings(ctx context.Context, q querier, artifact string) ([]FindingRow, error) {
	st, err := s.readCurrent(ctx, q, []string{artifact}, nil)
	if err != nil {
		return nil, err
	}
	out := make([]FindingRow, 0, len(st.rows[artifact]))
	for _, f := range st.rows[artifact] {
		out = append(out, f.FindingRow)
	}
	sortFindings(out)
	return out, nil
}

// findingsWrite is one artifact's move to a generation: the rows current
// before it and the findings current after it.
type findingsWrite struct {
	artifact string
	current  []storedFinding
	next     []FindingRow
}

// writeFindings makes generation current for these artifacts with their
// next findings, writing only the difference: rows no longer found are
// closed at generation (deleted when they were first found in it, so that
// rewriting one generation leaves no empty interval), rows newly found are
// inserted, rows found again are left alone. Every artifact's
// current_generation becomes generation.
func (s *Store) writeFindings(ctx context.Context, tx querier, generation string, ws []findingsWrite) error {
	var dropped, closed [][]any // primary keys of rows first found in generation, and of older ones
	var rows, ids [][]any
	digests := make([]string, 0, len(ws))
	var touched []string // artifacts whose rows change
	for _, w := range ws {
		digests = append(digests, w.artifact)
		before := len(rows) + len(dropped) + len(closed)
		have := make(map[string]bool, len(w.current))
		for _, c := range w.current {
			have[storedFindingKey(c.FindingRow)] = true
		}
		want := make(map[string]bool, len(w.next))
		for _, f := range w.next {
			k := storedFindingKey(f)
			want[k] = true
			if have[k] {
				continue
			}
			fk := keyOf(f)
			aliases := storedAliases(f.Aliases)
			rows = append(rows, []any{w.artifact, generation, fk.Ecosystem, fk.NameNorm, fk.Path, fk.AdvisoryID, f.Name,
				f.Version, strings.Join(aliases, " "), f.Kind, f.Severity, f.Verdict})
			for _, id := range storedAliases(append([]string{f.AdvisoryID}, aliases...)) {
				ids = append(ids, []any{w.artifact, fk.Path, fk.Ecosystem, fk.NameNorm, fk.AdvisoryID, id})
			}
		}
		for _, c := range w.current {
			if want[storedFindingKey(c.FindingRow)] {
				continue
			}
			k := keyOf(c.FindingRow)
			t := []any{w.artifact, c.since, k.Path, k.Ecosystem, k.NameNorm, k.AdvisoryID}
			if c.since == generation {
				dropped = append(dropped, t)
			} else {
				closed = append(closed, t)
			}
		}
		if len(rows)+len(dropped)+len(closed) > before {
			touched = append(touched, w.artifact)
		}
	}
	// Removals first: a finding whose fields changed is closed, then found
	// again as a new row. Each removal names its row by primary key: a
	// PostgreSQL plan for "generation = $1 AND (...) IN (VALUES ...)"
	// took seconds per batch.
	const pk = `(artifact_digest, generation, path, ecosystem, name_norm, advisory_id)`
	if err := s.execTuples(ctx, tx, `DELETE FROM findings WHERE `+pk+` IN `, nil, dropped); err != nil {
		return fmt.Errorf("drop findings: %w", err)
	}
	if err := s.execTuples(ctx, tx, `UPDATE findings SET until_generation = ? WHERE until_generation IS NULL AND `+pk+` IN `,
		[]any{generation}, closed); err != nil {
		return fmt.Errorf("close findings: %w", err)
	}
	var gone [][]any // artifact, path, ecosystem, name_norm, advisory_id
	for _, t := range append(dropped, closed...) {
		gone = append(gone, []any{t[0], t[2], t[3], t[4], t[5]})
	}
	if err := s.execTuples(ctx, tx, `DELETE FROM finding_ids WHERE (artifact_digest, path, ecosystem, name_norm, advisory_id) IN `, nil, gone); err != nil {
		return fmt.Errorf("drop finding ids: %w", err)
	}
	// A row closed earlier and first found in this same generation (a
	// database taken back to a generation it had before) is reopened.
	if err := s.insertRows(ctx, tx, "findings", []string{"artifact_digest", "generation", "ecosystem", "name_norm", "path",
		"advisory_id", "name", "version", "aliases", "kind", "severity", "verdict"}, rows,
		`ON CONFLICT (artifact_digest, generation, path, ecosystem, name_norm, advisory_id) DO UPDATE SET
		name = excluded.name, version = excluded.version, aliases = excluded.aliases, kind = excluded.kind,
		severity = excluded.severity, verdict = excluded.verdict, until_generation = NULL`); err != nil {
		return fmt.Errorf("insert findings: %w", err)
	}
	if err := s.insertRows(ctx, tx, "finding_ids", []string{"artifact_digest", "path", "ecosystem", "name_norm",
		"advisory_id", "id"}, ids, ""); err != nil {
		return fmt.Errorf("insert finding ids: %w", err)
	}
	const per = 500
	for start := 0; start < len(touched); start += per {
		in, args := inClause(touched[start:min(len(touched), start+per)])
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE artifacts SET findings_rev = findings_rev + 1 WHERE digest IN `+in), args...); err != nil {
			return fmt.Errorf("bump findings revision: %w", err)
		}
	}
	for start := 0; start < len(digests); start += per {
		in, args := inClause(digests[start:min(len(digests), start+per)])
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE artifacts SET current_generation = ? WHERE current_generation IS DISTINCT FROM ?
			AND digest IN `+in), append([]any{generation, generation}, args...)...); err != nil {
			return fmt.Errorf("set generation: %w", err)
		}
	}
	return nil
}

// execTuples runs head followed by "(VALUES (?, ...), ...)" over tuples, in
// chunks under both backends' parameter limits; lead are head's own
// arguments.
func (s *Store) execTuples(ctx context.Context, tx querier, head string, lead []any, tuples [][]any) error {
	if len(tuples) == 0 {
		return nil
	}
	return s.execChunked(ctx, tx, head+"(VALUES ", lead, tuples, ")")
}

// writeArtifactFindings is writeFindings for one artifact (a recorded scan).
func (s *Store) writeArtifactFindings(ctx context.Context, tx querier, artifact, generation string, fs []FindingRow) error {
	st, err := s.readCurrent(ctx, tx, []string{artifact}, nil)
	if err != nil {
		return err
	}
	return s.writeFindings(ctx, tx, generation, []findingsWrite{{artifact: artifact, current: st.rows[artifact], next: fs}})
}
