package scan

import (
	"context"
	"fmt"

	"github.com/fnaudit/fnaudit/artifact"
	"github.com/fnaudit/fnaudit/policy"
	"github.com/fnaudit/fnaudit/provenance"
	"github.com/fnaudit/fnaudit/sbom"
)

// verifyProvenance checks the request's provenance document against the
// policy's expectations; nil when none is given (the policy decides whether
// that fails the gate). An error means it could not be checked (exit 2).
func verifyProvenance(ctx context.Context, req Request, pol *policy.Policy, s *sbom.SBOM) (*provenance.Result, error) {
	p := req.Provenance
	if p.Bundle == "" {
		return nil, nil
	}
	var art provenance.Artifact
	var err error
	if s.Kind == artifact.KindZip {
		art, err = provenance.ArtifactFromFile(req.Target)
	} else {
		if s.Digest == "" {
			return nil, fmt.Errorf("--provenance: %s has no digest to check it against", req.Target)
		}
		art, err = provenance.ArtifactFromDigest(s.Digest)
	}
	if err != nil {
		return nil, err
	}
	opts, err := ProvenanceOptions(p, pol.RequireProvenance)
	if err != nil {
		return nil, err
	}
	return provenance.Verify(ctx, art, p.Bundle, opts...)
}

// ProvenanceOptions turns a provenance request and the policy's requirements into
// provenance options, with the embedded trusted root parsed once per
// process unless a key or another root is named. `fnaudit verify` uses it
// too, so both commands check provenance the same way.
func ProvenanceOptions(p Provenance, req *provenance.PolicyRequirement) ([]provenance.Option, error) {
	var opts []provenance.Option
	if req != nil {
		opts = append(opts, req.Options()...)
	}
	if p.Key != "" {
		opts = append(opts, provenance.WithKey(p.Key))
	}
	// The root also checks a key-signed bundle's transparency-log entry.
	if p.TrustedRoot != "" {
		opts = append(opts, provenance.WithTrustedRoot(p.TrustedRoot))
	} else {
		tr, err := trustedRoot()
		if err != nil {
			return nil, err
		}
		opts = append(opts, tr)
	}
	if p.IgnoreTlog {
		opts = append(opts, provenance.WithInsecureIgnoreTlog())
	}
	return opts, nil
}
