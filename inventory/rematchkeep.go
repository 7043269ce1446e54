package inventory

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// A rematch re-matches every artifact that carries a changed name, but
// most changed records (new references, a reworded summary, ranges that
// miss the stored versions) leave an artifact's findings as they were.
// Copying such an artifact's findings under the new generation would cost
// as much as a real change, so the rematch compares first and, when
// nothing differs, only records that the artifact was matched against the
// new generation (artifacts.matched_generation; migration 2).

// currentFindings reads the current findings of these artifacts in one
// query: by digest, and whether the artifact was ever matched (a never
// matched one has no entry).
func (s *Store) currentFindings(ctx context.Context, digests []string) (map[string][]FindingRow, error) {
	in, args := inClause(digests)
	out := map[string][]FindingRow{}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT digest FROM artifacts WHERE current_generation IS NOT NULL AND digest IN `+in), args...)
	if err != nil {
		return nil, fmt.Errorf("inventory: current findings: %w", err)
	}
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			rows.Close()
			return nil, fmt.Errorf("inventory: current findings: %w", err)
		}
		out[d] = []FindingRow{}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inventory: current findings: %w", err)
	}
	rows, err = s.db.QueryContext(ctx, s.q(`SELECT f.artifact_digest, f.advisory_id, f.aliases, f.kind, f.severity, f.ecosystem, f.name,
		f.version, f.path, f.verdict FROM findings f JOIN artifacts a ON a.digest = f.artifact_digest AND a.current_generation = f.generation
		WHERE a.digest IN `+in), args...)
	if err != nil {
		return nil, fmt.Errorf("inventory: current findings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d, aliases string
		var f FindingRow
		if err := rows.Scan(&d, &f.AdvisoryID, &aliases, &f.Kind, &f.Severity, &f.Ecosystem, &f.Name, &f.Version, &f.Path, &f.Verdict); err != nil {
			return nil, fmt.Errorf("inventory: current findings: %w", err)
		}
		f.Aliases = strings.Fields(aliases)
		out[d] = append(out[d], f)
	}
	return out, rows.Err()
}

// sameFindings: the stored findings within scope (nil: all) are exactly
// next, field for field (verdict, severity and aliases included).
func sameFindings(stored []FindingRow, scope []NameKey, next []FindingRow) bool {
	var in map[NameKey]bool
	if scope != nil {
		in = make(map[NameKey]bool, len(scope))
		for _, n := range scope {
			in[NameKey{n.Ecosystem, normalize(n.Ecosystem, n.Name)}] = true
		}
	}
	var a []FindingRow
	for _, f := range stored {
		if in == nil || in[NameKey{f.Ecosystem, normalize(f.Ecosystem, f.Name)}] {
			a = append(a, canonicalFinding(f))
		}
	}
	if len(a) != len(next) {
		return false
	}
	b := make([]FindingRow, len(next))
	for i, f := range next {
		b[i] = canonicalFinding(f)
	}
	sortFindings(a)
	sortFindings(b)
	return slices.EqualFunc(a, b, func(x, y FindingRow) bool {
		return x.AdvisoryID == y.AdvisoryID && x.Kind == y.Kind && x.Severity == y.Severity && x.Ecosystem == y.Ecosystem &&
			x.Name == y.Name && x.Version == y.Version && x.Path == y.Path && x.Verdict == y.Verdict && slices.Equal(x.Aliases, y.Aliases)
	})
}

// canonicalFinding sorts and dedupes aliases as writeFindings stores them.
func canonicalFinding(f FindingRow) FindingRow {
	f.Aliases = slices.Compact(slices.Sorted(slices.Values(f.Aliases)))
	if len(f.Aliases) == 0 {
		f.Aliases = nil
	}
	return f
}

// markMatched records that these artifacts were matched against
// generation and their findings did not change.
func (s *Store) markMatched(ctx context.Context, digests []string, generation string) error {
	in, args := inClause(digests)
	if _, err := s.db.ExecContext(ctx, s.q(`UPDATE artifacts SET matched_generation = ? WHERE digest IN `+in),
		append([]any{generation}, args...)...); err != nil {
		return fmt.Errorf("inventory: mark %d artifacts matched: %w", len(digests), err)
	}
	return nil
}
