package sbom

import "github.com/fnaudit/fnaudit/core"

// Package is one installed third-party package of a deployment (core.Package:
// the plain type match, policy and report consume without linking syft).
type Package = core.Package
