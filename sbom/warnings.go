package sbom

import (
	"cmp"
	"fmt"
	"strings"
)

// Warnings are the lines a user should read beside the package table: an
// SBOM with no installed package (EmptyWarning), packages known only from
// lenient reads, folders or lockfiles, npm packages whose folder names
// another package (unless an npm alias explains it), and declared entries
// not shipped.
// The CLI prints each on stderr; none of them changes the gate by itself.
func (s *SBOM) Warnings() []string {
	var out []string
	if w := s.EmptyWarning(); w != "" {
		out = append(out, w)
	}
	byEvidence := map[string][]string{}
	var declared, aliased []string
	for _, p := range s.Packages {
		id := p.Name + "@" + cmp.Or(p.Version, "(no version)")
		if p.Alias != "" && !p.AliasDeclared {
			aliased = append(aliased, id+" at "+p.Path())
		}
		switch {
		case p.Declared:
			declared = append(declared, id)
		case p.Evidence != "":
			byEvidence[p.Evidence] = append(byEvidence[p.Evidence], id+" at "+p.Path())
		}
	}
	for _, e := range []struct{ kind, what string }{
		{EvidenceLenient, "read leniently from metadata syft rejected"},
		{EvidenceLockfile, "versioned from node_modules/.package-lock.json (no package.json)"},
		{EvidenceFolder, "known by folder name only (no package.json, no lockfile entry)"},
	} {
		if ids := byEvidence[e.kind]; len(ids) > 0 {
			out = append(out, fmt.Sprintf("%d package(s) %s: %s", len(ids), e.what, strings.Join(ids, ", ")))
		}
	}
	if len(aliased) > 0 {
		out = append(out, fmt.Sprintf("%d package(s) in a folder named after another package, with no npm alias in a shipped lockfile to explain it (advisories for both names apply): %s", len(aliased), strings.Join(aliased, ", ")))
	}
	if len(declared) > 0 {
		out = append(out, fmt.Sprintf("%d package(s) declared in a shipped manifest or lockfile but not installed (declared, not shipped): %s", len(declared), strings.Join(declared, ", ")))
	}
	return out
}
