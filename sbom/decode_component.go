package sbom

import (
	"cmp"
	"errors"
	"fmt"
	"strings"

	cyclonedx "github.com/CycloneDX/cyclonedx-go"
	"github.com/anchore/syft/syft/linux"
	"github.com/anchore/syft/syft/pkg"
	"github.com/package-url/packageurl-go"

	"github.com/fnaudit/fnaudit/core"
)

// A CycloneDX component from another tool is a package fnaudit matches
// only if it can tell the package's ecosystem and name. Dropping a
// component it cannot read would be a silent pass ("Packages: 0, PASSED"),
// so componentIdentity either identifies it, says it is not a package, or
// fails, naming why.

// componentID is what matching needs of a component.
type componentID struct {
	ecosystem, name, version, purl string
}

// notPackageTypes are CycloneDX component types that are not software
// packages an advisory could name: without a package URL they are skipped.
var notPackageTypes = map[cyclonedx.ComponentType]bool{
	cyclonedx.ComponentTypeFile:                 true,
	cyclonedx.ComponentTypeOS:                   true,
	cyclonedx.ComponentTypeContainer:            true,
	cyclonedx.ComponentTypePlatform:             true,
	cyclonedx.ComponentTypeDevice:               true,
	cyclonedx.ComponentTypeDeviceDriver:         true,
	cyclonedx.ComponentTypeFirmware:             true,
	cyclonedx.ComponentTypeData:                 true,
	cyclonedx.ComponentTypeMachineLearningModel: true,
	cyclonedx.ComponentTypeCryptographicAsset:   true,
}

// componentIdentity identifies c: from its package URL (white space
// trimmed; qualifiers and subpath dropped when they are what fails to
// parse); else from its name and version with an ecosystem hint (the
// package URL's type, syft's package type property). A zero ecosystem
// with no error: c is not a package fnaudit can match (a file, an OS
// component, a valid package URL of a type OSV has no advisories for).
func componentIdentity(c cyclonedx.Component) (componentID, error) {
	purl := strings.TrimSpace(c.PackageURL)
	version := strings.TrimSpace(c.Version)
	if purl != "" {
		for _, candidate := range []string{purl, cutQualifiers(purl)} {
			if eco, name, v, ok := ecosystemOfPURL(candidate); ok {
				return componentID{eco, name, cmp.Or(version, v), candidate}, nil
			}
		}
		if p, err := packageurl.FromString(cutQualifiers(purl)); err == nil {
			if id, ok := distroComponent(p, purl, version); ok {
				return id, nil
			}
			if _, known := packageurl.KnownTypes[p.Type]; known && !hasEcosystemType(p.Type) {
				return componentID{}, nil // pkg:generic, pkg:github, ...: no advisories to match
			}
		}
	}
	eco := ecosystemHint(c, purl)
	name := componentName(c, eco)
	switch {
	case eco != "" && name != "":
		return componentID{ecosystem: eco, name: name, version: version}, nil
	case purl == "" && notPackageTypes[c.Type]:
		return componentID{}, nil
	case purl != "":
		return componentID{}, fmt.Errorf("package URL %q names no ecosystem fnaudit can match, and nothing else in the component does", c.PackageURL)
	case c.CPE != "":
		return componentID{}, fmt.Errorf("only a CPE (%s), no package URL or ecosystem: fnaudit cannot tell which advisories apply", c.CPE)
	}
	return componentID{}, errors.New("no package URL and no ecosystem: fnaudit cannot tell which advisories apply")
}

// cutQualifiers drops "?qualifiers" and "#subpath", which matching does
// not use and which are where malformed escapes usually sit.
func cutQualifiers(purl string) string {
	purl, _, _ = strings.Cut(purl, "#")
	purl, _, _ = strings.Cut(purl, "?")
	return purl
}

// hasEcosystemType: a purl type ecosystemOfPURL maps (so a failure there
// was the rest of the purl, not the type).
func hasEcosystemType(typ string) bool {
	_, _, _, ok := ecosystemOfPURL("pkg:" + typ + "/x@1")
	return ok
}

// ecosystemHint is the ecosystem a component without a usable package URL
// still names: the type of its (malformed) package URL, or syft's package
// type property.
func ecosystemHint(c cyclonedx.Component, purl string) string {
	if rest, ok := strings.CutPrefix(strings.ToLower(purl), "pkg:"); ok {
		typ, _, _ := strings.Cut(strings.TrimLeft(rest, "/"), "/")
		if eco, _, _, ok := ecosystemOfPURL("pkg:" + typ + "/x@1"); ok {
			return eco
		}
	}
	if t := prop(c.Properties, "syft:package:type"); t != "" {
		return ecosystemOf(pkg.Package{Type: pkg.Type(t)}, nil)
	}
	return ""
}

// componentName is the package name as the ecosystem spells it: Maven
// "group:artifact", npm "@scope/name".
func componentName(c cyclonedx.Component, eco string) string {
	name, group := strings.TrimSpace(c.Name), strings.TrimSpace(c.Group)
	switch {
	case name == "" || group == "":
		return name
	case eco == EcosystemMaven:
		return group + ":" + name
	case eco == EcosystemNPM && strings.HasPrefix(group, "@"):
		return group + "/" + name
	}
	return name
}

// distroComponent reads an OS package URL (pkg:deb/debian/curl@...?
// distro=debian-12) into the ecosystem distroEcosystem gives image
// packages. ok false when p is not one; an OS osv.dev has no advisories
// for (Amazon Linux) gives ok true and no ecosystem.
func distroComponent(p packageurl.PackageURL, raw, version string) (componentID, bool) {
	if p.Type != packageurl.TypeDebian && p.Type != packageurl.TypeApk && p.Type != packageurl.TypeRPM {
		return componentID{}, false
	}
	id := strings.ToLower(p.Namespace)
	switch id {
	case "redhat":
		id = "rhel"
	case "amazon", "amazonlinux":
		id = "amzn"
	}
	var versionID string
	if full, err := packageurl.FromString(raw); err == nil {
		distro := full.Qualifiers.Map()["distro"]
		// "debian-12", "ubuntu-22.04", "alpine-3.19.1", "rhel-9.4"
		if i := strings.LastIndex(distro, "-"); i >= 0 {
			versionID = distro[i+1:]
		}
	}
	eco := distroEcosystem(&linux.Release{ID: id, VersionID: versionID})
	if eco == "" {
		return componentID{}, true
	}
	return componentID{eco, p.Name, cmp.Or(version, p.Version), raw}, true
}

// describeComponent names a component in an error: its name, version and
// bom-ref, as far as it has them.
func describeComponent(c cyclonedx.Component) string {
	s := fmt.Sprintf("%q", strings.TrimSpace(c.Group+" "+c.Name))
	if c.Version != "" {
		s += " " + c.Version
	}
	if c.BOMRef != "" {
		s += fmt.Sprintf(" (bom-ref %q)", c.BOMRef)
	}
	return s
}

// ecosystemOfPURL is core.ParsePURL as a lookup: ok when the purl parses
// and its type has an OSV ecosystem.
func ecosystemOfPURL(purl string) (ecosystem, name, version string, ok bool) {
	ecosystem, name, version, err := core.ParsePURL(purl)
	return ecosystem, name, version, err == nil
}
