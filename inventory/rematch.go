package inventory

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
)

// DeployedArtifacts lists, sorted, the digests of the artifacts of every
// version still deployed: what a rematch re-matches.
func (s *Store) DeployedArtifacts(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT DISTINCT artifact_digest FROM versions WHERE deployed = ? ORDER BY artifact_digest`), true)
	if err != nil {
		return nil, fmt.Errorf("inventory: deployed artifacts: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("inventory: deployed artifacts: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ArtifactPackages is an artifact's packages as a rematch reads them.
type ArtifactPackages struct {
	Digest   string
	Packages []PackageRow
}

// RematchPackages calls fn, artifact by artifact in digest order, with the
// packages of still-deployed artifacts: only those named in names (an
// incremental rematch after the advisories naming them changed), or all of
// them when names is nil (--full). Artifacts with no such package are
// skipped. No query is open while fn runs, so fn may write to the store
// (ReplaceFindings).
func (s *Store) RematchPackages(ctx context.Context, names []NameKey, fn func(ArtifactPackages) error) error {
	if names != nil {
		return s.rematchNamed(ctx, names, fn)
	}
	digests, err := s.DeployedArtifacts(ctx)
	if err != nil {
		return err
	}
	// Chunks of artifacts: bounded memory on a full rematch of a large
	// fleet, and no read cursor held across fn.
	const per = 200
	for start := 0; start < len(digests); start += per {
		chunk := digests[start:min(len(digests), start+per)]
		in, args := inClause(chunk)
		got, err := s.readPackages(ctx, `p.artifact_digest IN `+in, args)
		if err != nil {
			return err
		}
		for _, a := range got {
			if err := fn(a); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Store) rematchNamed(ctx context.Context, names []NameKey, fn func(ArtifactPackages) error) error {
	sc := newScope(names)
	want, norms := sc.keys, sc.norms
	digests, err := s.DeployedArtifacts(ctx)
	if err != nil {
		return err
	}
	deployed := make(map[string]bool, len(digests))
	for _, d := range digests {
		deployed[d] = true
	}
	// The name index alone, no join and no ORDER BY: the deployed filter
	// and the order are cheaper here than in either database's plan.
	byDigest := map[string][]seqRow{}
	const per = 500
	for start := 0; start < len(norms); start += per {
		in, args := inClause(norms[start:min(len(norms), start+per)])
		err := s.scanPackages(ctx, `p.name_norm IN `+in, args, func(d string, seq int, p PackageRow) {
			if deployed[d] && want[NameKey{p.Ecosystem, normalize(p.Ecosystem, p.Name)}] {
				byDigest[d] = append(byDigest[d], seqRow{seq, p})
			}
		})
		if err != nil {
			return err
		}
	}
	return emitSorted(byDigest, fn)
}

// seqRow is a package row with its position in the artifact.
type seqRow struct {
	seq int
	p   PackageRow
}

// emitSorted calls fn per artifact in digest order, rows in recorded order.
func emitSorted(byDigest map[string][]seqRow, fn func(ArtifactPackages) error) error {
	keys := make([]string, 0, len(byDigest))
	for d := range byDigest {
		keys = append(keys, d)
	}
	slices.Sort(keys)
	for _, d := range keys {
		rows := byDigest[d]
		slices.SortFunc(rows, func(a, b seqRow) int { return a.seq - b.seq })
		a := ArtifactPackages{Digest: d, Packages: make([]PackageRow, len(rows))}
		for i, r := range rows {
			a.Packages[i] = r.p
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	return nil
}

// scanPackages calls fn for each package row matching where, unordered.
func (s *Store) scanPackages(ctx context.Context, where string, args []any, fn func(digest string, seq int, p PackageRow)) error {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT p.artifact_digest, p.seq, p.ecosystem, p.name, p.version, p.purl, p.path,
		p.origin_kind, p.origin_index, p.origin_digest, p.loaded, p.shadowed_by, p.evidence, p.alias, p.alias_declared
		FROM packages p WHERE `+where), args...)
	if err != nil {
		return fmt.Errorf("inventory: read packages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d string
		var seq int
		var p PackageRow
		if err := rows.Scan(&d, &seq, &p.Ecosystem, &p.Name, &p.Version, &p.PURL, &p.Path, &p.Origin.Kind, &p.Origin.Index,
			&p.Origin.Digest, &p.Loaded, &p.ShadowedBy, &p.Evidence, &p.Alias, &p.AliasDeclared); err != nil {
			return fmt.Errorf("inventory: read packages: %w", err)
		}
		fn(d, seq, p)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("inventory: read packages: %w", err)
	}
	return nil
}

