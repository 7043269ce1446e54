package report

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/internal/schemacheck"
)

// TestSARIFForCodeScanning: the SARIF of every corpus result validates
// against the SARIF 2.1.0 schema; it has one result per finding, failing
// ones as kind fail / level error, the others suppressed (external, with
// the gate's reason) rather than kind fail; each result is located at the
// artifact relative to %SRCROOT%, line 1, with the package as a logical
// location; invocations carry the exit code.
func TestSARIFForCodeScanning(t *testing.T) {
	t.Parallel()
	results, _ := filepath.Glob(filepath.Join("testdata", "results", "*.json"))
	for _, path := range results {
		r, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := writeSARIF(&buf, r); err != nil {
			t.Fatal(err)
		}
		if err := schemacheck.ValidateFile("../testdata/schemas/sarif-schema-2.1.0.json", buf.Bytes()); err != nil {
			t.Errorf("%s: SARIF does not validate: %v", path, err)
		}
		var doc struct {
			Runs []struct {
				Invocations []struct {
					ExecutionSuccessful bool `json:"executionSuccessful"`
					ExitCode            *int `json:"exitCode"`
				} `json:"invocations"`
				Results []struct {
					Kind, Level  string
					Suppressions []struct{ Kind, Justification string }
					Locations    []struct {
						PhysicalLocation struct {
							ArtifactLocation struct {
								URI       string `json:"uri"`
								URIBaseID string `json:"uriBaseId"`
							} `json:"artifactLocation"`
							Region struct {
								StartLine int `json:"startLine"`
							} `json:"region"`
						} `json:"physicalLocation"`
						LogicalLocations []struct{ Name, Kind string } `json:"logicalLocations"`
					}
				}
			}
		}
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		run := doc.Runs[0]
		wantExit := map[bool]int{true: 0, false: 1}[r.Gate.Pass]
		if len(run.Invocations) != 1 || !run.Invocations[0].ExecutionSuccessful || run.Invocations[0].ExitCode == nil || *run.Invocations[0].ExitCode != wantExit {
			t.Errorf("%s: invocations %+v, want exit %d", path, run.Invocations, wantExit)
		}
		if len(run.Results) != len(r.Findings) {
			t.Fatalf("%s: %d results for %d findings", path, len(run.Results), len(r.Findings))
		}
		for i, res := range run.Results {
			f := r.Findings[i]
			switch {
			case f.Gate.Fails && (res.Kind != "fail" || res.Level != "error" || len(res.Suppressions) != 0):
				t.Errorf("%s: failing finding %s: %+v", path, f.IDs[0], res)
			case !f.Gate.Fails && (res.Kind == "fail" || len(res.Suppressions) != 1 || res.Suppressions[0].Kind != "external" || res.Suppressions[0].Justification != f.Gate.Detail):
				t.Errorf("%s: passing finding %s: %+v", path, f.IDs[0], res)
			}
			loc := res.Locations[0]
			if al := loc.PhysicalLocation.ArtifactLocation; al.URI != strings.TrimPrefix(filepath.ToSlash(r.Artifact.Target), "./") || al.URIBaseID != "%SRCROOT%" || loc.PhysicalLocation.Region.StartLine != 1 {
				t.Errorf("%s: location %+v", path, loc.PhysicalLocation)
			}
			if len(loc.LogicalLocations) != 1 || loc.LogicalLocations[0].Name != f.Package.Name+"@"+f.Package.Version {
				t.Errorf("%s: logical locations %+v", path, loc.LogicalLocations)
			}
		}
	}
}

// TestMarkdownLinksAdvisories: each id links to its advisory.
func TestMarkdownLinksAdvisories(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]string{
		"GHSA-mh6f-8j2x-4483": "https://github.com/advisories/GHSA-mh6f-8j2x-4483",
		"CVE-2021-44228":      "https://nvd.nist.gov/vuln/detail/CVE-2021-44228",
		"MAL-2025-20690":      "https://osv.dev/vulnerability/MAL-2025-20690",
		"GO-2022-0969":        "https://osv.dev/vulnerability/GO-2022-0969",
	} {
		if got := AdvisoryURL(id); got != want {
			t.Errorf("AdvisoryURL(%s) = %s, want %s", id, got, want)
		}
	}
	r, err := ReadFile(filepath.Join("testdata", "results", "event-stream-exception.json"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := writeMarkdown(&buf, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| [MAL-2025-20690](https://osv.dev/vulnerability/MAL-2025-20690) |",
		"**FAIL** malicious; exception expired 2020-01-01",
		"**Findings:** 3 (critical 3, high 0, medium 0, low 0, unknown 0; 3 malicious), 2 failing",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, buf.String())
		}
	}
}
