package inventory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Query is what `fnaudit investigate` asks: which function versions carry a
// package (by name, optionally narrowed by version) and/or a package an
// advisory was matched against.
type Query struct {
	Ecosystem string // "" for any ecosystem
	Name      string // package name, normalised here; "" to ask by advisory only
	// VersionFilter keeps a package version (an exact version or an
	// OSV/semver range evaluated by the caller); nil keeps all.
	VersionFilter func(version string) bool
	// AdvisoryIDs keeps packages whose current findings carry any of these
	// ids or aliases.
	AdvisoryIDs []string
	// NoProvenance keeps only versions whose provenance was not verified.
	NoProvenance bool
}

// Hit is one copy of the package in one function version.
type Hit struct {
	Function       Function
	VersionID      int64
	CodeSha256     string
	ImageDigest    string
	Deployed       bool // still deployed (the function's newest version)
	FirstSeen      time.Time
	LastSeen       time.Time
	Provenance     string
	ArtifactDigest string
	Package        PackageRow // path, origin (function or layer), loaded/shadowed
	Advisories     []string   // the query's ids this copy matched, sorted
}

// Investigate answers from the inventory alone. Hits are sorted by account,
// region, function name, qualifier, source, first seen, version, then path.
func (s *Store) Investigate(ctx context.Context, q Query) ([]Hit, error) {
	if q.Name == "" && len(q.AdvisoryIDs) == 0 {
		return nil, fmt.Errorf("investigate: a package name or an advisory id is required")
	}
	var where []string
	var args []any
	from := `packages p
		JOIN versions v ON v.artifact_digest = p.artifact_digest
		JOIN functions f ON f.id = v.function_id`
	idCol := `''`
	if len(q.AdvisoryIDs) > 0 {
		in, a := inClause(q.AdvisoryIDs)
		from += `
		JOIN finding_ids fi ON fi.artifact_digest = p.artifact_digest
			AND fi.path = p.path AND fi.ecosystem = p.ecosystem AND fi.name_norm = p.name_norm AND fi.id IN ` + in
		args = append(args, a...)
		idCol = `fi.id`
	}
	var wantNorm func(eco, norm string) bool
	if q.Name != "" {
		cands := nameCandidates(q.Ecosystem, q.Name)
		in, a := inClause(cands)
		// A copy loaded by a folder of that name counts too: the matcher
		// takes it for that package (schema 5, packages.alias_norm).
		where = append(where, `(p.name_norm IN `+in+` OR (p.alias_norm <> '' AND p.alias_norm IN `+in+`))`)
		args = append(args, a...)
		args = append(args, a...)
		wantNorm = func(eco, norm string) bool { return normalize(eco, q.Name) == norm }
	}
	if q.Ecosystem != "" {
		where = append(where, `p.ecosystem = ?`)
		args = append(args, q.Ecosystem)
	}
	if q.NoProvenance {
		where = append(where, `v.provenance <> ?`)
		args = append(args, ProvenanceVerified)
	}
	sqlText := `SELECT f.source, f.account, f.region, f.name, f.qualifier, f.arn, v.id, v.code_sha256, v.image_digest,
		v.deployed, v.first_seen, v.last_seen, v.provenance, v.artifact_digest, p.seq, p.name_norm, p.alias_norm,
		p.ecosystem, p.name, p.version, p.purl, p.path, p.origin_kind, p.origin_index, p.origin_digest, p.loaded,
		p.shadowed_by, p.evidence, p.alias, p.alias_declared, ` + idCol + `
		FROM ` + from
	if len(where) > 0 {
		sqlText += ` WHERE ` + strings.Join(where, ` AND `)
	}
	rows, err := s.db.QueryContext(ctx, s.q(sqlText), args...)
	if err != nil {
		return nil, fmt.Errorf("investigate: %w", err)
	}
	defer rows.Close()
	type hitKey struct {
		version int64
		seq     int
	}
	index := map[hitKey]int{}
	var hits []Hit
	for rows.Next() {
		var h Hit
		var first, last int64
		var seq int
		var norm, folder, id string
		p := &h.Package
		if err := rows.Scan(&h.Function.Source, &h.Function.Account, &h.Function.Region, &h.Function.Name,
			&h.Function.Qualifier, &h.Function.ARN, &h.VersionID, &h.CodeSha256, &h.ImageDigest, &h.Deployed,
			&first, &last, &h.Provenance, &h.ArtifactDigest, &seq, &norm, &folder, &p.Ecosystem, &p.Name, &p.Version, &p.PURL,
			&p.Path, &p.Origin.Kind, &p.Origin.Index, &p.Origin.Digest, &p.Loaded, &p.ShadowedBy, &p.Evidence, &p.Alias, &p.AliasDeclared, &id); err != nil {
			return nil, fmt.Errorf("investigate: %w", err)
		}
		if wantNorm != nil && !wantNorm(p.Ecosystem, norm) && (folder == "" || !wantNorm(p.Ecosystem, folder)) {
			continue
		}
		if q.VersionFilter != nil && !q.VersionFilter(p.Version) {
			continue
		}
		k := hitKey{h.VersionID, seq}
		if i, ok := index[k]; ok { // the same copy matched several of the ids
			hits[i].Advisories = append(hits[i].Advisories, id)
			continue
		}
		h.FirstSeen, h.LastSeen = fromMicros(first), fromMicros(last)
		if id != "" {
			h.Advisories = []string{id}
		}
		index[k] = len(hits)
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("investigate: %w", err)
	}
	for i := range hits {
		slices.Sort(hits[i].Advisories)
	}
	slices.SortFunc(hits, compareHits)
	return hits, nil
}

func compareHits(a, b Hit) int {
	return cmp.Or(compareFunctions(a.Function, b.Function),
		a.FirstSeen.Compare(b.FirstSeen), cmp.Compare(a.VersionID, b.VersionID),
		cmp.Compare(a.Package.Path, b.Package.Path), cmp.Compare(a.Package.Ecosystem, b.Package.Ecosystem),
		cmp.Compare(a.Package.Name, b.Package.Name), cmp.Compare(a.Package.Version, b.Package.Version))
}

func compareFunctions(a, b Function) int {
	return cmp.Or(cmp.Compare(a.Account, b.Account), cmp.Compare(a.Region, b.Region), cmp.Compare(a.Name, b.Name),
		cmp.Compare(a.Qualifier, b.Qualifier), cmp.Compare(a.Source, b.Source))
}

// nameCandidates are the normalised forms a name can take: one when the
// ecosystem is known, else one per naming rule (checked per row after).
func nameCandidates(ecosystem, name string) []string {
	if ecosystem != "" {
		return []string{normalize(ecosystem, name)}
	}
	var c []string
	for _, eco := range []string{"npm", "PyPI", "Maven", "Go"} {
		c = append(c, normalize(eco, name))
	}
	slices.Sort(c)
	return slices.Compact(c)
}
