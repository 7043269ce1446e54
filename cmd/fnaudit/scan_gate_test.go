package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/internal/schemacheck"
	"github.com/fnaudit/fnaudit/provenance/cosigntest"
)

// TestScanFormats: SARIF validates against SARIF 2.1.0, CycloneDX (the SBOM
// with its vulnerabilities) against CycloneDX 1.6; Markdown and the table
// name the failing finding; --output writes the file and still prints the
// table.
func TestScanFormats(t *testing.T) {
	t.Parallel()
	db := corpusDB(t)
	target := filepath.Join(functionsDir, "event-stream-reconstruction.zip")
	for format, schema := range map[string]string{"sarif": schemacheck.SARIF210, "cyclonedx-json": schemacheck.CycloneDX16} {
		code, out, errs := runCLI(t, append(append([]string{}, db...), "scan", "-o", format, target)...)
		if code != 1 {
			t.Fatalf("%s: exit %d: %s", format, code, errs)
		}
		if err := schemacheck.Validate(schemasDir, schema, []byte(out)); err != nil {
			t.Errorf("%s output does not validate: %v", format, err)
		}
		if !strings.Contains(out, "MAL-2025-20690") || !strings.Contains(out, "GHSA-mh6f-8j2x-4483") {
			t.Errorf("%s output lacks the advisories", format)
		}
	}
	var bom struct {
		Vulnerabilities []struct {
			ID      string `json:"id"`
			Affects []struct {
				Ref string `json:"ref"`
			} `json:"affects"`
		} `json:"vulnerabilities"`
		Components []struct {
			BOMRef string `json:"bom-ref"`
			Name   string `json:"name"`
		} `json:"components"`
	}
	_, out, _ := runCLI(t, append(append([]string{}, db...), "scan", "-o", "cyclonedx-json", target)...)
	if err := json.Unmarshal([]byte(out), &bom); err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, c := range bom.Components {
		names[c.BOMRef] = c.Name
	}
	if len(bom.Vulnerabilities) != 3 {
		t.Fatalf("%d vulnerabilities", len(bom.Vulnerabilities))
	}
	for _, v := range bom.Vulnerabilities {
		if len(v.Affects) != 1 || names[v.Affects[0].Ref] == "" {
			t.Errorf("vulnerability %s affects %v, not a component of the BOM", v.ID, v.Affects)
		}
	}

	code, out, _ := runCLI(t, append(append([]string{}, db...), "scan", "-o", "markdown", target)...)
	if code != 1 || !strings.Contains(out, "❌ **fnaudit: gate failed** — 3 of 3 findings fail") || !strings.Contains(out, "| **FAIL** malicious | critical | malicious | [MAL-2025-20690](https://osv.dev/vulnerability/MAL-2025-20690) | `flatmap-stream@0.1.1`") {
		t.Errorf("markdown (exit %d):\n%s", code, out)
	}
	dest := filepath.Join(t.TempDir(), "report.sarif")
	code, out, _ = runCLI(t, append(append([]string{}, db...), "scan", "-o", "sarif", "--output", dest, target)...)
	if code != 1 || !strings.Contains(out, "Gate: FAILED (fail-on high; 3 of 3 findings fail)") {
		t.Errorf("table alongside --output (exit %d):\n%s", code, out)
	}
	if raw, err := os.ReadFile(dest); err != nil || schemacheck.Validate(schemasDir, schemacheck.SARIF210, raw) != nil {
		t.Errorf("--output file: %v", err)
	}
}

