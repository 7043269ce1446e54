package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/match"
	"github.com/fnaudit/fnaudit/provenance"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func lodash(version string, loaded bool) core.Package {
	p := core.Package{Ecosystem: "npm", Name: "lodash", Version: version, PURL: "pkg:npm/lodash@" + version,
		Paths: []string{"/var/task/node_modules/lodash"}, Loaded: loaded}
	if !loaded {
		p.Paths = []string{"/opt/nodejs/node_modules/lodash"}
		p.ShadowedBy = "/var/task/node_modules/lodash"
	}
	return p
}

// highLodash is GHSA-p6mc-m468-83gw (lodash prototype pollution, CVSS 7.4)
// as match reports it for lodash 4.17.15.
func highLodash(loaded bool) match.Finding {
	return match.Finding{IDs: []string{"GHSA-p6mc-m468-83gw"}, Aliases: []string{"CVE-2020-8203"},
		Kind: core.KindVulnerability, Severity: match.SeverityHigh, Score: 7.4, Package: lodash("4.17.15", loaded), FixedIn: "4.17.19"}
}

func malicious() match.Finding {
	return match.Finding{IDs: []string{"MAL-2025-20690"}, Kind: core.KindMalicious, Severity: match.SeverityCritical,
		Package: core.Package{Ecosystem: "npm", Name: "flatmap-stream", Version: "0.1.1", PURL: "pkg:npm/flatmap-stream@0.1.1",
			Paths: []string{"/var/task/node_modules/flatmap-stream"}, Loaded: true}}
}

