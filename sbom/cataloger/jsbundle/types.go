package jsbundle

import "io"

// Evidence values: how a bundled package was found.
const (
	EvidenceSourceMap     = "sourcemap"
	EvidenceBundleComment = "bundle-comment"
	EvidenceLockfile      = "lockfile"
	EvidenceBanner        = "banner"
)

// FS is the view of a deployment the cataloger reads: runtime paths of
// regular files (e.g. /var/task/index.js), their sizes, their content.
type FS interface {
	Paths() []string
	Size(path string) (int64, bool)
	Open(path string) (io.ReadCloser, error)
}

// Package is one npm package found inside a bundle.
type Package struct {
	Name string
	// Version is "" when nothing shipped states it.
	Version string
	// Evidence is how the package was found in the bundle: EvidenceSourceMap,
	// EvidenceBundleComment or EvidenceBanner.
	Evidence string
	// VersionEvidence is where the version came from: EvidenceLockfile,
	// EvidenceBanner, "pnpm-path" (node_modules/.pnpm/name@version), or "".
	VersionEvidence string
	// BundlePath is the bundle's runtime path (/var/task/index.js).
	BundlePath string
	// ModulePath is the package folder the bundler read, relative to the
	// project (node_modules/a/node_modules/b); "" for a banner-only find.
	ModulePath string
}

// Bundle is one bundle file and how far the cataloger could see into it.
type Bundle struct {
	Path string
	// MapPath is the shipped source map read for it, "inline", or "".
	MapPath string
	// Identified says the bundle's module list was read from a source map or
	// path comments. False means "cannot see into": only banners were read.
	Identified bool
	// Packages is how many packages were found in it.
	Packages int
}

// Result is what Catalog found.
type Result struct {
	Packages []Package
	Bundles  []Bundle
	// Lockfiles are the lockfiles versions were looked up in.
	Lockfiles []string
}

// Unidentified returns the bundles the cataloger could not see into.
func (r Result) Unidentified() []Bundle {
	var out []Bundle
	for _, b := range r.Bundles {
		if !b.Identified {
			out = append(out, b)
		}
	}
	return out
}

// Unversioned counts the packages found with no version.
func (r Result) Unversioned() int {
	n := 0
	for _, p := range r.Packages {
		if p.Version == "" {
			n++
		}
	}
	return n
}

// Limits cap what is read into memory. A file over its cap is an error
// naming it: skipping it would hide its packages.
type Limits struct {
	MaxBundleBytes int64
	MaxMapBytes    int64
	MaxLockBytes   int64
}

// DefaultLimits fit the largest function zip Lambda accepts (250 MB
// unzipped) while bounding memory.
func DefaultLimits() Limits {
	return Limits{MaxBundleBytes: 64 << 20, MaxMapBytes: 128 << 20, MaxLockBytes: 32 << 20}
}
