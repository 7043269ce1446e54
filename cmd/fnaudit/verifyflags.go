package main

import (
	"fmt"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/fnaudit/fnaudit/provenance"
)

// cosignVerifyFlags are cosign verify-attestation's flags beyond identity
// and issuer: the GitHub workflow certificate extensions (exact match, as
// cosign) and --type, the predicate type the statement must carry.
type cosignVerifyFlags struct {
	workflow      map[string]*string
	predicateType string
}

// predicateTypes are cosign v2's --type names for provenance, and the
// others it knows, by predicate URI.
var predicateTypes = map[string]string{
	"slsaprovenance":   "https://slsa.dev/provenance/v0.2",
	"slsaprovenance02": "https://slsa.dev/provenance/v0.2",
	"slsaprovenance1":  "https://slsa.dev/provenance/v1",
	"link":             "https://in-toto.io/Link/v1",
	"spdx":             "https://spdx.dev/Document",
	"spdxjson":         "https://spdx.dev/Document",
	"cyclonedx":        "https://cyclonedx.org/bom",
	"vuln":             "https://cosign.sigstore.dev/attestation/vuln/v1",
	"custom":           "https://cosign.sigstore.dev/attestation/v1",
}

func (c *cosignVerifyFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	c.workflow = map[string]*string{}
	for _, field := range provenance.GitHubWorkflowFields {
		c.workflow[field] = fl.String("certificate-github-workflow-"+field, "",
			"the certificate's GitHub workflow "+field+" extension must equal this (as cosign)")
	}
	fl.StringVar(&c.predicateType, "type", "", "predicate type the statement must carry: slsaprovenance, slsaprovenance02,\n"+
		"slsaprovenance1, custom, ... or a URI (default: any SLSA provenance)")
}

func (c *cosignVerifyFlags) options() []provenance.Option {
	var opts []provenance.Option
	for _, field := range provenance.GitHubWorkflowFields {
		if v := *c.workflow[field]; v != "" {
			opts = append(opts, provenance.WithGitHubWorkflow(field, v))
		}
	}
	return opts
}

// wantType is --type as a predicate URI ("" when not given).
func (c *cosignVerifyFlags) wantType() (string, error) {
	if c.predicateType == "" {
		return "", nil
	}
	if uri, ok := predicateTypes[c.predicateType]; ok {
		return uri, nil
	}
	if u, err := url.ParseRequestURI(c.predicateType); err != nil || u.Scheme == "" {
		return "", fmt.Errorf("--type %q: want slsaprovenance, slsaprovenance02, slsaprovenance1, custom, ... or a URI", c.predicateType)
	}
	return c.predicateType, nil
}

// checkType rejects a verified statement of another predicate type.
func checkType(res *provenance.Result, want string) {
	if want == "" || res.PredicateType == want {
		return
	}
	res.Verified = false
	res.Checks = append(res.Checks, provenance.Check{Name: "type", Status: provenance.Fail,
		Detail: fmt.Sprintf("predicate type %s, want %s", res.PredicateType, want)})
}
