package feeds

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// A scan is only as good as the advisories it matched against. A database
// that holds nothing for an ecosystem the artifact uses (an empty one, one
// built from the Go export only for an npm function), or whose advisories
// for it are old, must not let the gate pass: CheckCoverage is the check a
// scan makes before matching.

// ErrEmptyDatabase is matched (errors.Is) by the error of a database that
// holds no record at all.
var ErrEmptyDatabase = errors.New("advisory database holds no records")

// ErrNotCovered is matched (errors.Is) by a *CoverageError.
var ErrNotCovered = errors.New("advisory database has no advisories for an ecosystem in use")

// CoverageError names the ecosystems present in the SBOM for which the
// database holds no advisory data (block-list entries alone do not count).
type CoverageError struct {
	Path       string
	Ecosystems []string
}

func (e *CoverageError) Error() string {
	return fmt.Sprintf("advisory database %s has no advisories for %s, used by the scanned packages: run `fnaudit db update -e %s` (or `fnaudit db import` its OSV export) first",
		e.Path, strings.Join(e.Ecosystems, ", "), strings.Join(e.Ecosystems, " -e "))
}

// Is makes errors.Is(err, ErrNotCovered) true.
func (e *CoverageError) Is(target error) bool { return target == ErrNotCovered }

func emptyError(path string) error {
	return fmt.Errorf("%w: %s is empty; run `fnaudit db update` or `fnaudit db import` with OSV records", ErrEmptyDatabase, path)
}

// EcosystemSource is one source's share of one ecosystem.
type EcosystemSource struct {
	Source  string    `json:"source"`
	Type    string    `json:"type"`
	Counts  Counts    `json:"counts"`
	Updated time.Time `json:"updated"` // last import of its data
	Checked time.Time `json:"checked"` // last time found current (updates' 304s included)
}

// EcosystemCoverage is what the database knows about one ecosystem (base
// name: "Debian" for "Debian:12"): how many records, from which sources,
// and how current they are.
type EcosystemCoverage struct {
	Ecosystem string `json:"ecosystem"`
	Counts    Counts `json:"counts"`
	// Covered: at least one advisory source (not a block list) provides
	// records for the ecosystem.
	Covered bool `json:"covered"`
	// Current is when the covering data was last updated or confirmed
	// (see coverageTime); zero when not covered.
	Current    time.Time         `json:"current,omitzero"`
	AgeSeconds int64             `json:"age_seconds"`
	Age        string            `json:"age"`
	Sources    []EcosystemSource `json:"sources"`
}

// sourceRow is a sources row with the update check note applied.
type sourceRow struct {
	sid              int64
	name, typ, eco   string
	updated, checked int64 // Unix seconds
}

// fresh is the last time the source's data was imported or confirmed.
func (r sourceRow) fresh() int64 { return max(r.updated, r.checked) }

