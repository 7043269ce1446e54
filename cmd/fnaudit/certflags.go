package main

import (
	"github.com/spf13/cobra"

	"github.com/fnaudit/fnaudit/policy"
	"github.com/fnaudit/fnaudit/provenance"
)

// certFlags are cosign's keyless identity flags on scan. Given, they make
// --provenance required to verify with that signer, overriding the same
// fields of the policy's require_provenance and keeping its others.
type certFlags struct {
	identity, identityRegexp, issuer, issuerRegexp string
}

func (c *certFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&c.identity, "certificate-identity", "", "keyless provenance: the signing certificate's identity (SAN)")
	fl.StringVar(&c.identityRegexp, "certificate-identity-regexp", "", "keyless provenance: regular expression the identity must match")
	fl.StringVar(&c.issuer, "certificate-oidc-issuer", "", "keyless provenance: the certificate's OIDC issuer")
	fl.StringVar(&c.issuerRegexp, "certificate-oidc-issuer-regexp", "", "keyless provenance: regular expression the issuer must match")
}

func (c *certFlags) set() bool {
	return c.identity != "" || c.identityRegexp != "" || c.issuer != "" || c.issuerRegexp != ""
}

// apply writes the flags into the policy's provenance requirement. An
// identity flag replaces both of the policy's identity fields (and an
// issuer flag both issuer fields), so flag and file never combine into a
// requirement nobody wrote.
func (c *certFlags) apply(p *policy.Policy) {
	if !c.set() {
		return
	}
	if p.RequireProvenance == nil {
		p.RequireProvenance = &provenance.PolicyRequirement{}
	}
	r := p.RequireProvenance
	if c.identity != "" || c.identityRegexp != "" {
		r.Identity, r.IdentityRegexp = c.identity, c.identityRegexp
	}
	if c.issuer != "" || c.issuerRegexp != "" {
		r.Issuer, r.IssuerRegexp = c.issuer, c.issuerRegexp
	}
}