// TestScanPolicyChangesGate: an exception in force clears a finding and an
// expired one no longer does (and says so); a VEX not_affected statement
// clears a finding and is cited; a Go finding the binary cannot reach stops
// failing under ignore_unreachable.
func TestScanPolicyChangesGate(t *testing.T) {
	t.Parallel()
	db := corpusDB(t)
	dir := t.TempDir()
	pythonApp := filepath.Join(functionsDir, "python-app.zip")

	// python-app fails on three high findings: GHSA-248v-346w-9cwc (certifi),
	// PYSEC-2024-60 (idna), PYSEC-2023-192 (urllib3).
	code, r, _ := scanJSON(t, db, pythonApp)
	if code != 1 || r.Gate.Failing != 3 {
		t.Fatalf("baseline: exit %d failing %d", code, r.Gate.Failing)
	}
	exceptions := `exceptions:
  - {id: GHSA-248v-346w-9cwc, package: pkg:pypi/certifi, until: %s, reason: certifi is pinned by the platform team}
  - {id: CVE-2024-3651, until: %s, reason: idna input is internal}
  - {id: PYSEC-2023-192, package: pkg:pypi/urllib3@1.26.12, until: %s, reason: no proxies in use}
`
	live := writeFile(t, dir, "live.yaml", fmt.Sprintf(exceptions, "2999-12-31", "2999-12-31", "2999-12-31"))
	code, r, errs := scanJSON(t, db, pythonApp, "--policy", live)
	if code != 0 || !r.Gate.Pass {
		t.Fatalf("exceptions in force: exit %d: %s", code, errs)
	}
	expired := writeFile(t, dir, "expired.yaml", fmt.Sprintf(exceptions, "2999-12-31", "2026-01-31", "2999-12-31"))
	code, r, errs = scanJSON(t, db, pythonApp, "--policy", expired)
	if code != 1 || r.Gate.Failing != 1 {
		t.Fatalf("one exception expired: exit %d, failing %d: %s", code, r.Gate.Failing, errs)
	}
	for _, f := range r.Findings {
		if f.Gate.Fails && (f.IDs[0] != "PYSEC-2024-60" || f.Gate.Reason != "severity") {
			t.Errorf("failing finding %v %+v", f.IDs, f.Gate)
		}
	}
	_, table, _ := runCLI(t, append(append([]string{}, db...), "scan", "-o", "table", "--policy", expired, pythonApp)...)
	if !strings.Contains(table, "Note: exception for CVE-2024-3651 expired on 2026-01-31 and no longer suppresses it") {
		t.Errorf("table does not say the exception expired:\n%s", table)
	}

	// VEX: urllib3's PYSEC-2023-192 not_affected; the other two excepted.
	vex := writeFile(t, dir, "urllib3.openvex.json", `{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.com/vex/python-app-1",
  "author": "Platform security",
  "timestamp": "2026-11-01T00:00:00Z",
  "version": 1,
  "statements": [{
    "vulnerability": {"name": "PYSEC-2023-192"},
    "products": [{"@id": "pkg:pypi/urllib3@1.26.12"}],
    "status": "not_affected",
    "justification": "vulnerable_code_not_in_execute_path",
    "impact_statement": "the function sets no Proxy-Authorization header"
  }]
}`)
	two := writeFile(t, dir, "two.yaml", fmt.Sprintf(`exceptions:
  - {id: GHSA-248v-346w-9cwc, until: %s, reason: r}
  - {id: PYSEC-2024-60, until: %s, reason: r}
`, "2999-12-31", "2999-12-31"))
	code, r, errs = scanJSON(t, db, pythonApp, "--policy", two)
	if code != 1 || r.Gate.Failing != 1 {
		t.Fatalf("without VEX: exit %d failing %d: %s", code, r.Gate.Failing, errs)
	}
	code, r, errs = scanJSON(t, db, pythonApp, "--policy", two, "--vex", vex)
	if code != 0 {
		t.Fatalf("with VEX: exit %d: %s", code, errs)
	}
	for _, f := range r.Findings {
		if f.IDs[0] == "PYSEC-2023-192" && (f.Gate.Reason != "vex" || !strings.Contains(f.Gate.Detail, "urllib3.openvex.json")) {
			t.Errorf("VEX not cited: %+v", f.Gate)
		}
	}

	// Go: every x/net and x/text finding is unrated; with fail_on_unknown
	// all 16 fail, and ignore_unreachable lets the 10 unreachable pass.
	goZip := filepath.Join(functionsDir, "go-bootstrap.zip")
	strict := writeFile(t, dir, "strict.yaml", "fail_on_unknown: true\n")
	code, r, _ = scanJSON(t, db, goZip, "--policy", strict)
	if code != 1 || r.Gate.Failing != 16 {
		t.Fatalf("fail_on_unknown: exit %d failing %d", code, r.Gate.Failing)
	}
	lenient := writeFile(t, dir, "lenient.yaml", "fail_on_unknown: true\nignore_unreachable: true\n")
	code, r, _ = scanJSON(t, db, goZip, "--policy", lenient)
	unreachable := 0
	for _, f := range r.Findings {
		if f.Reachable == "false" {
			unreachable++
			if f.Gate.Fails || f.Gate.Reason != "unreachable" {
				t.Errorf("%v unreachable but %+v", f.IDs, f.Gate)
			}
		} else if !f.Gate.Fails {
			t.Errorf("%v reachable=%s passed", f.IDs, f.Reachable)
		}
	}
	if code != 1 || unreachable != 10 || r.Gate.Failing != 6 {
		t.Errorf("ignore_unreachable: exit %d, %d unreachable, %d failing", code, unreachable, r.Gate.Failing)
	}
}

