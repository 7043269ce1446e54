package sbom

import (
	"strings"

	"github.com/anchore/syft/syft/linux"
	"github.com/anchore/syft/syft/pkg"

	"github.com/fnaudit/fnaudit/core"
)

// OSV ecosystem names (core.Ecosystem*), short for this package's code.
const (
	EcosystemNPM       = core.EcosystemNPM
	EcosystemPyPI      = core.EcosystemPyPI
	EcosystemMaven     = core.EcosystemMaven
	EcosystemGo        = core.EcosystemGo
	EcosystemNuGet     = core.EcosystemNuGet
	EcosystemRubyGems  = core.EcosystemRubyGems
	EcosystemCrates    = core.EcosystemCrates
	EcosystemPackagist = core.EcosystemPackagist
)

// ecosystemOf names the OSV ecosystem a syft package belongs to; "" when
// advisories cannot name it (a binary found by its version string).
func ecosystemOf(p pkg.Package, distro *linux.Release) string {
	switch p.Type {
	case pkg.NpmPkg:
		return EcosystemNPM
	case pkg.PythonPkg:
		return EcosystemPyPI
	case pkg.JavaPkg, pkg.JenkinsPluginPkg:
		return EcosystemMaven
	case pkg.GoModulePkg:
		return EcosystemGo
	case pkg.DotnetPkg:
		return EcosystemNuGet
	case pkg.GemPkg:
		return EcosystemRubyGems
	case pkg.RustPkg:
		return EcosystemCrates
	case pkg.PhpComposerPkg:
		return EcosystemPackagist
	case pkg.DebPkg, pkg.RpmPkg, pkg.ApkPkg:
		return distroEcosystem(distro)
	}
	return ""
}

// distroEcosystem is OSV's name for an OS distribution release, e.g.
// "Debian:12", "Alpine:v3.20", "Ubuntu:22.04".
func distroEcosystem(d *linux.Release) string {
	if d == nil {
		return ""
	}
	switch d.ID {
	case "debian":
		return "Debian:" + d.VersionID
	case "ubuntu":
		return "Ubuntu:" + d.VersionID
	case "alpine":
		parts := strings.SplitN(d.VersionID, ".", 3)
		if len(parts) >= 2 {
			return "Alpine:v" + parts[0] + "." + parts[1]
		}
		return "Alpine"
	case "rhel":
		return "Red Hat"
	case "almalinux":
		return "AlmaLinux:" + strings.SplitN(d.VersionID, ".", 2)[0]
	case "rocky":
		return "Rocky Linux:" + strings.SplitN(d.VersionID, ".", 2)[0]
	}
	return ""
}
