package match

import (
	"strings"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"github.com/package-url/packageurl-go"

	"github.com/fnaudit/fnaudit/core"
)

// Names are compared under feeds.NormalizeName, the normalisation the
// store indexes records by (PyPI PEP 503, npm/NuGet/Packagist lower case,
// Maven group:artifact): a record the store returns for a package is never
// dropped here for spelling, and a record the schema says is about another
// spelling of the same name ("Jinja2" in a GHSA record, "jinja2" in the
// SBOM) still matches.

// baseEcosystem strips an ecosystem's ":<suffix>" ("Debian:12" -> "Debian").
func baseEcosystem(ecosystem string) string {
	base, _, _ := strings.Cut(ecosystem, ":")
	return base
}

// sameEcosystem reports whether a record's affected ecosystem covers the
// package's: the same ecosystem and, for distribution releases, the same
// release however the record spells it ("Ubuntu:Pro:22.04:LTS" covers
// "Ubuntu:22.04"); see core.EcosystemCovers, the rule the store's lookup
// applies too.
func sameEcosystem(pkgEco, recEco string) bool { return core.EcosystemCovers(recEco, pkgEco) }

// affectsPackage reports whether an affected[] entry is about pkg: same
// ecosystem and the same normalised name, or the same package URL (type,
// namespace and name).
func affectsPackage(a *osvschema.Affected, pkg core.Package, normName string) bool {
	p := a.GetPackage()
	if p == nil || !sameEcosystem(pkg.Ecosystem, p.GetEcosystem()) {
		return false
	}
	if p.GetName() != "" && core.NormalizeName(pkg.Ecosystem, p.GetName()) == normName {
		return true
	}
	if p.GetPurl() != "" && pkg.PURL != "" {
		a, okA := purlKey(p.GetPurl())
		b, okB := purlKey(pkg.PURL)
		return okA && okB && a == b
	}
	return false
}

// purlKey is a package URL without version, qualifiers and subpath, with
// the namespace and name compared as the ecosystem compares names.
func purlKey(s string) (string, bool) {
	u, err := packageurl.FromString(s)
	if err != nil {
		return "", false
	}
	ns, name := u.Namespace, u.Name
	switch u.Type {
	case packageurl.TypePyPi:
		name = core.NormalizeName("PyPI", name)
	case packageurl.TypeNPM, packageurl.TypeNuget, packageurl.TypeComposer:
		ns, name = strings.ToLower(ns), strings.ToLower(name)
	}
	return u.Type + "/" + ns + "/" + name, true
}
