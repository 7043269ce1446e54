package feeds

import "github.com/fnaudit/fnaudit/internal/pkgname"

// ParsePURL splits a package URL into the OSV ecosystem, the package name as
// OSV spells it and the version; the rule is pkgname.ParsePURL, shared with
// the SBOM decoder.
func ParsePURL(purl string) (ecosystem, name, version string, err error) {
	return pkgname.ParsePURL(purl)
}
