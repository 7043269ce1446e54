// Package policy holds the gate: the policy file (.fnaudit.yaml), exceptions
// with expiry, OpenVEX statements, and the decision, with a reason for every
// finding. It decides; it does not render (see package report).
package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/fnaudit/fnaudit/match"
	"github.com/fnaudit/fnaudit/provenance"
)

// FileName is the policy file scan looks for in the working directory.
const FileName = ".fnaudit.yaml"

// Policy is what a deploy must satisfy.
type Policy struct {
	// FailOn is the lowest severity that fails the gate (default high).
	FailOn match.Severity `yaml:"fail_on"`
	// FailOnUnknown makes a vulnerability with no severity rating (no CVSS
	// vector, no label) fail the gate. Off by default, as in Grype and
	// Trivy: an alias group usually carries a GHSA rating.
	FailOnUnknown bool `yaml:"fail_on_unknown"`
	// FailOnShadowed makes findings in copies the runtime does not load (a
	// layer's package under the function's own) count like the others.
	FailOnShadowed bool `yaml:"fail_on_shadowed"`
	// FailOnDeclared makes findings in packages a shipped manifest or
	// lockfile names but the deployment does not install (sbom.Package
	// Declared) count like the others. Malicious ones always fail.
	FailOnDeclared bool `yaml:"fail_on_declared"`
	// FailOnEmpty fails the gate when the SBOM lists no installed package
	// (Input.Empty); the CLI's --fail-on-empty sets it.
	FailOnEmpty bool `yaml:"fail_on_empty"`
	// OnlyFixed lets vulnerabilities with no known fixed version pass,
	// marked no-fix (Grype's --only-fixed, Trivy's --ignore-unfixed).
	// Malware is not a vulnerability awaiting a fix: it still fails.
	OnlyFixed bool `yaml:"only_fixed"`
	// FailOnRegistry makes versions their registry unpublished, yanked,
	// retracted or unlisted fail the gate (see policy/registry.go; a
	// taken-down package fails regardless, a deprecated one never).
	FailOnRegistry bool `yaml:"fail_on_registry"`
	// IgnoreUnreachable lets Go findings whose vulnerable symbols are not in
	// the binary pass.
	IgnoreUnreachable bool `yaml:"ignore_unreachable"`
	// FailOnUnversioned fails the gate when a bundle holds packages whose
	// version could not be found, or a bundle's modules could not be seen
	// at all: only records about every version were matched against them.
	FailOnUnversioned bool `yaml:"fail_on_unversioned"`
	// Exceptions suppress named findings until a date.
	Exceptions []Exception `yaml:"exceptions"`
	// VEX lists OpenVEX documents (paths relative to the policy file) whose
	// not_affected and fixed statements suppress findings.
	VEX []string `yaml:"vex"`
	// RequireProvenance, when set, fails the gate unless signed provenance
	// of the artifact verifies with these expectations.
	RequireProvenance *provenance.PolicyRequirement `yaml:"require_provenance"`
	// FailOnEOLRuntime makes a fleet function on a deprecated runtime (an
	// eol-runtime finding) fail the gate; otherwise it is reported only.
	FailOnEOLRuntime bool `yaml:"fail_on_eol_runtime"`

	// dir is where the file was read from, for relative VEX paths; path
	// the file itself ("" for the built-in default).
	dir, path string
}

// Path is the file the policy was read from, "" for the built-in default.
func (p *Policy) Path() string { return p.path }

// Default is the policy without a file: fail on high and critical, and on
// anything malicious.
func Default() *Policy { return &Policy{FailOn: match.SeverityHigh} }

// Load reads a policy file. Unknown keys are errors: a misspelt setting
// must not silently loosen the gate.
func Load(path string) (*Policy, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read policy %s: %w", path, err)
	}
	p, err := Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", path, err)
	}
	p.dir, p.path = dirOf(path), path
	return p, nil
}

// Parse reads a policy document.
func Parse(raw []byte) (*Policy, error) {
	p := Default()
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(p); err != nil && !errors.Is(err, io.EOF) {
		return nil, explainUnknownKeys(err)
	}
	// A second document ("---") would be silently ignored by Decode: its
	// settings would look applied and be not. Refuse it.
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, err
	default:
		return nil, fmt.Errorf("line %d: a second YAML document (after \"---\"): a policy is one document; merge them", extra.Line)
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Policy) validate() error {
	sev, err := match.ParseSeverity(string(p.FailOn))
	if err != nil {
		return fmt.Errorf("fail_on: %w", err)
	}
	if sev == match.SeverityUnknown {
		return fmt.Errorf("fail_on: %q would fail every finding; use low", p.FailOn)
	}
	p.FailOn = sev
	for i := range p.Exceptions {
		if err := p.Exceptions[i].validate(); err != nil {
			return fmt.Errorf("exceptions[%d]: %w", i, err)
		}
	}
	return nil
}

// VEXPaths are the policy's VEX documents, resolved against its directory.
func (p *Policy) VEXPaths() []string {
	out := make([]string, len(p.VEX))
	for i, v := range p.VEX {
		out[i] = joinIfRelative(p.dir, v)
	}
	return out
}
