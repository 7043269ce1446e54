package inventory

import (
	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/match"
)

// sourceNorm is the normalised source package name a distribution package
// is also matched by (libssl3: openssl), "" when it names none. It is
// stored (packages.source_norm, schema 4) because an incremental rematch
// selects packages by the names of changed records, and distribution
// records name source packages.
func sourceNorm(ecosystem, name, version, purl string) string {
	src, ok := match.DistroSourceName(core.Package{Ecosystem: ecosystem, Name: name, Version: version, PURL: purl})
	if !ok {
		return ""
	}
	return normalize(ecosystem, src)
}

// aliasNorm is the normalised folder name a package is also matched by
// (packages.alias_norm, schema 5), "" when it has none or it normalises
// to the package's own name (the matcher then ignores it too).
func aliasNorm(ecosystem, name, alias string) string {
	if alias == "" || normalize(ecosystem, alias) == normalize(ecosystem, name) {
		return ""
	}
	return normalize(ecosystem, alias)
}
