package provenance

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	intoto "github.com/in-toto/attestation/go/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
)

// Verify checks that the provenance file at bundlePath (a Sigstore bundle,
// .intoto.jsonl, npm attestations document or DSSE envelope) is validly
// signed and vouches for artifact, under the policy given by opts.
//
// The returned error is only for "could not check" (unreadable or
// malformed file, bad trusted root or key, incomplete policy): the caller
// must not treat it as a pass. A completed check that rejects the bundle
// returns a Result with Verified false and the failing check named
// (Result.Failure). When the file holds several entries, the first that
// verifies is reported, or else the one that got furthest.
func Verify(ctx context.Context, artifact Artifact, bundlePath string, opts ...Option) (*Result, error) {
	data, err := readLimited(bundlePath, maxProvenanceFile)
	if err != nil {
		return nil, fmt.Errorf("read provenance: %w", err)
	}
	return VerifyData(ctx, artifact, bundlePath, data, opts...)
}

// VerifyData is Verify for a provenance document already in memory; name
// labels it in the result and in errors.
func VerifyData(ctx context.Context, artifact Artifact, name string, data []byte, opts ...Option) (*Result, error) {
	cfg := &config{}
	for _, o := range opts {
		if err := o(cfg); err != nil {
			return nil, fmt.Errorf("provenance policy: %w", err)
		}
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("provenance policy: %w", err)
	}
	if err := checkArtifact(artifact); err != nil {
		return nil, err
	}
	pf, err := parseProvenance(data)
	if err != nil {
		return nil, fmt.Errorf("provenance %s: %w", name, err)
	}
	trustRoot, pub, err := cfg.trust()
	if err != nil {
		return nil, err
	}

	var best *Result
	for i, e := range pf.entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r, err := verifyEntry(cfg, trustRoot, pub, artifact, e, time.Now())
		if err != nil {
			return nil, fmt.Errorf("provenance %s: %s: %w", name, orNone(e.label), err)
		}
		r.Format = e.format
		if len(pf.entries) > 1 {
			r.Format = pf.format + ", " + e.format
			r.Entry, r.Entries = i+1, len(pf.entries)
		} else if pf.format == formatNPM {
			r.Format = pf.format + ", " + e.format
		}
		if best == nil || (r.Verified && !best.Verified) || (!best.Verified && r.furthest() > best.furthest()) {
			best = r
		}
		if best.Verified {
			break
		}
	}
	best.Bundle, best.Artifact = name, artifact.Name
	return best, nil
}

func checkArtifact(a Artifact) error {
	if len(a.Digests) == 0 {
		return errors.New("no artifact digest to verify the provenance against")
	}
	for alg, d := range a.Digests {
		if n, ok := digestLen[alg]; !ok || len(d) != n {
			return fmt.Errorf("artifact %s: bad %s digest (%d bytes)", a.Name, alg, len(d))
		}
	}
	return nil
}

// trust loads the trusted root (given, from a file, or the embedded
// public-good one) and the key, if any.
func (c *config) trust() (root.TrustedMaterial, crypto.PublicKey, error) {
	var tm root.TrustedMaterial
	switch {
	case c.trustedMaterial != nil:
		tm = c.trustedMaterial
	case c.trustedRootPath != "":
		tr, err := loadTrustedRoot(c.trustedRootPath)
		if err != nil {
			return nil, nil, err
		}
		tm = tr
	default:
		tr, err := DefaultTrustedRoot()
		if err != nil {
			return nil, nil, err
		}
		tm = tr
	}
	pub := c.publicKey
	if c.keyPath != "" {
		var err error
		if pub, err = loadPublicKey(c.keyPath); err != nil {
			return nil, nil, err
		}
	} else if pub != nil {
		if err := checkKeyType(pub); err != nil {
			return nil, nil, fmt.Errorf("public key: %w", err)
		}
	}
	return tm, pub, nil
}

// entityParts is one bundle taken apart once for all checks.
type entityParts struct {
	b       *bundle.Bundle
	sig     verify.SignatureContent
	vc      verify.VerificationContent
	leaf    *x509.Certificate
	keyHint string
	stmt    *intoto.Statement // DSSE only
	stmtErr error
}

// verifyEntry runs every check on one bundle. Checks do not stop at the
// first failure: the report shows all of them.
func verifyEntry(cfg *config, trustRoot root.TrustedMaterial, pub crypto.PublicKey, a Artifact, e entry, now time.Time) (*Result, error) {
	parts := &entityParts{b: e.bundle}
	var err error
	if parts.sig, err = e.bundle.SignatureContent(); err != nil {
		return nil, fmt.Errorf("signature content: %w", err)
	}
	if parts.vc, err = e.bundle.VerificationContent(); err != nil {
		return nil, fmt.Errorf("verification material: %w", err)
	}
	parts.leaf = parts.vc.Certificate()
	if pk := parts.vc.PublicKey(); pk != nil {
		parts.keyHint = pk.Hint()
	}
	if env := parts.sig.EnvelopeContent(); env != nil {
		raw := env.RawEnvelope()
		payload, err := raw.DecodeB64Payload()
		if err != nil {
			parts.stmtErr = fmt.Errorf("DSSE payload: %w", err)
		} else {
			parts.stmt, parts.stmtErr = parseStatement(raw.PayloadType, payload)
		}
	}

	tm := trustRoot
	if pub != nil {
		km, err := keyMaterial(pub, parts.sig.MessageSignatureContent() != nil)
		if err != nil {
			return nil, err
		}
		tm = root.TrustedMaterialCollection{trustRoot, km}
	}

	r := &Result{KeyHint: parts.keyHint}
	checkSignature(r, cfg, tm, parts)
	stamps := checkTlog(r, cfg, tm, parts)
	if len(stamps) > 0 {
		r.SignedAt = stamps[0].at
	}
	checkCertificate(r, cfg, tm, parts, stamps, now)
	checkIdentity(r, cfg, parts)
	if r.Check(CheckSignature).Passed() {
		checkDigest(r, a, parts)
		checkProvenance(r, cfg, parts)
	} else {
		// What an unverified payload says proves nothing, so it is not
		// reported, not even as a match.
		for _, name := range []string{CheckDigest, CheckProvenance, CheckBuilder, CheckSource, CheckRef, CheckBuildType} {
			r.set(name, Skip, "not checked: the signature does not verify")
		}
	}
	r.finish()
	return r, nil
}
