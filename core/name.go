package core

import "strings"

// NormalizeName is the one rule by which fnaudit compares package names, so
// the advisory store's index (feeds), the matcher (match), the runtime's
// shadowing rules (sbom), the inventory and policy exceptions (policy) can
// never disagree about whether two names are the same package. It returns the form of a package name under which records are
// indexed and names compared, for an OSV ecosystem ("PyPI", "npm",
// "Debian:12"; the part after ':' does not matter):
//
//   - PyPI: PEP 503 (lower case, runs of "-", "_", "." become one "-").
//   - npm: lower case, scope kept ("@Scope/Pkg" -> "@scope/pkg"); the
//     registry treats legacy mixed-case names as distinct, but advisories and
//     lockfiles disagree on case often enough that a miss is the worse error.
//   - NuGet, Packagist: lower case (both registries are case-insensitive).
//   - Maven: "group:artifact"; a purl-style "group/artifact" is accepted.
//   - Go and everything else: as given (module paths are case-sensitive).
//
// Leading and trailing white space is always removed.
func NormalizeName(ecosystem, name string) string {
	name = strings.TrimSpace(name)
	base, _, _ := strings.Cut(ecosystem, ":")
	switch base {
	case "PyPI":
		return pep503(name)
	case "npm", "NuGet", "Packagist":
		return strings.ToLower(name)
	case "Maven":
		if !strings.Contains(name, ":") {
			name = strings.Replace(name, "/", ":", 1)
		}
		return name
	}
	return name
}

// pep503 is PEP 503's normalize: re.sub(r"[-_.]+", "-", name).lower().
func pep503(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	inRun := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '-' || c == '_' || c == '.' {
			if !inRun {
				b.WriteByte('-')
				inRun = true
			}
			continue
		}
		inRun = false
		b.WriteByte(c)
	}
	return strings.ToLower(b.String())
}
