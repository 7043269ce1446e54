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