// sourceTimes reads the sources, with the checked note of the current
// generation applied to the export sources it names.
func (s *Store) sourceTimes(ctx context.Context) (map[int64]sourceRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT sid, name, type, ecosystem, updated_at, checked_at FROM sources`)
	if err != nil {
		return nil, fmt.Errorf("read sources: %w", err)
	}
	defer rows.Close()
	note, haveNote := readChecked(s.path)
	haveNote = haveNote && note.Generation == s.generation
	out := map[int64]sourceRow{}
	for rows.Next() {
		var r sourceRow
		if err := rows.Scan(&r.sid, &r.name, &r.typ, &r.eco, &r.updated, &r.checked); err != nil {
			return nil, fmt.Errorf("read sources: %w", err)
		}
		if haveNote && r.typ == SourceExport && note.covers(r.name) {
			r.checked = max(r.checked, note.CheckedAt)
		}
		out[r.sid] = r
	}
	return out, rows.Err()
}

// coverageTime is how current an ecosystem's advisories are. Block lists
// never count. When an osv.dev export (or mirror) provides the ecosystem,
// its time rules, whatever files were imported since: a fresh folder of
// MAL- records does not make a ten-day-old export current. Otherwise the
// most recently imported file, folder or zip rules.
func coverageTime(srcs []sourceRow) (time.Time, bool) {
	var export, file int64
	for _, r := range srcs {
		switch r.typ {
		case SourceExport:
			export = max(export, r.fresh())
		case SourceBlockList:
		default:
			file = max(file, r.fresh())
		}
	}
	switch {
	case export > 0:
		return time.Unix(export, 0).UTC(), true
	case file > 0:
		return time.Unix(file, 0).UTC(), true
	}
	return time.Time{}, false
}

// Coverage describes every ecosystem the database holds records for,
// sorted by name; ages are computed at now.
func (s *Store) Coverage(ctx context.Context, now time.Time) ([]EcosystemCoverage, error) {
	srcs, err := s.sourceTimes(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `
		SELECT p.sid, r.kind, a.base, count(DISTINCT r.rid)
		FROM affected a JOIN records r ON r.rid = a.rid JOIN provides p ON p.rid = r.rid
		GROUP BY p.sid, r.kind, a.base`)
	if err != nil {
		return nil, fmt.Errorf("coverage: %w", err)
	}
	bySource := map[string]map[int64]*Counts{}
	for rows.Next() {
		var sid int64
		var kind, base string
		var n int
		if err := rows.Scan(&sid, &kind, &base, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("coverage: %w", err)
		}
		if bySource[base] == nil {
			bySource[base] = map[int64]*Counts{}
		}
		if bySource[base][sid] == nil {
			bySource[base][sid] = &Counts{}
		}
		bySource[base][sid].add(Kind(kind), n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("coverage: %w", err)
	}
	totals := map[string]*Counts{}
	rows, err = s.db.QueryContext(ctx, `
		SELECT r.kind, a.base, count(DISTINCT r.rid)
		FROM affected a JOIN records r ON r.rid = a.rid GROUP BY r.kind, a.base`)
	if err != nil {
		return nil, fmt.Errorf("coverage: %w", err)
	}
	for rows.Next() {
		var kind, base string
		var n int
		if err := rows.Scan(&kind, &base, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("coverage: %w", err)
		}
		if totals[base] == nil {
			totals[base] = &Counts{}
		}
		totals[base].add(Kind(kind), n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("coverage: %w", err)
	}

	out := make([]EcosystemCoverage, 0, len(totals))
	for base, c := range totals {
		ec := EcosystemCoverage{Ecosystem: base, Counts: *c, Sources: []EcosystemSource{}}
		var covering []sourceRow
		for sid, sc := range bySource[base] {
			r, ok := srcs[sid]
			if !ok {
				continue
			}
			if r.typ != SourceBlockList && sc.Vulnerability+sc.Malicious > 0 {
				covering = append(covering, r)
			}
			ec.Sources = append(ec.Sources, EcosystemSource{
				Source: r.name, Type: r.typ, Counts: *sc,
				Updated: time.Unix(r.updated, 0).UTC(), Checked: time.Unix(r.checked, 0).UTC(),
			})
		}
		sort.Slice(ec.Sources, func(i, j int) bool { return ec.Sources[i].Source < ec.Sources[j].Source })
		if t, ok := coverageTime(covering); ok {
			ec.Covered, ec.Current = true, t
			age := max(now.Sub(t), 0)
			ec.AgeSeconds, ec.Age = int64(age/time.Second), FormatAge(age)
		}
		out = append(out, ec)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ecosystem < out[j].Ecosystem })
	return out, nil
}

// CheckCoverage is the check a scan makes before matching: the ecosystems
// of the packages it is about to match (as the SBOM names them: "npm",
// "Debian:12"; duplicates and empty names are ignored) must each have
// advisory data in the database, current at now. It returns, in this
// order of precedence, one error of one line:
//
//   - ErrEmptyDatabase when the database holds no record at all (even
//     when ecosystems is empty: an empty database is never a pass);
//   - an error for an ecosystem name OSV does not know;
//   - a *CoverageError (ErrNotCovered) naming every ecosystem with no
//     advisory data: no record, or block-list entries only;
//   - a *StaleError (ErrStale) for the first ecosystem whose data is
//     older than maxAge (DefaultMaxAge when <= 0) or dated in the future.
//     This one alone may be accepted, by --db-validate-age=false.
//
// Block-list imports never make OSV data current (see coverageTime).
func (s *Store) CheckCoverage(ctx context.Context, ecosystems []string, now time.Time, maxAge time.Duration) error {
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM records`).Scan(&total); err != nil {
		return fmt.Errorf("advisory database %s: %w", s.path, err)
	}
	if total == 0 {
		return emptyError(s.path)
	}
	cov, err := s.Coverage(ctx, now)
	if err != nil {
		return fmt.Errorf("advisory database %s: %w", s.path, err)
	}
	byBase := map[string]EcosystemCoverage{}
	for _, c := range cov {
		byBase[c.Ecosystem] = c
	}
	seen := map[string]bool{}
	var bases, missing []string
	for _, e := range ecosystems {
		if strings.TrimSpace(e) == "" {
			continue
		}
		canon, err := CanonicalEcosystem(e)
		if err != nil {
			return fmt.Errorf("advisory coverage: %w", err)
		}
		base := baseEcosystem(canon)
		if seen[base] {
			continue
		}
		seen[base] = true
		bases = append(bases, base)
		if !byBase[base].Covered {
			missing = append(missing, base)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return &CoverageError{Path: s.path, Ecosystems: missing}
	}
	sort.Strings(bases)
	for _, base := range bases {
		if _, err := checkAge(s.path, base, byBase[base].Current, now, maxAge); err != nil {
			return err
		}
	}
	return nil
}