func mustParse(t *testing.T, doc string) *Policy {
	t.Helper()
	p, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFailOnThreshold(t *testing.T) {
	f := highLodash(true)
	if d := Default().Evaluate(Input{Findings: []match.Finding{f}, Now: now}); d.Pass || d.Results[0].Reason != ReasonSeverity {
		t.Errorf("default policy: %+v", d.Results[0])
	}
	if d := mustParse(t, "fail_on: critical").Evaluate(Input{Findings: []match.Finding{f}, Now: now}); !d.Pass || d.Results[0].Reason != ReasonBelow {
		t.Errorf("fail_on critical: %+v", d.Results[0])
	}
	f.Severity = match.SeverityUnknown
	if d := Default().Evaluate(Input{Findings: []match.Finding{f}, Now: now}); !d.Pass || d.Results[0].Reason != ReasonUnrated {
		t.Errorf("unknown severity, default: %+v", d.Results[0])
	}
	if d := mustParse(t, "fail_on_unknown: true").Evaluate(Input{Findings: []match.Finding{f}, Now: now}); d.Pass {
		t.Errorf("unknown severity with fail_on_unknown passed")
	}
}

// TestExceptions: an exception in force clears a finding (malware too); the
// day after its until date it stops suppressing and the decision says so.
func TestExceptions(t *testing.T) {
	p := mustParse(t, `
exceptions:
  - id: CVE-2020-8203
    package: pkg:npm/lodash
    until: 2026-11-23
    reason: only used with trusted input
  - id: MAL-2025-20690
    until: 2026-11-30
    reason: incident 4711, removal in progress
`)
	d := p.Evaluate(Input{Findings: []match.Finding{highLodash(true), malicious()}, Now: now})
	if !d.Pass || d.Results[0].Reason != ReasonException || d.Results[1].Reason != ReasonException {
		t.Fatalf("exceptions in force: %+v", d.Results)
	}
	later := now.Add(24 * time.Hour) // 2026-11-24: the lodash exception has expired
	d = p.Evaluate(Input{Findings: []match.Finding{highLodash(true), malicious()}, Now: later})
	if d.Pass || !d.Results[0].Fails || !d.Results[0].ExceptionExpired || d.Results[0].Reason != ReasonSeverity {
		t.Errorf("expired exception: %+v", d.Results[0])
	}
	wantNotes := []string{
		"exception for CVE-2020-8203 expired on 2026-11-23 and no longer suppresses it (only used with trusted input)",
		"exception for MAL-2025-20690 expires on 2026-11-30 (in 6 days); renew it or fix the finding",
	}
	if strings.Join(d.Notes, "\n") != strings.Join(wantNotes, "\n") {
		t.Errorf("notes %q, want %q", d.Notes, wantNotes)
	}
	if d.Results[1].Fails {
		t.Errorf("the malware exception, still in force, stopped suppressing")
	}
	// a package selector with another version does not apply
	p2 := mustParse(t, "exceptions:\n  - {id: GHSA-p6mc-m468-83gw, package: 'pkg:npm/lodash@4.17.21', until: 2027-01-01, reason: r}\n")
	if d := p2.Evaluate(Input{Findings: []match.Finding{highLodash(true)}, Now: now}); d.Pass {
		t.Error("exception for another version applied")
	}
}

func TestMaliciousAlwaysFails(t *testing.T) {
	d := mustParse(t, "fail_on: critical\nfail_on_shadowed: false").Evaluate(Input{Findings: []match.Finding{malicious()}, Now: now})
	if d.Pass || d.Results[0].Reason != ReasonMalicious {
		t.Errorf("%+v", d.Results[0])
	}
}

func TestShadowed(t *testing.T) {
	f := highLodash(false)
	if d := Default().Evaluate(Input{Findings: []match.Finding{f}, Now: now}); !d.Pass || d.Results[0].Reason != ReasonShadowed {
		t.Errorf("shadowed copy failed the default gate: %+v", d.Results[0])
	}
	if d := mustParse(t, "fail_on_shadowed: true").Evaluate(Input{Findings: []match.Finding{f}, Now: now}); d.Pass {
		t.Error("fail_on_shadowed: true did not fail")
	}
}

func TestUnreachableGo(t *testing.T) {
	f := match.Finding{IDs: []string{"GO-2022-0969"}, Kind: core.KindVulnerability, Severity: match.SeverityHigh,
		Reachable: match.Unreachable, Package: core.Package{Ecosystem: "Go", Name: "golang.org/x/net", Version: "v0.0.0-20210226172049-e18ecbb05110", Loaded: true}}
	if d := Default().Evaluate(Input{Findings: []match.Finding{f}, Now: now}); d.Pass {
		t.Error("unreachable finding passed without ignore_unreachable")
	}
	if d := mustParse(t, "ignore_unreachable: true").Evaluate(Input{Findings: []match.Finding{f}, Now: now}); !d.Pass || d.Results[0].Reason != ReasonUnreachable {
		t.Errorf("ignore_unreachable: %+v", d.Results[0])
	}
	f.Reachable = match.ReachabilityUnknown
	if d := mustParse(t, "ignore_unreachable: true").Evaluate(Input{Findings: []match.Finding{f}, Now: now}); d.Pass {
		t.Error("unknown reachability was ignored")
	}
}

// TestVEX: an OpenVEX not_affected statement about the package clears the
// finding and is cited; an affected statement does not; a statement about
// the malware does not clear it.
func TestVEX(t *testing.T) {
	docs, err := LoadVEX(filepath.Join("testdata", "lodash-not-affected.openvex.json"), filepath.Join("testdata", "artifact-subcomponent.openvex.json"))
	if err != nil {
		t.Fatal(err)
	}
	d := Default().Evaluate(Input{Findings: []match.Finding{highLodash(true)}, VEX: docs[:1], Now: now})
	r := d.Results[0]
	if !d.Pass || r.Reason != ReasonVEX || r.VEX == nil || r.VEX.Status != "not_affected" ||
		r.VEX.Justification != "vulnerable_code_not_in_execute_path" || !strings.Contains(r.Detail, "lodash-not-affected.openvex.json") {
		t.Errorf("VEX not_affected: %+v %+v", r, r.VEX)
	}
	// The artifact as product (by digest), the package as subcomponent.
	in := Input{Findings: []match.Finding{highLodash(true), malicious()}, VEX: docs[1:], Now: now,
		ArtifactDigest: "sha256:c4bf2dac57c762284f52df2e9bfd0ba91baa60e2d6e15df77f60c50e7f4ed746", ArtifactName: "function.zip"}
	d = Default().Evaluate(in)
	if d.Results[0].Reason != ReasonVEX || d.Results[0].VEX.Status != "fixed" {
		t.Errorf("artifact-level VEX: %+v", d.Results[0])
	}
	if !d.Results[1].Fails || d.Results[1].VEX == nil {
		t.Errorf("VEX cleared malware: %+v", d.Results[1])
	}
	in.ArtifactDigest = "sha256:0000"
	if d := Default().Evaluate(in); d.Results[0].Reason == ReasonVEX {
		t.Error("a statement about another artifact applied")
	}
}

// TestExceptionNotes: an exception that matches nothing is noted, and so
// is one in force whose last day is within ExpiryWarning; one far from
// expiry is not.
func TestExceptionNotes(t *testing.T) {
	p := mustParse(t, `
exceptions:
  - {id: CVE-2020-8203, until: 2026-12-01, reason: r}
  - {id: GHSA-0000-0000-0000, until: 2099-01-01, reason: typo}
  - {id: MAL-2025-20690, until: 2099-01-01, reason: far}
`)
	d := p.Evaluate(Input{Findings: []match.Finding{highLodash(true), malicious()}, Now: now})
	want := []string{
		"exception for CVE-2020-8203 expires on 2026-12-01 (in 8 days); renew it or fix the finding",
		"exception for GHSA-0000-0000-0000 matched no finding; remove it or correct its id",
	}
	if strings.Join(d.Notes, "\n") != strings.Join(want, "\n") {
		t.Errorf("notes %q, want %q", d.Notes, want)
	}
}

// TestFailOnNoneAndOnlyFixed: fail_on none fails on no severity but
// malware still fails; only_fixed lets a finding without a fix pass.
func TestFailOnNoneAndOnlyFixed(t *testing.T) {
	d := mustParse(t, "fail_on: none").Evaluate(Input{Findings: []match.Finding{highLodash(true), malicious()}, Now: now})
	if d.Pass || d.Results[0].Fails || d.Results[0].Reason != ReasonBelow || !d.Results[1].Fails {
		t.Errorf("fail_on none: %+v", d.Results)
	}
	f := highLodash(true)
	f.FixedIn = ""
	d = mustParse(t, "only_fixed: true").Evaluate(Input{Findings: []match.Finding{f, malicious()}, Now: now})
	if d.Results[0].Fails || d.Results[0].Reason != ReasonNoFix || !d.Results[1].Fails {
		t.Errorf("only_fixed: %+v", d.Results)
	}
}

func TestPolicyFileErrors(t *testing.T) {
	for doc, want := range map[string]string{
		"fail_on: severe": "fail_on: unknown severity",
		"fial_on: high":   "line 1: unknown key fial_on, did you mean fail_on",
		"failOn: high":    "line 1: unknown key failOn, did you mean fail_on",
		"exceptions:\n  - {id: X, untill: 2026-01-01}": "line 2: unknown key untill, did you mean until",
		"zzzzzz: 1":                                        "unknown key zzzzzz (known keys: fail_on,",
		"exceptions:\n  - {id: X, reason: r}":              "until is required",
		"exceptions:\n  - {id: X, until: 2026-01-01}":      "reason is required",
		"exceptions:\n  - {id: X, until: soon, reason: r}": "is not a date",
	} {
		if _, err := Parse([]byte(doc)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", doc, err, want)
		}
	}
	dir := t.TempDir()
	p := filepath.Join(dir, FileName)
	if err := os.WriteFile(p, []byte("fail_on: medium\nvex: [a.json]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pol, err := Load(p)
	if err != nil || pol.FailOn != match.SeverityMedium || pol.VEXPaths()[0] != filepath.Join(dir, "a.json") {
		t.Errorf("Load: %+v %v", pol, err)
	}
}

func TestProvenanceRequired(t *testing.T) {
	p := mustParse(t, "require_provenance:\n  identity: https://github.com/o/r/.github/workflows/release.yml@refs/heads/main\n  issuer: https://token.actions.githubusercontent.com\n")
	if d := p.Evaluate(Input{Now: now}); d.Pass || !d.Provenance.Fails || !strings.Contains(d.Provenance.Detail, "none was given") {
		t.Errorf("missing provenance: %+v", d.Provenance)
	}
	rej := &provenance.Result{Verified: false, Checks: []provenance.Check{{Name: "digest", Status: provenance.Fail, Detail: "subject sha256 does not match"}}}
	if d := p.Evaluate(Input{Provenance: rej, Now: now}); d.Pass || !strings.Contains(d.Provenance.Detail, "digest") {
		t.Errorf("rejected provenance: %+v", d.Provenance)
	}
	ok := &provenance.Result{Verified: true, Builder: "b", SourceURI: "s", SourceRef: "r"}
	if d := p.Evaluate(Input{Provenance: ok, Now: now}); !d.Pass {
		t.Errorf("verified provenance failed: %+v", d.Provenance)
	}
}
