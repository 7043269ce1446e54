package sbom

import "github.com/fnaudit/fnaudit/artifact"

// Package is one installed third-party package of a deployment, as fnaudit
// reports it. It is the plain type the match, policy and report packages
// consume.
type Package struct {
	// Ecosystem is the OSV ecosystem name: "npm", "PyPI", "Maven", "Go",
	// "NuGet", "RubyGems", "crates.io", "Packagist", or an OS distribution
	// ("Debian", "Alpine", "Red Hat", ...) for image packages.
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
	Origin artifact.Origin `json:"origin"`
	// Loaded says whether the runtime would load this copy: false when an
	// earlier entry of the runtime's search path (NODE_PATH, sys.path,
	// classpath) holds the same package name.
	Loaded bool `json:"loaded"`
	// ShadowedBy is the path of the copy the runtime loads instead, when
	// Loaded is false.
	ShadowedBy string `json:"shadowedBy,omitempty"`
	// Evidence says how fnaudit knows of the package when syft's own
	// cataloger did not report it: EvidenceLenient (a metadata file syft
	// rejected, read for name and version alone), EvidenceLockfile (a folder
	// with no package.json, versioned by node_modules/.package-lock.json, or
	// a declared lockfile entry), EvidenceFolder (a package folder with
	// nothing to version it), EvidenceManifest (a declared manifest entry).
	// Empty for packages syft catalogued.
	Evidence string `json:"evidence,omitempty"`
	// Declared marks an entry of a manifest or lockfile shipped in the
	// deployment that is neither installed nor bundled: matched and
	// reported, never loaded (Loaded is false), passing by default.
	Declared bool `json:"declared,omitempty"`
	// Type is syft's package type (npm, python, java-archive, go-module, ...),
	// kept for encoders.
	Type string `json:"type"`
}

// Path is the package's first (primary) path.
func (p Package) Path() string {
	if len(p.Paths) == 0 {
		return ""
	}
	return p.Paths[0]
}

// Evidence kinds (Package.Evidence, CycloneDX property fnaudit:evidence).
const (
	EvidenceLenient  = "lenient"
	EvidenceLockfile = "lockfile"
	EvidenceFolder   = "folder"
	EvidenceManifest = "manifest"
)