// readPackages reads package rows matching where, grouped by artifact in
// digest order, each artifact's rows in their recorded order.
func (s *Store) readPackages(ctx context.Context, where string, args []any) ([]ArtifactPackages, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT p.artifact_digest, p.ecosystem, p.name, p.version, p.purl, p.path,
		p.origin_kind, p.origin_index, p.origin_digest, p.loaded, p.shadowed_by, p.evidence, p.alias, p.alias_declared
		FROM packages p WHERE `+where+` ORDER BY p.artifact_digest, p.seq`), args...)
	if err != nil {
		return nil, fmt.Errorf("inventory: read packages: %w", err)
	}
	defer rows.Close()
	var out []ArtifactPackages
	for rows.Next() {
		var d string
		var p PackageRow
		if err := rows.Scan(&d, &p.Ecosystem, &p.Name, &p.Version, &p.PURL, &p.Path, &p.Origin.Kind, &p.Origin.Index,
			&p.Origin.Digest, &p.Loaded, &p.ShadowedBy, &p.Evidence, &p.Alias, &p.AliasDeclared); err != nil {
			return nil, fmt.Errorf("inventory: read packages: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].Digest != d {
			out = append(out, ArtifactPackages{Digest: d})
		}
		out[len(out)-1].Packages = append(out[len(out)-1].Packages, p)
	}
	return out, rows.Err()
}

// ArtifactFindings returns an artifact's current findings and the
// generation they come from ("" and none when never matched).
func (s *Store) ArtifactFindings(ctx context.Context, digest string) (string, []FindingRow, error) {
	var gen *string
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT current_generation FROM artifacts WHERE digest = ?`), digest).Scan(&gen); err != nil {
		return "", nil, fmt.Errorf("inventory: artifact %s: %w", digest, err)
	}
	if gen == nil {
		return "", nil, nil
	}
	fs, err := s.readFindings(ctx, s.db, digest)
	if err != nil {
		return "", nil, fmt.Errorf("inventory: artifact %s: findings: %w", digest, err)
	}
	return *gen, fs, nil
}

