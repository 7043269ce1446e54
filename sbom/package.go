package sbom

import "github.com/fnaudit/fnaudit/core"

// Package is one installed third-party package of a deployment (core.Package:
// the plain type match, policy and report consume without linking syft).
type Package = core.Package

// Evidence kinds (Package.Evidence, CycloneDX property fnaudit:evidence).
const (
	EvidenceLenient  = core.EvidenceLenient
	EvidenceLockfile = core.EvidenceLockfile
	EvidenceFolder   = core.EvidenceFolder
	EvidenceManifest = core.EvidenceManifest
)
