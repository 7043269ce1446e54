package provenance

import (
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
)

// checkIdentity compares the Fulcio certificate's subject alternative name
// and OIDC issuer with the policy, with cosign's semantics: exact strings,
// or regular expressions that match anywhere unless anchored with ^…$.
// The two are separate checks so a rejection says which one differed.
func checkIdentity(r *Result, cfg *config, e *entityParts) {
	switch {
	case cfg.keyMode():
		r.set(CheckIdentity, Skip, "signed with a key: no certificate identity")
		r.set(CheckIssuer, Skip, "signed with a key: no certificate issuer")
		return
	case e.leaf == nil:
		r.set(CheckIdentity, Fail, "no certificate in the bundle")
		r.set(CheckIssuer, Fail, "no certificate in the bundle")
		return
	}
	sum, err := certificate.SummarizeCertificate(e.leaf)
	if err != nil {
		r.set(CheckIdentity, Fail, "read certificate identity: %v", err)
		r.set(CheckIssuer, Fail, "read certificate issuer: %v", err)
		return
	}
	r.Identity, r.Issuer = sum.SubjectAlternativeName, sum.Issuer

	switch got := sum.SubjectAlternativeName; {
	case cfg.identityRegexp != nil && cfg.identityRegexp.MatchString(got):
		r.set(CheckIdentity, Pass, "%s matches %q", got, cfg.identityRegexp.String())
	case cfg.identityRegexp != nil:
		r.set(CheckIdentity, Fail, "certificate identity %s does not match %q", orNone(got), cfg.identityRegexp.String())
	case got == cfg.identity:
		r.set(CheckIdentity, Pass, "%s", got)
	default:
		r.set(CheckIdentity, Fail, "certificate identity %s, want %s", orNone(got), cfg.identity)
	}
	if r.Check(CheckIdentity).Passed() {
		checkWorkflow(r, cfg, sum)
	}

	switch got := sum.Issuer; {
	case cfg.issuerRegexp != nil && cfg.issuerRegexp.MatchString(got):
		r.set(CheckIssuer, Pass, "%s matches %q", got, cfg.issuerRegexp.String())
	case cfg.issuerRegexp != nil:
		r.set(CheckIssuer, Fail, "certificate OIDC issuer %s does not match %q", orNone(got), cfg.issuerRegexp.String())
	case got == cfg.issuer:
		r.set(CheckIssuer, Pass, "%s", got)
	default:
		r.set(CheckIssuer, Fail, "certificate OIDC issuer %s, want %s", orNone(got), cfg.issuer)
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
