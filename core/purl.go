package core

import (
	"fmt"

	packageurl "github.com/package-url/packageurl-go"
)

// purlEcosystems maps package-URL types to OSV ecosystems, for the language
// package ecosystems whose purl and OSV names agree on what a package is.
var purlEcosystems = map[string]string{
	packageurl.TypeNPM:      "npm",
	packageurl.TypePyPi:     "PyPI",
	packageurl.TypeMaven:    "Maven",
	packageurl.TypeGolang:   "Go",
	packageurl.TypeNuget:    "NuGet",
	packageurl.TypeGem:      "RubyGems",
	packageurl.TypeCargo:    "crates.io",
	packageurl.TypeComposer: "Packagist",
	packageurl.TypePub:      "Pub",
	packageurl.TypeHex:      "Hex",
	packageurl.TypeCran:     "CRAN",
	packageurl.TypeHackage:  "Hackage",
}

// ParsePURL splits a package URL into the OSV ecosystem, the package name as
// OSV spells it (npm "@scope/name", Maven "group:artifact", Go
// "module/path", Packagist "vendor/name") and the version ("" when absent).
func ParsePURL(purl string) (ecosystem, name, version string, err error) {
	p, err := packageurl.FromString(purl)
	if err != nil {
		return "", "", "", fmt.Errorf("purl %q: %w", purl, err)
	}
	eco, ok := purlEcosystems[p.Type]
	if !ok {
		return "", "", "", fmt.Errorf("purl %q: type %q has no OSV ecosystem fnaudit knows", purl, p.Type)
	}
	name = p.Name
	if p.Namespace != "" {
		sep := "/"
		if p.Type == packageurl.TypeMaven {
			sep = ":"
		}
		name = p.Namespace + sep + p.Name
	}
	if p.Name == "" {
		return "", "", "", fmt.Errorf("purl %q: no package name", purl)
	}
	return eco, name, p.Version, nil
}
