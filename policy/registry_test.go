package policy

import (
	"testing"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/match"
)

func registryFinding(status, name, version string, sev match.Severity) match.Finding {
	return match.Finding{IDs: []string{RegistryID(status)}, Kind: core.KindRegistry, Severity: sev,
		Summary: "npm says " + status,
		Package: core.Package{Ecosystem: "npm", Name: name, Version: version, PURL: "pkg:npm/" + name + "@" + version,
			Paths: []string{"/var/task/node_modules/" + name}, Loaded: true}}
}

func TestRegistryGate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status         string
		failOnRegistry bool
		fails          bool
		reason         string
	}{
		{"taken-down", false, true, ReasonRegistryTakenDown},
		{"taken-down", true, true, ReasonRegistryTakenDown},
		{"unpublished", false, false, ReasonRegistry},
		{"unpublished", true, true, ReasonRegistry},
		{"yanked", true, true, ReasonRegistry},
		{"retracted", true, true, ReasonRegistry},
		{"unlisted", true, true, ReasonRegistry},
		{"unlisted", false, false, ReasonRegistry},
		{"deprecated", true, false, ReasonRegistryDeprecated},
		{"deprecated", false, false, ReasonRegistryDeprecated},
		{"some-future-status", true, true, ReasonRegistry},
	}
	for _, c := range cases {
		p := Default()
		p.FailOnRegistry = c.failOnRegistry
		f := registryFinding(c.status, "flatmap-stream", "0.1.1", match.SeverityUnknown)
		d := p.Evaluate(Input{Findings: []match.Finding{f}, Now: now})
		r := d.Results[0]
		if r.Fails != c.fails || r.Reason != c.reason || d.Pass == c.fails {
			t.Errorf("%s fail_on_registry=%v: fails %v reason %q pass %v, want fails %v reason %q", c.status, c.failOnRegistry, r.Fails, r.Reason, d.Pass, c.fails, c.reason)
		}
	}
}

func TestRegistryPolicyKey(t *testing.T) {
	t.Parallel()
	if p := mustParse(t, "fail_on_registry: true"); !p.FailOnRegistry {
		t.Error("fail_on_registry: true not read")
	}
	if Default().FailOnRegistry {
		t.Error("fail_on_registry is on by default")
	}
}

func TestRegistryTakenDownShadowedAndVEXStillFail(t *testing.T) {
	t.Parallel()
	f := registryFinding("taken-down", "flatmap-stream", "0.1.1", match.SeverityCritical)
	f.Package.Loaded, f.Package.ShadowedBy = false, "/var/task/node_modules/flatmap-stream"
	d := Default().Evaluate(Input{Findings: []match.Finding{f}, Now: now})
	if d.Pass || d.Results[0].Reason != ReasonRegistryTakenDown {
		t.Errorf("shadowed taken-down copy: %+v", d.Results[0])
	}
}

func TestRegistryException(t *testing.T) {
	t.Parallel()
	p := mustParse(t, `exceptions:
  - id: REGISTRY-TAKEN-DOWN
    package: pkg:npm/flatmap-stream@0.1.1
    until: 2026-12-31
    reason: sandboxed build tool, never deployed to production
`)
	taken := registryFinding("taken-down", "flatmap-stream", "0.1.1", match.SeverityCritical)
	other := registryFinding("taken-down", "left-pad", "0.0.1", match.SeverityCritical)
	d := p.Evaluate(Input{Findings: []match.Finding{taken, other}, Now: now})
	if d.Results[0].Fails || d.Results[0].Reason != ReasonException {
		t.Errorf("excepted: %+v", d.Results[0])
	}
	if !d.Results[1].Fails || d.Pass {
		t.Errorf("other package must still fail: %+v", d.Results[1])
	}
}
