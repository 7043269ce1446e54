package provenance

import (
	"fmt"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
)

// GitHubWorkflowFields are cosign's --certificate-github-workflow-* fields,
// each a Fulcio certificate extension (OIDs 1.3.6.1.4.1.57264.1.2 to .6).
var GitHubWorkflowFields = []string{"trigger", "sha", "name", "repository", "ref"}

// WithGitHubWorkflow requires the signing certificate's GitHub workflow
// extension field (trigger, sha, name, repository or ref) to equal value
// exactly, as cosign's --certificate-github-workflow-<field> does.
func WithGitHubWorkflow(field, value string) Option {
	return func(c *config) error {
		if workflowValue(certificate.Extensions{}, field) == nil {
			return fmt.Errorf("unknown GitHub workflow field %q (want trigger, sha, name, repository or ref)", field)
		}
		if c.workflow == nil {
			c.workflow = map[string]string{}
		}
		c.workflow[field] = value
		return nil
	}
}

func workflowValue(e certificate.Extensions, field string) *string {
	switch field {
	case "trigger":
		return &e.GithubWorkflowTrigger
	case "sha":
		return &e.GithubWorkflowSHA
	case "name":
		return &e.GithubWorkflowName
	case "repository":
		return &e.GithubWorkflowRepository
	case "ref":
		return &e.GithubWorkflowRef
	}
	return nil
}

// checkWorkflow fails the identity check when a required GitHub workflow
// extension differs: the workflow is part of who signed.
func checkWorkflow(r *Result, cfg *config, sum certificate.Summary) {
	for _, field := range GitHubWorkflowFields {
		want, ok := cfg.workflow[field]
		if !ok {
			continue
		}
		if got := *workflowValue(sum.Extensions, field); got != want {
			r.set(CheckIdentity, Fail, "certificate GitHub workflow %s %s, want %s", field, orNone(got), want)
			return
		}
	}
}
