package match

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/internal/advisory"
)

// recordMatch is a record found to affect a package, with its affected[]
// entries about that package.
type recordMatch struct {
	vuln     *osvschema.Vulnerability
	kind     core.Kind
	affected []*osvschema.Affected
}

// Match returns the findings for pkgs, sorted (see sortFindings). Each
// package is matched on its own: two copies of a package give two sets of
// findings, each naming its copy.
//
// A Source error stops matching and is returned alone. A record that cannot
// be decided for a package (the package has no usable version and the
// record's ranges need one, or a range event is not a version of the
// ecosystem) does not stop matching: Match returns every finding it could
// decide together with an error naming each such record and package, so
// that a caller failing closed never mistakes the rest for a pass.
func Match(ctx context.Context, src Source, pkgs []core.Package) ([]Finding, error) {
	type key struct{ eco, name string }
	cache := map[key][]*osvschema.Vulnerability{}
	versions := versionCache{}
	var findings []Finding
	var errs []error
	lookup := func(eco, name string) ([]*osvschema.Vulnerability, error) {
		k := key{eco, core.NormalizeName(eco, name)}
		recs, ok := cache[k]
		if !ok {
			var err error
			recs, err = src.Lookup(ctx, eco, name)
			if err != nil {
				return nil, fmt.Errorf("look up advisories for %s %s: %w", eco, name, err)
			}
			cache[k] = recs
		}
		return recs, nil
	}
	for _, pkg := range pkgs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		recs, err := lookup(pkg.Ecosystem, pkg.Name)
		if err != nil {
			return nil, err
		}
		var aliasRecs []*osvschema.Vulnerability
		if aliasName(pkg) != "" {
			if aliasRecs, err = lookup(pkg.Ecosystem, pkg.Alias); err != nil {
				return nil, err
			}
		}
		fs, err := matchPackage(pkg, recs, aliasRecs, versions)
		findings = append(findings, fs...)
		if err != nil {
			errs = append(errs, err)
		}
		// A binary package is also matched as its source package, which
		// distribution records name; the findings are the binary's.
		if src, ok := distroSource(pkg); ok {
			srcRecs, err := lookup(src.Ecosystem, src.Name)
			if err != nil {
				return nil, err
			}
			sfs, err := matchPackage(src, srcRecs, nil, versions)
			if err != nil {
				errs = append(errs, err)
			}
			have := map[string]bool{}
			for _, f := range fs {
				for _, id := range f.IDs {
					have[id] = true
				}
			}
			for _, f := range sfs {
				if !have[f.IDs[0]] {
					f.Package = pkg
					findings = append(findings, f)
				}
			}
		}
	}
	sortFindings(findings)
	return findings, errors.Join(errs...)
}

// matchPackage evaluates the records the Source gave for one package:
// recs under its name, aliasRecs under the folder name it is loaded by
// (core.Package.Alias, see aliasAffects).
func matchPackage(pkg core.Package, recs, aliasRecs []*osvschema.Vulnerability, versions versionCache) ([]Finding, error) {
	norm := core.NormalizeName(pkg.Ecosystem, pkg.Name)
	iv := newInstalled(pkg.Ecosystem, pkg.Name, pkg.Version)
	iv.cache = versions
	var matched []recordMatch
	var errs []error
	seen := map[string]bool{}
	type named struct {
		recs  []*osvschema.Vulnerability
		alias bool
	}
	for _, set := range []named{{recs, false}, {aliasRecs, true}} {
		for _, v := range set.recs {
			kind := advisory.Classify(v)
			if kind == core.KindWithdrawn || seen[v.GetId()] {
				continue
			}
			var entries []*osvschema.Affected
			var hit bool
			var err error
			if set.alias {
				entries, hit, err = aliasAffects(v, kind, pkg, iv)
			} else {
				var index []int
				for i, a := range v.GetAffected() {
					if affectsPackage(a, pkg, norm) {
						entries = append(entries, a)
						index = append(index, i)
					}
				}
				hit, err = anyAffects(entries, index, iv)
			}
			if m, e := decide(v, kind, entries, hit, err, pkg); m != nil {
				seen[v.GetId()] = true
				matched = append(matched, *m)
			} else if e != nil {
				errs = append(errs, e)
			}
		}
	}
	var findings []Finding
	for _, g := range groupByAlias(matched) {
		findings = append(findings, newFinding(pkg, iv, g))
	}
	return findings, errors.Join(errs...)
}

// decide turns one record's evaluation into a match, an error naming the
// record and package, or neither.
func decide(v *osvschema.Vulnerability, kind core.Kind, entries []*osvschema.Affected, hit bool, err error, pkg core.Package) (*recordMatch, error) {
	switch {
	case hit:
		return &recordMatch{vuln: v, kind: kind, affected: entries}, nil
	case err != nil && pkg.Version == "" && core.Bundled(pkg) && errors.Is(err, errNoVersion):
		// A package seen inside a bundle without a version is matched
		// only against records that affect every version; the rest
		// cannot be decided, and the report counts such packages
		// (policy: fail_on_unversioned) instead of refusing the scan.
		// An installed package without a usable version still refuses.
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("record %s: package %s %s %s at %s: %w",
			v.GetId(), pkg.Ecosystem, pkg.Name, pkg.Version, pkg.Path(), err)
	}
	return nil, nil
}

