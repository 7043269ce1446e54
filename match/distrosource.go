package match

import (
	"strings"

	"github.com/package-url/packageurl-go"

	"github.com/fnaudit/fnaudit/core"
)

// distroSource is the package a distribution's advisories name for an
// installed binary package: Debian and Ubuntu records (and Alpine's
// secdb-derived ones) are keyed by source package and source version, so
// libssl3 is affected through the records of "openssl". syft records the
// source in the purl's "upstream" qualifier ("name" or "name@version",
// only when it differs from the binary's). ok is false when the package
// names no other source.
func distroSource(pkg core.Package) (core.Package, bool) {
	if pkg.PURL == "" || !strings.HasPrefix(pkg.PURL, "pkg:deb/") && !strings.HasPrefix(pkg.PURL, "pkg:apk/") {
		return core.Package{}, false
	}
	u, err := packageurl.FromString(pkg.PURL)
	if err != nil {
		return core.Package{}, false
	}
	up := u.Qualifiers.Map()["upstream"]
	if up == "" {
		return core.Package{}, false
	}
	name, version, hasVersion := strings.Cut(up, "@")
	if name == "" || core.NormalizeName(pkg.Ecosystem, name) == core.NormalizeName(pkg.Ecosystem, pkg.Name) && !hasVersion {
		return core.Package{}, false
	}
	src := pkg
	src.Name, src.PURL, src.Alias = name, "", ""
	if hasVersion && version != "" {
		src.Version = version
	}
	return src, true
}

// DistroSourceName is the source package a distribution's records name pkg
// by, when its purl names one (see distroSource): an inventory keeps it so
// that a changed record on "openssl" finds the stored libssl3 copies.
func DistroSourceName(pkg core.Package) (string, bool) {
	src, ok := distroSource(pkg)
	return src.Name, ok
}
