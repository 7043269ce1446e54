package provenance

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	goyaml "github.com/goccy/go-yaml"
	yaml "go.yaml.in/yaml/v3"
)

const policyYAML = `
require_provenance:
  identity: https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main
  issuer: https://token.actions.githubusercontent.com
  builder_id: https://github.com/actions/runner/github-hosted
  source_uri: github.com/sigstore/sigstore-js
  source_ref: refs/heads/main
`

// TestPolicyRequirementUnmarshal: the policy file's require_provenance
// block unmarshals with the YAML libraries in the module graph (go.yaml.in/yaml/v3, as feeds uses, and goccy/go-yaml) and from
// JSON; builder_id takes one id or a list.
func TestPolicyRequirementUnmarshal(t *testing.T) {
	want := PolicyRequirement{
		Identity:  "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
		Issuer:    "https://token.actions.githubusercontent.com",
		BuilderID: StringList{"https://github.com/actions/runner/github-hosted"},
		SourceURI: "github.com/sigstore/sigstore-js",
		SourceRef: "refs/heads/main",
	}
	type doc struct {
		Require PolicyRequirement `yaml:"require_provenance" json:"require_provenance"`
	}
	var a, b doc
	if err := yaml.Unmarshal([]byte(policyYAML), &a); err != nil {
		t.Fatal(err)
	}
	if err := goyaml.Unmarshal([]byte(policyYAML), &b); err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]PolicyRequirement{"yaml.v3": a.Require, "goccy": b.Require} {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %+v, want %+v", name, got, want)
		}
	}

	var list doc
	if err := yaml.Unmarshal([]byte("require_provenance:\n  builder_id: [a, b]\n"), &list); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(list.Require.BuilderID, StringList{"a", "b"}) {
		t.Errorf("list: %v", list.Require.BuilderID)
	}
	if err := yaml.Unmarshal([]byte("require_provenance:\n  builder_id: {a: b}\n"), &list); err == nil {
		t.Error("a mapping as builder_id was accepted")
	}

	var j doc
	if err := json.Unmarshal([]byte(`{"require_provenance":{"builder_id":["x","y"],"source_ref":"main"}}`), &j); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(j.Require.BuilderID, StringList{"x", "y"}) || j.Require.SourceRef != "main" {
		t.Errorf("json: %+v", j.Require)
	}
}

// TestPolicyRequirementOptions: the requirement drives Verify exactly like
// the flags: it passes the npm sigstore@2.0.0 provenance and fails it on the
// builder when the builder differs. An empty requirement is not a policy:
// keyless verification without identity is refused.
func TestPolicyRequirementOptions(t *testing.T) {
	var d struct {
		Require PolicyRequirement `yaml:"require_provenance"`
	}
	if err := yaml.Unmarshal([]byte(policyYAML), &d); err != nil {
		t.Fatal(err)
	}
	a := mustArtifact(t, "sha512:46d4e2f74c4877316640000a6fdf8a8b59f1e0847667973e9859f774dd31b8f1e0937813b777fb66a2ac67d50540fe34640966eee9fc2ccca387082b4c85cd3c")
	bundle := filepath.Join(corpusDir, "npm-sigstore-2.0.0/sigstore-2.0.0.provenance.sigstore.json")

	r, err := Verify(context.Background(), a, bundle, d.Require.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Verified {
		t.Fatalf("rejected: %s\n%s", r.Failure(), dump(r))
	}
	for _, name := range []string{CheckIdentity, CheckIssuer, CheckBuilder, CheckSource, CheckRef} {
		if !r.Check(name).Passed() {
			t.Errorf("%s: %v", name, r.Check(name))
		}
	}

	d.Require.BuilderID = StringList{"https://github.com/actions/runner/self-hosted"}
	r, err = Verify(context.Background(), a, bundle, d.Require.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	wantRejected(t, r, CheckBuilder)

	if _, err := Verify(context.Background(), a, bundle, PolicyRequirement{}.Options()...); err == nil {
		t.Error("empty requirement: keyless verification without identity was not refused")
	}
}
