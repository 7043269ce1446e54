package match

import (
	"cmp"
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/internal/advisory"
)

// groupByAlias partitions the records matched for one package into flaws:
// two records are the same flaw when one lists the other's id among its
// aliases, or both list a common alias (a GHSA and a PYSEC record that
// both alias CVE-y), transitively. Records that do not alias each other
// stay apart, whatever they describe. Groups come out ordered by their
// primary id, records within a group in idOrder.
func groupByAlias(ms []recordMatch) [][]recordMatch {
	parent := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		p, ok := parent[x]
		if !ok || p == x {
			parent[x] = x
			return x
		}
		r := find(p)
		parent[x] = r
		return r
	}
	union := func(a, b string) {
		ra, rb := find(a), find(b)
		if ra != rb {
			// The smaller root wins, so the partition does not depend on
			// the order records arrive in.
			if rb < ra {
				ra, rb = rb, ra
			}
			parent[rb] = ra
		}
	}
	for _, m := range ms {
		id := m.vuln.GetId()
		find(id)
		for _, a := range m.vuln.GetAliases() {
			if a = strings.TrimSpace(a); a != "" {
				union(id, a)
			}
		}
	}
	byRoot := map[string][]recordMatch{}
	for _, m := range ms {
		r := find(m.vuln.GetId())
		byRoot[r] = append(byRoot[r], m)
	}
	groups := make([][]recordMatch, 0, len(byRoot))
	for _, g := range byRoot {
		slices.SortFunc(g, func(a, b recordMatch) int { return idOrder(a.vuln.GetId(), b.vuln.GetId()) })
		groups = append(groups, g)
	}
	slices.SortFunc(groups, func(a, b []recordMatch) int { return idOrder(a[0].vuln.GetId(), b[0].vuln.GetId()) })
	return groups
}

// idOrder orders the ids of one finding; the first is the primary id. An
// organisation's own block-list entry comes first (it is what its policy
// and people refer to), then the ecosystem's own advisory database (GO-,
// PYSEC-, RUSTSEC-: curated for that ecosystem, and GO- ids are what
// govulncheck reports), then GitHub's reviewed advisories (GHSA-, which
// carry CVSS vectors), then OpenSSF malicious-packages (MAL-), then any
// other database; ties by id.
func idOrder(a, b string) int {
	if c := cmp.Compare(idRank(a), idRank(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

func idRank(id string) int {
	if strings.HasPrefix(id, advisory.BlockListPrefix) {
		return 0
	}
	prefix, _, _ := strings.Cut(id, "-")
	switch prefix {
	case "GO", "PYSEC", "RUSTSEC":
		return 1
	case "GHSA":
		return 2
	case "MAL":
		return 3
	}
	return 4
}
