package inventory

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
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
	want := map[NameKey]bool{}
	var norms []string
	for _, n := range names {
		k := NameKey{n.Ecosystem, normalize(n.Ecosystem, n.Name)}
		if !want[k] {
			want[k] = true
			norms = append(norms, k.Name)
		}
	}
	slices.Sort(norms)
	norms = slices.Compact(norms)
	var all []ArtifactPackages
	const per = 500
	for start := 0; start < len(norms); start += per {
		in, args := inClause(norms[start:min(len(norms), start+per)])
		args = append(args, true)
		got, err := s.readPackages(ctx, `p.name_norm IN `+in+
			` AND p.artifact_digest IN (SELECT artifact_digest FROM versions WHERE deployed = ?)`, args)
		if err != nil {
			return err
		}
		all = append(all, got...)
	}
	// Merge chunks (an artifact may appear in several), keep only the
	// wanted (ecosystem, name) pairs, order by digest.
	byDigest := map[string][]PackageRow{}
	for _, a := range all {
		for _, p := range a.Packages {
			if want[NameKey{p.Ecosystem, normalize(p.Ecosystem, p.Name)}] {
				byDigest[a.Digest] = append(byDigest[a.Digest], p)
			}
		}
	}
	for _, d := range slices.Sorted(func(yield func(string) bool) {
		for d := range byDigest {
			if !yield(d) {
				return
			}
		}
	}) {
		if err := fn(ArtifactPackages{Digest: d, Packages: byDigest[d]}); err != nil {
			return err
		}
	}
	return nil
}

// readPackages reads package rows matching where, grouped by artifact in
// digest order, each artifact's rows in their recorded order.
func (s *Store) readPackages(ctx context.Context, where string, args []any) ([]ArtifactPackages, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT p.artifact_digest, p.ecosystem, p.name, p.version, p.purl, p.path,
		p.origin_kind, p.origin_index, p.origin_digest, p.loaded, p.shadowed_by, p.evidence
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
			&p.Origin.Digest, &p.Loaded, &p.ShadowedBy, &p.Evidence); err != nil {
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
	fs, err := s.readFindings(ctx, s.db, digest, *gen)
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
