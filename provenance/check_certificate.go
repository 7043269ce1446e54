package provenance

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// checkCertificate validates the signing certificate the way sigstore-go's
// Verifier does: path validation to a Fulcio CA of the trusted root at every
// verified signing time (a Fulcio certificate lives ten minutes, so "now"
// would reject every real bundle), then the embedded SCT against the
// trusted CT logs.
func checkCertificate(r *Result, cfg *config, tm root.TrustedMaterial, e *entityParts, stamps []stamp, now time.Time) {
	switch {
	case cfg.keyMode():
		r.set(CheckCertificate, Skip, "signed with a key: no certificate to check")
		return
	case e.leaf == nil:
		r.set(CheckCertificate, Fail, "no certificate in the bundle")
		return
	}
	if len(stamps) == 0 {
		if !cfg.ignoreTlog {
			r.set(CheckCertificate, Fail, "no verified signing time to check the certificate at (needs a transparency log entry or an RFC 3161 timestamp)")
			return
		}
		// cosign --insecure-ignore-tlog does the same: without a trusted
		// time the certificate must be valid now.
		stamps = []stamp{{at: now, source: "current time"}}
	}
	leaf := withoutOtherNameSAN(e.leaf)
	validity := fmt.Sprintf("valid %s to %s", leaf.NotBefore.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339))
	var chains [][]*x509.Certificate
	for _, s := range stamps {
		if s.at.Before(leaf.NotBefore) || s.at.After(leaf.NotAfter) {
			r.set(CheckCertificate, Fail, "certificate %s, not at signing time %s (%s)", validity, s.at.UTC().Format(time.RFC3339), s.source)
			return
		}
		var err error
		chains, err = verifyLeaf(s.at, leaf, tm, e.vc.Intermediates())
		if err != nil {
			r.set(CheckCertificate, Fail, "certificate issued by %q does not chain to a certificate authority of the trusted root valid at %s (%s)",
				leaf.Issuer.String(), s.at.UTC().Format(time.RFC3339), s.source)
			return
		}
	}
	sct := "no CT log in the trusted root, SCT not required"
	if len(tm.CTLogs()) > 0 {
		if err := verify.VerifySignedCertificateTimestamp(chains, 1, tm); err != nil {
			r.set(CheckCertificate, Fail, "certificate has no valid signed certificate timestamp from a trusted CT log: %v", err)
			return
		}
		sct = "SCT verified"
	}
	r.set(CheckCertificate, Pass, "issued by %q, chains to the trusted root, %s; %s", leaf.Issuer.String(), validity, sct)
}

// verifyLeaf is sigstore-go's verifyLeafCertificate: any Fulcio CA of the
// trusted root, with the bundle's intermediates added to its own.
func verifyLeaf(at time.Time, leaf *x509.Certificate, tm root.TrustedMaterial, intermediates []*x509.Certificate) ([][]*x509.Certificate, error) {
	for _, ca := range tm.FulcioCertificateAuthorities() {
		if fca, ok := ca.(*root.FulcioCertificateAuthority); ok && len(intermediates) > 0 {
			with := *fca
			with.Intermediates = append(append([]*x509.Certificate{}, fca.Intermediates...), intermediates...)
			ca = &with
		}
		if chains, err := ca.Verify(leaf, at); err == nil {
			return chains, nil
		}
	}
	return nil, errors.New("leaf certificate verification failed")
}

// withoutOtherNameSAN returns a copy of cert that Go's x509 path validation
// accepts: Fulcio marks an OtherName SAN (e.g. "foo!oidc.local") critical,
// which crypto/x509 cannot parse; the SAN is read separately, from the
// untouched certificate.
func withoutOtherNameSAN(cert *x509.Certificate) *x509.Certificate {
	if len(cert.UnhandledCriticalExtensions) == 0 {
		return cert
	}
	c := *cert
	var keep []asn1.ObjectIdentifier
	for _, oid := range cert.UnhandledCriticalExtensions {
		if !oid.Equal(cryptoutils.SANOID) {
			keep = append(keep, oid)
		}
	}
	c.UnhandledCriticalExtensions = keep
	return &c
}

// certSubject is a short description of a certificate for messages.
func certSubject(cert *x509.Certificate) string {
	if names := cryptoutils.GetSubjectAlternateNames(cert); len(names) > 0 {
		return strings.Join(names, ", ")
	}
	return cert.Subject.String()
}