// TestScanUndecided: fnaudit exits 2, never 0, when it cannot decide.
func TestScanUndecided(t *testing.T) {
	t.Parallel()
	db := corpusDB(t)
	dir := t.TempDir()
	es := filepath.Join(functionsDir, "event-stream-reconstruction.zip")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no database", []string{"--db", filepath.Join(dir, "none.db"), "scan", es}, "no advisory database"},
		{"stale database", append(append([]string{}, db...), "scan", "--db-max-allowed-age", "1ns", es), "--db-validate-age=false"},
		{"unreadable policy", append(append([]string{}, db...), "scan", "--policy", writeFile(t, dir, "bad.yaml", "fail_on: [\n"), es), "bad.yaml"},
		{"unknown policy key", append(append([]string{}, db...), "scan", "--policy", writeFile(t, dir, "typo.yaml", "fail_onn: low\n"), es), "line 1: unknown key fail_onn, did you mean fail_on"},
		{"missing policy", append(append([]string{}, db...), "scan", "--policy", filepath.Join(dir, "nope.yaml"), es), "nope.yaml"},
		{"bad VEX", append(append([]string{}, db...), "scan", "--vex", writeFile(t, dir, "bad.vex.json", "{"), es), "bad.vex.json"},
		{"bad fail-on", append(append([]string{}, db...), "scan", "--fail-on", "urgent", es), `--fail-on "urgent"`},
		{"unknown format", append(append([]string{}, db...), "scan", "-o", "xml", es), `unknown report format "xml"`},
		{"hostile zip", append(append([]string{}, db...), "scan", writeFile(t, dir, "notazip.zip", "hello")), "not a readable zip archive"},
		{"unreadable SBOM", append(append([]string{}, db...), "scan", writeFile(t, dir, "bom.json", `{"bomFormat":"CycloneDX","components":7}`)), "bom.json"},
		{"unreadable provenance", append(append([]string{}, db...), "scan", "--provenance", writeFile(t, dir, "p.json", "{}"), "--key", writeFile(t, dir, "k.pem", "x"), es), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tc.args...)
			if code != 2 || out != "" || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 1 {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and one line containing %q", code, out, errs, tc.want)
			}
		})
	}
	// Accepting a stale database explicitly lets the scan decide.
	code, _, errs := runCLI(t, append(append([]string{}, db...), "scan", "-o", "json", "--db-max-allowed-age", "1ns", "--db-validate-age=false", es)...)
	if code != 1 || !strings.Contains(errs, "warning") {
		t.Errorf("accepted stale database: exit %d, stderr %q", code, errs)
	}
}

// TestScanSBOMInput: an SBOM made by fnaudit sbom (CycloneDX or SPDX) scans
// to the same findings as the zip it describes.
func TestScanSBOMInput(t *testing.T) {
	t.Parallel()
	db := corpusDB(t)
	dir := t.TempDir()
	zipPath := filepath.Join(functionsDir, "python-app.zip")
	_, fromZip, _ := scanJSON(t, db, zipPath)
	for _, format := range []string{"cyclonedx-json", "spdx-json"} {
		bom := filepath.Join(dir, "bom-"+format+".json")
		if code, _, errs := runCLI(t, "sbom", zipPath, "-o", format, "--output", bom); code != 0 {
			t.Fatalf("sbom: %s", errs)
		}
		code, fromBOM, errs := scanJSON(t, db, bom)
		if code != 1 {
			t.Fatalf("%s: exit %d: %s", format, code, errs)
		}
		ids := func(r jsonReport) []string {
			var out []string
			for _, f := range r.Findings {
				out = append(out, f.Package.Name+"@"+f.Package.Version+":"+strings.Join(f.IDs, ","))
			}
			return out
		}
		if !equalJSON(ids(fromZip), ids(fromBOM)) {
			t.Errorf("%s: findings %v, from the zip %v", format, ids(fromBOM), ids(fromZip))
		}
	}
}

