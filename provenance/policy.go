package provenance

import (
	"encoding/json"
	"errors"
)

// PolicyRequirement is the `require_provenance` block of .fnaudit.yaml. The
// policy package unmarshals it (YAML or JSON) and hands Options() to Verify:
//
//	require_provenance:
//	  identity: https://github.com/acme/fn/.github/workflows/release.yml@refs/heads/main
//	  issuer: https://token.actions.githubusercontent.com
//	  builder_id: https://github.com/actions/runner/github-hosted   # or a list
//	  source_uri: github.com/acme/fn
//	  source_ref: refs/heads/main
//
// Empty fields require nothing, except that keyless verification (no Key)
// needs an identity (or identity_regexp) and an issuer: Verify returns an
// error, not a pass, without them.
type PolicyRequirement struct {
	Identity       string     `yaml:"identity,omitempty" json:"identity,omitempty"`
	IdentityRegexp string     `yaml:"identity_regexp,omitempty" json:"identity_regexp,omitempty"`
	Issuer         string     `yaml:"issuer,omitempty" json:"issuer,omitempty"`
	IssuerRegexp   string     `yaml:"issuer_regexp,omitempty" json:"issuer_regexp,omitempty"`
	BuilderID      StringList `yaml:"builder_id,omitempty" json:"builder_id,omitempty"`
	SourceURI      string     `yaml:"source_uri,omitempty" json:"source_uri,omitempty"`
	SourceRef      string     `yaml:"source_ref,omitempty" json:"source_ref,omitempty"`
	BuildType      string     `yaml:"build_type,omitempty" json:"build_type,omitempty"`
	// Key is a PEM public key file for key-signed provenance; TrustedRoot a
	// trusted_root.json replacing the embedded public-good one. Relative
	// paths are the caller's to resolve (against the policy file's folder).
	Key         string `yaml:"key,omitempty" json:"key,omitempty"`
	TrustedRoot string `yaml:"trusted_root,omitempty" json:"trusted_root,omitempty"`
}

// Options turns the requirement into Verify options. Options given after
// these (command-line flags) add to them.
func (p PolicyRequirement) Options() []Option {
	var opts []Option
	add := func(v string, f func(string) Option) {
		if v != "" {
			opts = append(opts, f(v))
		}
	}
	add(p.Identity, WithIdentity)
	add(p.IdentityRegexp, WithIdentityRegexp)
	add(p.Issuer, WithIssuer)
	add(p.IssuerRegexp, WithIssuerRegexp)
	add(p.SourceURI, WithSourceURI)
	add(p.SourceRef, WithSourceRef)
	add(p.BuildType, WithBuildType)
	add(p.Key, WithKey)
	add(p.TrustedRoot, WithTrustedRoot)
	if len(p.BuilderID) > 0 {
		opts = append(opts, WithBuilderIDs(p.BuilderID...))
	}
	return opts
}

// StringList reads either one string or a list of strings, so a policy can
// say `builder_id: X` or `builder_id: [X, Y]`.
type StringList []string

// UnmarshalYAML implements the unmarshaler interface shared by
// go.yaml.in/yaml/v3 (and gopkg.in/yaml.v2/v3) and github.com/goccy/go-yaml.
func (s *StringList) UnmarshalYAML(unmarshal func(any) error) error {
	var one string
	if err := unmarshal(&one); err == nil {
		*s = StringList{one}
		return nil
	}
	var many []string
	if err := unmarshal(&many); err != nil {
		return errors.New("want a string or a list of strings")
	}
	*s = many
	return nil
}

// UnmarshalJSON accepts a string or an array of strings.
func (s *StringList) UnmarshalJSON(data []byte) error {
	var one string
	if err := json.Unmarshal(data, &one); err == nil {
		*s = StringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(data, &many); err != nil {
		return errors.New("want a string or a list of strings")
	}
	*s = many
	return nil
}
