package match

import (
	"slices"
	"strings"

	"github.com/google/osv-scalibr/semantic"
	"github.com/ossf/osv-schema/bindings/go/osvschema"
)

// fixedIn is the lowest "fixed" version above the installed one that none
// of the given records affects: the smallest upgrade that clears them all,
// skipping fixes that a later range re-opens. ranges holds, per record, its
// affected[] entries about the package. "" when no such version is known
// (no fix published, last_affected only, or versions that cannot be
// ordered).
func fixedIn(iv *installed, name string, ranges [][]*osvschema.Affected) string {
	cur, err := iv.version(osvschema.Range_ECOSYSTEM)
	if err != nil {
		return ""
	}
	type cand struct {
		raw string
		v   semantic.Version
	}
	var cands []cand
	seen := map[string]bool{}
	for _, affs := range ranges {
		for _, a := range affs {
			for _, r := range a.GetRanges() {
				if r.GetType() != osvschema.Range_SEMVER && r.GetType() != osvschema.Range_ECOSYSTEM {
					continue
				}
				for _, e := range r.GetEvents() {
					f := strings.TrimSpace(e.GetFixed())
					if f == "" || seen[f] {
						continue
					}
					seen[f] = true
					v, err := iv.parse(osvschema.Range_ECOSYSTEM, f)
					if err != nil || compare(v, cur) <= 0 {
						continue
					}
					cands = append(cands, cand{f, v})
				}
			}
		}
	}
	slices.SortStableFunc(cands, func(a, b cand) int { return compare(a.v, b.v) })
	for _, c := range cands {
		if clears(iv.sibling(name, c.raw), ranges) {
			return c.raw
		}
	}
	return ""
}

// clears reports whether no record affects version iv. A version some
// record cannot decide does not clear it.
func clears(iv *installed, ranges [][]*osvschema.Affected) bool {
	for _, affs := range ranges {
		for _, a := range affs {
			hit, err := affects(a, iv)
			if hit || err != nil {
				return false
			}
		}
	}
	return true
}