// TestScanRequireProvenance: with require_provenance in the policy, the zip
// signed by the real cosign CLI passes the gate; an unsigned zip, and the
// signature presented for another zip, fail it (exit 1) naming the check.
func TestScanRequireProvenance(t *testing.T) {
	t.Parallel()
	db := corpusDB(t)
	c := cosigntest.New(t)
	signed, err := filepath.Abs(filepath.Join(functionsDir, "go-bootstrap.zip")) // passes on findings with the exceptions below
	if err != nil {
		t.Fatal(err)
	}
	fx := cosigntest.Sign(t, c, signed, cosigntest.SLSAPredicate("https://github.com/example/fn", "refs/heads/main", "https://github.com/actions/runner/github-hosted"))
	// go-bootstrap's three reachable unrated Go findings fail by default;
	// this test is about provenance, so they are excepted.
	pol := writeFile(t, t.TempDir(), "policy.yaml", `exceptions:
  - {id: GO-2021-0238, until: 2099-12-31, reason: provenance test}
  - {id: GO-2024-3333, until: 2099-12-31, reason: provenance test}
  - {id: GO-2025-3595, until: 2099-12-31, reason: provenance test}
require_provenance:
  key: `+fx.PublicKey+`
  builder_id: https://github.com/actions/runner/github-hosted
  source_uri: github.com/example/fn
  source_ref: refs/heads/main
`)
	code, r, errs := scanJSON(t, db, signed, "--policy", pol, "--provenance", fx.AttestBundle, "--insecure-ignore-tlog")
	if code != 0 || r.Provenance == nil || !r.Provenance.Verified || r.Provenance.Builder != "https://github.com/actions/runner/github-hosted" {
		t.Fatalf("signed zip: exit %d, provenance %+v: %s", code, r.Provenance, errs)
	}
	code, r, errs = scanJSON(t, db, signed, "--policy", pol)
	if code != 1 || r.Provenance == nil || !r.Provenance.Fails || !strings.Contains(errs, "none was given") {
		t.Errorf("unsigned: exit %d, %+v, %s", code, r.Provenance, errs)
	}
	other := filepath.Join(functionsDir, "java-app.zip")
	exceptAll := writeFile(t, t.TempDir(), "p2.yaml", "fail_on: critical\nrequire_provenance:\n  key: "+fx.PublicKey+"\n")
	code, r, errs = scanJSON(t, db, other, "--policy", exceptAll, "--provenance", fx.AttestBundle, "--insecure-ignore-tlog")
	if code != 1 || r.Provenance == nil || !strings.Contains(r.Provenance.Detail, "digest") {
		t.Errorf("signature of another zip: exit %d, %+v, %s", code, r.Provenance, errs)
	}
	_, cdx, _ := runCLI(t, append(append([]string{}, db...), "scan", "-o", "cyclonedx-json", "--policy", pol, "--provenance", fx.AttestBundle, "--insecure-ignore-tlog", signed)...)
	if !strings.Contains(cdx, `"name": "fnaudit:provenance:builder",`) || !strings.Contains(cdx, `"value": "https://github.com/example/fn"`) {
		t.Errorf("CycloneDX metadata lacks the verified builder and source")
	}
	_, sarif, _ := runCLI(t, append(append([]string{}, db...), "scan", "-o", "sarif", "--policy", pol, "--provenance", fx.AttestBundle, "--insecure-ignore-tlog", signed)...)
	if !strings.Contains(sarif, `"fnaudit:provenanceVerified": true`) || !strings.Contains(sarif, `"fnaudit:provenanceBuilder": "https://github.com/actions/runner/github-hosted"`) {
		t.Errorf("SARIF run properties lack the provenance result")
	}
	if err := schemacheck.Validate(schemasDir, schemacheck.SARIF210, []byte(sarif)); err != nil {
		t.Errorf("SARIF with provenance does not validate: %v", err)
	}
	_, table, _ := runCLI(t, append(append([]string{}, db...), "scan", "-o", "table", "--policy", pol, "--provenance", fx.AttestBundle, "--insecure-ignore-tlog", signed)...)
	if !strings.Contains(table, "Provenance: verified") || !strings.Contains(table, "digest") {
		t.Errorf("table lacks the provenance checks:\n%s", table)
	}
}
