package core

// Package is one third-party package copy of a deployment, as fnaudit
// reports it. It is the plain type match, policy, report and the inventory
// consume.
type Package struct {
	// Ecosystem is the OSV ecosystem name: "npm", "PyPI", "Maven", "Go",
	// "NuGet", "RubyGems", "crates.io", "Packagist", or an OS distribution
	// ("Debian:12", "Alpine:v3.20", ...) for image packages.
	Ecosystem string `json:"ecosystem"`
	// Name as the ecosystem spells it: npm "@scope/name", Maven
	// "group:artifact", Go module path, PyPI as written in METADATA.
	Name    string `json:"name"`
	Version string `json:"version"`
	PURL    string `json:"purl"`
	// Paths are where the package's metadata sits in the runtime filesystem
	// (e.g. /var/task/node_modules/lodash, /opt/python/...dist-info,
	// /var/task/lib/x.jar), sorted; usually one.
	Paths []string `json:"paths"`
	// Origin is the part of the deployment the package came from.
	Origin Origin `json:"origin"`
	// Loaded says whether the runtime would load this copy: false when an
	// earlier entry of the runtime's search path (NODE_PATH, sys.path,
	// classpath) holds the same package name.
	Loaded bool `json:"loaded"`
	// ShadowedBy is the path of the copy the runtime loads instead, when
	// Loaded is false.
	ShadowedBy string `json:"shadowedBy,omitempty"`
	// Type is syft's package type (npm, python, java-archive, go-module, ...),
	// kept for encoders.
	Type string `json:"type"`
	// Licenses are the licenses the package's own metadata declares (SPDX
	// expressions or names as written), for SBOM writers.
	Licenses []string `json:"licenses,omitempty"`
	// Evidence says how a package was found when not from its installed
	// metadata as syft reads it: "lenient" (metadata syft rejected, read for
	// name and version alone), "lockfile" (a folder with no package.json
	// versioned by node_modules/.package-lock.json, or a declared lockfile
	// entry), "folder" (a package folder with nothing to version it),
	// "manifest" (a declared manifest entry), or "sourcemap",
	// "bundle-comment", "banner" (inside a bundle). Empty for the ordinary
	// case.
	Evidence string `json:"evidence,omitempty"`
	// Declared marks a package a manifest or lockfile in the artifact names
	// but that is neither installed nor bundled.
	Declared bool `json:"declared,omitempty"`
	// Alias is the name the runtime finds an npm package by (its folder
	// under node_modules, or under /var/task), when that differs from Name,
	// the name its package.json gives. Advisories are matched against both
	// names (docs/DESIGN.md, "Folder names and package names").
	Alias string `json:"alias,omitempty"`
	// AliasDeclared says a shipped npm lockfile installs Name under Alias
	// (an npm alias, "Alias": "npm:Name@range"). The folder name then
	// matches only malicious records that flag every version of it: its
	// version ranges say nothing of another package's versions.
	AliasDeclared bool `json:"aliasDeclared,omitempty"`
}

// Path is the package's first (primary) path.
func (p Package) Path() string {
	if len(p.Paths) == 0 {
		return ""
	}
	return p.Paths[0]
}

// How a package was found, when not from its installed metadata
// (Package.Evidence).
const (
	EvidenceLenient       = "lenient"
	EvidenceSourceMap     = "sourcemap"
	EvidenceBundleComment = "bundle-comment"
	EvidenceBanner        = "banner"
	EvidenceLockfile      = "lockfile"
	EvidenceManifest      = "manifest"
	EvidenceFolder        = "folder"
)

// Bundled reports whether the package was seen inside a JavaScript bundle
// (a source map, a module path comment or a version banner) rather than
// installed.
func Bundled(p Package) bool {
	switch p.Evidence {
	case EvidenceSourceMap, EvidenceBundleComment, EvidenceBanner:
		return true
	}
	return false
}