// anyAffects: one entry covering the version is enough; entries that could
// not be decided only matter when none does.
// index holds each entry's position in the record, for the error.
func anyAffects(entries []*osvschema.Affected, index []int, iv *installed) (bool, error) {
	var firstErr error
	for i, a := range entries {
		hit, err := affects(a, iv)
		if hit {
			return true, nil
		}
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("affected[%d]: %w", index[i], err)
		}
	}
	return false, firstErr
}

// newFinding merges one alias group of records matched for pkg.
func newFinding(pkg core.Package, iv *installed, g []recordMatch) Finding {
	f := Finding{Package: pkg, Kind: core.KindVulnerability}
	ids := map[string]bool{}
	var best rating
	ranges := make([][]*osvschema.Affected, 0, len(g))
	for i, m := range g {
		id := m.vuln.GetId()
		ids[id] = true
		f.IDs = append(f.IDs, id)
		if m.kind == core.KindMalicious {
			f.Kind = core.KindMalicious
		}
		r := recordRating(m.vuln, m.affected)
		if i == 0 || r.beats(best) {
			best = r
		}
		rec := Record{
			ID:       id,
			Kind:     m.kind,
			Aliases:  m.vuln.GetAliases(),
			Severity: r.severity,
			Score:    r.score,
			Vector:   r.vector,
			FixedIn:  displayVersion(pkg.Ecosystem, pkg.Name, pkg.Version, fixedIn(iv, pkg.Name, [][]*osvschema.Affected{m.affected})),
			Vuln:     m.vuln,
		}
		if t := m.vuln.GetModified(); t != nil {
			rec.Modified = t.AsTime().UTC()
		}
		if t := m.vuln.GetPublished(); t != nil {
			rec.Published = t.AsTime().UTC()
		}
		f.Records = append(f.Records, rec)
		ranges = append(ranges, m.affected)
	}
	aliases := map[string]bool{}
	for _, m := range g {
		for _, a := range m.vuln.GetAliases() {
			if a = strings.TrimSpace(a); a != "" && !ids[a] && !aliases[a] {
				aliases[a] = true
				f.Aliases = append(f.Aliases, a)
			}
		}
	}
	slices.Sort(f.Aliases)

	f.Severity, f.Score, f.Vector, f.SeveritySource = best.severity, best.score, best.vector, best.source
	if f.Kind == core.KindMalicious {
		// Malware is critical whatever a vector says: the package's own
		// install or import runs the attacker's code.
		f.Severity, f.SeveritySource = SeverityCritical, "malicious"
	}
	f.Summary = summary(g)
	if len(g) == 1 {
		f.FixedIn = f.Records[0].FixedIn
	} else {
		f.FixedIn = displayVersion(pkg.Ecosystem, pkg.Name, pkg.Version, fixedIn(iv, pkg.Name, ranges))
	}
	return f
}

// summary is the first record's summary, else the first one any record
// has, else the first line of the first record's details (PYSEC records
// have no summary), cut to a table-friendly length.
func summary(g []recordMatch) string {
	for _, m := range g {
		if s := strings.TrimSpace(m.vuln.GetSummary()); s != "" {
			return clip(s)
		}
	}
	for _, m := range g {
		sc := bufio.NewScanner(strings.NewReader(m.vuln.GetDetails()))
		for sc.Scan() {
			if s := strings.TrimSpace(sc.Text()); s != "" {
				return clip(s)
			}
		}
	}
	return ""
}

const maxSummary = 200

func clip(s string) string {
	if utf8.RuneCountInString(s) <= maxSummary {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:maxSummary-1])) + "…"
}

// sortFindings orders findings by package (ecosystem, name, version, path,
// origin), then malicious before vulnerability, then primary id: the same
// input always gives the same output, whatever order the SBOM and the
// Source produced.
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		pa, pb := a.Package, b.Package
		if c := cmp.Or(
			cmp.Compare(pa.Ecosystem, pb.Ecosystem),
			cmp.Compare(pa.Name, pb.Name),
			cmp.Compare(pa.Version, pb.Version),
			cmp.Compare(pa.Path(), pb.Path()),
			cmp.Compare(pa.Origin.Kind, pb.Origin.Kind),
			cmp.Compare(pa.Origin.Index, pb.Origin.Index),
			cmp.Compare(pa.Origin.Name, pb.Origin.Name),
		); c != 0 {
			return c
		}
		if a.Kind != b.Kind {
			if a.Kind == core.KindMalicious {
				return -1
			}
			if b.Kind == core.KindMalicious {
				return 1
			}
		}
		return idOrder(a.PrimaryID(), b.PrimaryID())
	})
}