// Reachability returns the reachable-symbol facts kept for a Go binary,
// by advisory id, so a rematch can reuse them without the binary.
func (s *Store) Reachability(ctx context.Context, binaryDigest string) (map[string]ReachabilityFact, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT advisory_id, reachable, symbols FROM reachability WHERE binary_digest = ?`), binaryDigest)
	if err != nil {
		return nil, fmt.Errorf("inventory: reachability of %s: %w", binaryDigest, err)
	}
	defer rows.Close()
	out := map[string]ReachabilityFact{}
	for rows.Next() {
		f := ReachabilityFact{BinaryDigest: binaryDigest}
		var sym string
		if err := rows.Scan(&f.AdvisoryID, &f.Reachable, &sym); err != nil {
			return nil, fmt.Errorf("inventory: reachability of %s: %w", binaryDigest, err)
		}
		if err := json.Unmarshal([]byte(sym), &f.Symbols); err != nil {
			return nil, fmt.Errorf("inventory: reachability of %s: advisory %s: symbols: %w", binaryDigest, f.AdvisoryID, err)
		}
		out[f.AdvisoryID] = f
	}
	return out, rows.Err()
}

// PutReachability stores reachable-symbol facts outside a scan (a rematch
// that ran govulncheck anew).
func (s *Store) PutReachability(ctx context.Context, facts []ReachabilityFact) error {
	rec := ScanRecord{Reachability: facts}
	for _, f := range rec.Reachability {
		if f.BinaryDigest == "" || f.AdvisoryID == "" ||
			!slices.Contains([]string{ReachableTrue, ReachableFalse, ReachableUnknown}, f.Reachable) {
			return fmt.Errorf("inventory: %w: reachability fact %+v", ErrInvalidRecord, f)
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("inventory: reachability: %w", err)
	}
	if err := s.putReachability(ctx, tx, facts); err != nil {
		tx.Rollback()
		return fmt.Errorf("inventory: reachability: %w", err)
	}
	return tx.Commit()
}

// PackageVersion is one version of a package name in one ecosystem.
type PackageVersion struct {
	Ecosystem string
	Name      string // normalised
	Version   string
	// PURL is set for a distribution package found by its source package
	// name: the matcher reads the source from it. Alias and AliasDeclared
	// are set for an npm package found by the folder name it is loaded by.
	PURL          string
	Alias         string
	AliasDeclared bool
}

// versionLookups are the names a stored package is selected by, each a
// query ending in "IN " and the scan of its row (the version, and the name
// it was selected by): its own name, the source package a distribution
// package is built from (with its purl, which the matcher reads the source
// from), the folder an npm package is loaded by. The "not empty" term lets both
// planners use the partial indexes; without it SQLite read the whole table.
var versionLookups = []struct {
	by, query string
	scan      func(*sql.Rows) (PackageVersion, string, error)
}{
	{"", `SELECT DISTINCT ecosystem, name_norm, version FROM packages WHERE name_norm IN `,
		func(r *sql.Rows) (v PackageVersion, name string, err error) {
			err = r.Scan(&v.Ecosystem, &v.Name, &v.Version)
			return v, v.Name, err
		}},
	{" by source", `SELECT DISTINCT ecosystem, source_norm, name_norm, version, purl FROM packages
		WHERE source_norm <> '' AND source_norm IN `,
		func(r *sql.Rows) (v PackageVersion, source string, err error) {
			err = r.Scan(&v.Ecosystem, &source, &v.Name, &v.Version, &v.PURL)
			return v, source, err
		}},
	{" by folder name", `SELECT DISTINCT ecosystem, alias_norm, name_norm, version, alias, alias_declared FROM packages
		WHERE alias_norm <> '' AND alias_norm IN `,
		func(r *sql.Rows) (v PackageVersion, folder string, err error) {
			err = r.Scan(&v.Ecosystem, &folder, &v.Name, &v.Version, &v.Alias, &v.AliasDeclared)
			return v, folder, err
		}},
}

// PackageVersions is an incremental rematch's first step: the distinct
// versions stored for these names (in any artifact, deployed or not),
// sorted, read from the name index alone, then the distribution packages
// built from a source package of these names (libssl3 for openssl), with
// their purls, and the npm packages loaded by a folder of these names. The caller matches these few tuples and asks
// AffectedPackages only for the versions an advisory hits.
func (s *Store) PackageVersions(ctx context.Context, names []NameKey) ([]PackageVersion, error) {
	sc := newScope(names)
	want, norms := sc.keys, sc.norms
	seen := map[PackageVersion]bool{}
	var out []PackageVersion
	const per = 500
	for start := 0; start < len(norms); start += per {
		in, args := inClause(norms[start:min(len(norms), start+per)])
		for _, l := range versionLookups {
			rows, err := s.db.QueryContext(ctx, s.q(l.query+in), args...)
			if err != nil {
				return nil, fmt.Errorf("inventory: package versions%s: %w", l.by, err)
			}
			for rows.Next() {
				v, name, err := l.scan(rows)
				if err != nil {
					rows.Close()
					return nil, fmt.Errorf("inventory: package versions%s: %w", l.by, err)
				}
				if want[NameKey{v.Ecosystem, name}] && !seen[v] {
					seen[v] = true
					out = append(out, v)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, fmt.Errorf("inventory: package versions%s: %w", l.by, err)
			}
		}
	}
	slices.SortFunc(out, func(a, b PackageVersion) int {
		return cmp.Or(cmp.Compare(a.Ecosystem, b.Ecosystem), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Version, b.Version),
			cmp.Compare(a.PURL, b.PURL), cmp.Compare(a.Alias, b.Alias))
	})
	return out, nil
}

// AffectedPackages calls fn, artifact by artifact in digest order, with the
// rows of still-deployed artifacts whose package is one of versions (the
// second step of an incremental rematch). No query is open while fn runs.
func (s *Store) AffectedPackages(ctx context.Context, versions []PackageVersion, fn func(ArtifactPackages) error) error {
	digests, err := s.DeployedArtifacts(ctx)
	if err != nil {
		return err
	}
	deployed := make(map[string]bool, len(digests))
	for _, d := range digests {
		deployed[d] = true
	}
	byDigest := map[string][]seqRow{}
	// Chunks of OR-ed equalities: both planners turn them into one index
	// probe each (SQLite's OR optimisation, PostgreSQL's BitmapOr), in one
	// round trip per chunk. Two readers at a time, on two connections:
	// this read is an incremental rematch's longest step before any
	// writing starts.
	const per = 200
	var chunks [][]PackageVersion
	for start := 0; start < len(versions); start += per {
		chunks = append(chunks, versions[start:min(len(versions), start+per)])
	}
	var mu sync.Mutex
	read := func(ctx context.Context, k int) error {
		var b strings.Builder
		args := make([]any, 0, 3*len(chunks[k]))
		for i, v := range chunks[k] {
			if i > 0 {
				b.WriteString(" OR ")
			}
			b.WriteString("(p.name_norm = ? AND p.ecosystem = ? AND p.version = ?)")
			args = append(args, normalize(v.Ecosystem, v.Name), v.Ecosystem, v.Version)
		}
		var got []seqRow
		var digests []string
		err := s.scanPackages(ctx, "("+b.String()+")", args, func(d string, seq int, p PackageRow) {
			if deployed[d] {
				got, digests = append(got, seqRow{seq, p}), append(digests, d)
			}
		})
		mu.Lock()
		for i, r := range got {
			byDigest[digests[i]] = append(byDigest[digests[i]], r)
		}
		mu.Unlock()
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(2)
	for k := range chunks {
		g.Go(func() error { return read(gctx, k) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return emitSorted(byDigest, fn)
}

// ArtifactsWithFindings lists, sorted, the still-deployed artifacts whose
// current findings name any of these packages: an incremental rematch
// must revisit them too, since a changed record may have fixed them.
func (s *Store) ArtifactsWithFindings(ctx context.Context, names []NameKey) ([]string, error) {
	sc := newScope(names)
	want, norms := sc.keys, sc.norms
	// Deployed artifacts are filtered here rather than by a subquery per
	// findings row.
	digests, err := s.DeployedArtifacts(ctx)
	if err != nil {
		return nil, err
	}
	deployed := make(map[string]bool, len(digests))
	for _, d := range digests {
		deployed[d] = true
	}
	set := map[string]bool{}
	const per = 500
	for start := 0; start < len(norms); start += per {
		in, args := inClause(norms[start:min(len(norms), start+per)])
		rows, err := s.db.QueryContext(ctx, s.q(`SELECT DISTINCT artifact_digest, ecosystem, name_norm FROM findings
			WHERE until_generation IS NULL AND name_norm IN `+in), args...)
		if err != nil {
			return nil, fmt.Errorf("inventory: artifacts with findings: %w", err)
		}
		for rows.Next() {
			var d, eco, norm string
			if err := rows.Scan(&d, &eco, &norm); err != nil {
				rows.Close()
				return nil, fmt.Errorf("inventory: artifacts with findings: %w", err)
			}
			if want[NameKey{eco, norm}] && deployed[d] {
				set[d] = true
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("inventory: artifacts with findings: %w", err)
		}
	}
	out := make([]string, 0, len(set))
	for d := range set {
		out = append(out, d)
	}
	slices.Sort(out)
	return out, nil
}
