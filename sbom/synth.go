package sbom

import (
	"github.com/anchore/packageurl-go"
	"github.com/anchore/syft/syft/file"
	"github.com/anchore/syft/syft/pkg"
)

// syftTypes maps an ecosystem to the syft package type and PURL type of the
// packages fnaudit adds itself (lenient reads, lockfile and folder
// evidence, declared entries), so the encoders treat them like syft's own.
var syftTypes = map[string]struct {
	typ  pkg.Type
	lang pkg.Language
	purl string
}{
	EcosystemNPM:      {pkg.NpmPkg, pkg.JavaScript, packageurl.TypeNPM},
	EcosystemPyPI:     {pkg.PythonPkg, pkg.Python, packageurl.TypePyPi},
	EcosystemMaven:    {pkg.JavaPkg, pkg.Java, packageurl.TypeMaven},
	EcosystemGo:       {pkg.GoModulePkg, pkg.Go, packageurl.TypeGolang},
	EcosystemNuGet:    {pkg.DotnetPkg, pkg.Dotnet, packageurl.TypeNuget},
	EcosystemRubyGems: {pkg.GemPkg, pkg.Ruby, packageurl.TypeGem},
}

// purlOf builds the package URL of a package fnaudit found itself.
func purlOf(ecosystem, name, version string) string {
	t, ok := syftTypes[ecosystem]
	if !ok || name == "" {
		return ""
	}
	namespace := ""
	switch ecosystem {
	case EcosystemNPM:
		if len(name) > 0 && name[0] == '@' {
			for i := 1; i < len(name); i++ {
				if name[i] == '/' {
					namespace, name = name[:i], name[i+1:]
					break
				}
			}
		}
	case EcosystemMaven:
		for i := 0; i < len(name); i++ {
			if name[i] == ':' {
				namespace, name = name[:i], name[i+1:]
				break
			}
		}
	case EcosystemGo:
		for i := len(name) - 1; i >= 0; i-- {
			if name[i] == '/' {
				namespace, name = name[:i], name[i+1:]
				break
			}
		}
	}
	return packageurl.NewPackageURL(t.purl, namespace, name, version, nil, "").ToString()
}

// addPackage appends a package fnaudit found itself to the SBOM, with a
// syft package for the encoders (located at realPath, reached through
// accessPath) so CycloneDX and SPDX list it too.
func (out *SBOM) addPackage(p Package, realPath, accessPath string) {
	t := syftTypes[p.Ecosystem]
	if p.Type == "" {
		p.Type = string(t.typ)
	}
	if p.PURL == "" {
		p.PURL = purlOf(p.Ecosystem, p.Name, p.Version)
	}
	sp := pkg.Package{
		Name:      p.Name,
		Version:   p.Version,
		Type:      pkg.Type(p.Type),
		Language:  t.lang,
		PURL:      p.PURL,
		Locations: file.NewLocationSet(file.NewVirtualLocationFromCoordinates(file.NewCoordinates(realPath, p.Origin.Digest), accessPath)),
		FoundBy:   "fnaudit-" + p.Evidence,
	}
	sp.SetID()
	out.appendPackage(p, sp)
}

// appendPackage adds one package and its syft twin.
func (out *SBOM) appendPackage(p Package, sp pkg.Package) {
	out.Packages = append(out.Packages, p)
	out.syftIDs = append(out.syftIDs, string(sp.ID()))
	if out.syft != nil {
		out.syft.Artifacts.Packages.Add(sp)
	}
}
