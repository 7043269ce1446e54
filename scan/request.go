package scan

import (
	"time"

	"github.com/fnaudit/fnaudit/artifact"
	"github.com/fnaudit/fnaudit/policy"
)

// Request is one scan.
type Request struct {
	// Target is a function zip, a layer zip, a directory, an image
	// reference (oci-dir:, oci-archive:, docker-archive:, registry:) or an
	// SBOM file made elsewhere.
	Target string
	// Layers are Lambda layer zips in the function's order (up to 5).
	Layers []string
	// Runtime overrides detection ("nodejs20.x"); Platform picks an image
	// from an index.
	Runtime  string
	Platform string
	// Limits replace the engine's for this scan when set (zero fields take
	// artifact.DefaultLimits).
	Limits *artifact.Limits

	// Policy decides the gate (policy.Default() when nil).
	Policy *policy.Policy
	// VEX are OpenVEX documents beyond those the policy names.
	VEX []string
	// VEXMatchNames lets a VEX statement whose product is only the
	// artifact's file name clear findings (--vex-match-names); otherwise
	// products match by digest or purl.
	VEXMatchNames bool
	// Provenance is the signed provenance of Target, checked against the
	// policy's require_provenance.
	Provenance Provenance

	// CheckRegistry asks the packages' registries online what they say
	// about the deployed versions (issue 14) and caches the answers in the
	// advisory database. Without it, a scan assesses the cached snapshot
	// when the database holds one (see scan/registry.go).
	CheckRegistry bool
	// Registries overrides registry base URLs per ecosystem
	// (registry.ParseBaseURLs of `--registry npm=URL`).
	Registries map[string]string

	// Now is the scan's clock (time.Now() when zero): exception expiry,
	// database age and the report's timestamp all read it.
	Now time.Time
}

// Provenance says how to check a provenance document.
type Provenance struct {
	// Bundle is the provenance file; "" when none was given.
	Bundle string
	// Key is a PEM public key it must be signed with (else keyless).
	Key string
	// TrustedRoot replaces the embedded Sigstore public-good root.
	TrustedRoot string
	// IgnoreTlog accepts a signature without a transparency-log entry.
	IgnoreTlog bool
}

func (r Request) limits(engine artifact.Limits) artifact.Limits {
	if r.Limits != nil {
		return *r.Limits
	}
	return engine
}
