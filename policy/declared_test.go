package policy

import (
	"testing"

	"github.com/fnaudit/fnaudit/match"
	"github.com/fnaudit/fnaudit/sbom"
)

// declaredOnly makes a finding's package an entry of a shipped lockfile
// that is not installed, as sbom lists it.
func declaredOnly(f match.Finding) match.Finding {
	f.Package.Paths = []string{"/var/task/package-lock.json"}
	f.Package.Loaded, f.Package.Declared, f.Package.Evidence = false, true, sbom.EvidenceLockfile
	return f
}

// TestDeclaredNotShipped: a vulnerability in a declared-only package passes
// by default with reason "declared" and fails under fail_on_declared; a
// malicious declared package always fails.
func TestDeclaredNotShipped(t *testing.T) {
	vuln := declaredOnly(highLodash(true))
	d := Default().Evaluate(Input{Findings: []match.Finding{vuln}, Now: now})
	if !d.Pass || d.Results[0].Reason != ReasonDeclared || d.Results[0].Fails ||
		d.Results[0].Detail != "declared, not shipped: named in /var/task/package-lock.json but not installed (set fail_on_declared to fail on these)" {
		t.Errorf("declared default: pass=%v %+v", d.Pass, d.Results[0])
	}
	d = mustParse(t, "fail_on_declared: true").Evaluate(Input{Findings: []match.Finding{vuln}, Now: now})
	if d.Pass || d.Results[0].Reason != ReasonSeverity || !d.Results[0].Fails {
		t.Errorf("fail_on_declared: pass=%v %+v", d.Pass, d.Results[0])
	}
	// fail_on_shadowed does not reach declared entries: they are not copies.
	d = mustParse(t, "fail_on_shadowed: true").Evaluate(Input{Findings: []match.Finding{vuln}, Now: now})
	if !d.Pass || d.Results[0].Reason != ReasonDeclared {
		t.Errorf("fail_on_shadowed on declared: pass=%v %+v", d.Pass, d.Results[0])
	}
	mal := declaredOnly(malicious())
	d = Default().Evaluate(Input{Findings: []match.Finding{mal}, Now: now})
	if d.Pass || d.Results[0].Reason != ReasonMalicious || !d.Results[0].Fails {
		t.Errorf("malicious declared: pass=%v %+v", d.Pass, d.Results[0])
	}
}

// TestFailOnEmpty: an SBOM with no installed package warns (Decision.Empty)
// and passes by default; fail_on_empty fails the gate.
func TestFailOnEmpty(t *testing.T) {
	const warning = "no installed package found in /var/task, /opt (fn.zip, 2 files); searched for Node package folders"
	d := Default().Evaluate(Input{Now: now, Empty: warning})
	if !d.Pass || d.Empty == nil || d.Empty.Fails || d.Empty.Detail != warning {
		t.Errorf("default: pass=%v empty=%+v", d.Pass, d.Empty)
	}
	d = mustParse(t, "fail_on_empty: true").Evaluate(Input{Now: now, Empty: warning})
	if d.Pass || d.Empty == nil || !d.Empty.Fails {
		t.Errorf("fail_on_empty: pass=%v empty=%+v", d.Pass, d.Empty)
	}
	d = mustParse(t, "fail_on_empty: true").Evaluate(Input{Now: now})
	if !d.Pass || d.Empty != nil {
		t.Errorf("fail_on_empty with packages: pass=%v empty=%+v", d.Pass, d.Empty)
	}
}
