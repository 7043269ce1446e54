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

// distroEcosystem is OSV's name for an OS distribution release, as
// osv.dev's records spell it: "Debian:12", "Alpine:v3.20",
// "Ubuntu:22.04:LTS" (non-LTS: "Ubuntu:24.10"), "Red Hat:enterprise_linux:9"
// (records add the repository: "...:9::appstream"), "AlmaLinux:9",
// "Rocky Linux:9", "Wolfi", "Chainguard". The matcher compares releases,
// not text (core.EcosystemCovers), so "Ubuntu:Pro:22.04:LTS" records
// reach these packages too.
//
// "" for a distribution osv.dev publishes no advisories for: Amazon Linux
// (its ALAS advisories are not in OSV), CentOS, Oracle Linux, Fedora. Such
// packages are listed but cannot be matched.
func distroEcosystem(d *linux.Release) string {
	if d == nil {
		return ""
	}
	switch d.ID {
	case "debian":
		if major := majorOf(d.VersionID); major != "" {
			return "Debian:" + major
		}
		return "Debian" // testing / sid: every release's records
	case "ubuntu":
		if d.VersionID == "" {
			return "Ubuntu"
		}
		if isUbuntuLTS(d) {
			return "Ubuntu:" + d.VersionID + ":LTS"
		}
		return "Ubuntu:" + d.VersionID
	case "alpine":
		parts := strings.SplitN(d.VersionID, ".", 3)
		if len(parts) >= 2 {
			return "Alpine:v" + parts[0] + "." + parts[1]
		}
		return "Alpine"
	case "rhel":
		if major := majorOf(d.VersionID); major != "" {
			return "Red Hat:enterprise_linux:" + major
		}
		return "Red Hat"
	case "almalinux":
		return withMajor("AlmaLinux", d.VersionID)
	case "rocky":
		return withMajor("Rocky Linux", d.VersionID)
	case "wolfi":
		return "Wolfi" // a rolling distribution: no release in OSV
	case "chainguard":
		return "Chainguard"
	}
	return ""
}

// isUbuntuLTS: os-release says "22.04.5 LTS (Jammy Jellyfish)"; failing
// that, LTS releases are the April ones of even years.
func isUbuntuLTS(d *linux.Release) bool {
	if strings.Contains(d.Version, "LTS") || strings.Contains(d.PrettyName, "LTS") {
		return true
	}
	y, m, ok := strings.Cut(d.VersionID, ".")
	if !ok || m != "04" || len(y) != 2 || strings.Trim(y, "0123456789") != "" {
		return false
	}
	return (y[1]-'0')%2 == 0
}

// majorOf: "9.4" -> "9", "12" -> "12", "" or "bookworm" -> "".
func majorOf(v string) string {
	major, _, _ := strings.Cut(strings.TrimSpace(v), ".")
	if major == "" || strings.Trim(major, "0123456789") != "" {
		return ""
	}
	return major
}

func withMajor(name, versionID string) string {
	if major := majorOf(versionID); major != "" {
		return name + ":" + major
	}
	return name
}
