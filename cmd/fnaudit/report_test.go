package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// timestampLine is the one line a render takes from the clock rather than
// from the result (CycloneDX metadata.timestamp).
var timestampLine = regexp.MustCompile(`(?m)^\s*"timestamp": ".*",?$`)

// TestReportFromMatchesScan: for every corpus function, rendering the stored
// JSON result with `report --from` gives the same SARIF, CycloneDX, Markdown
// and table as scanning directly, and the same exit code.
func TestReportFromMatchesScan(t *testing.T) {
	t.Parallel()
	db := corpusDB(t)
	for _, fn := range []string{"event-stream-reconstruction.zip", "go-bootstrap.zip", "java-app.zip", "node-app.zip", "node-layer.zip", "python-app.zip", "python-layer.zip"} {
		t.Run(fn, func(t *testing.T) {
			t.Parallel()
			target := filepath.Join(functionsDir, fn)
			result := filepath.Join(t.TempDir(), "result.json")
			code, _, errs := runCLI(t, append(append([]string{}, db...), "scan", target, "-q", "-o", "json", "--output", result)...)
			if code != 0 && code != 1 {
				t.Fatalf("scan -o json: exit %d: %s", code, errs)
			}
			for _, format := range []string{"sarif", "cyclonedx-json", "markdown", "table"} {
				direct, out, errs := runCLI(t, append(append([]string{}, db...), "scan", target, "-o", format)...)
				if direct != code {
					t.Fatalf("scan -o %s: exit %d, the JSON scan's was %d: %s", format, direct, code, errs)
				}
				rendered, again, errs := runCLI(t, "report", "--from", result, "-o", format)
				if rendered != code {
					t.Errorf("report --from -o %s: exit %d, want %d: %s", format, rendered, code, errs)
				}
				if len(out) == 0 {
					t.Fatalf("scan -o %s wrote nothing", format)
				}
				if a, b := timestampLine.ReplaceAllString(out, ""), timestampLine.ReplaceAllString(again, ""); a != b {
					t.Errorf("report --from -o %s differs from scan -o %s:\n%s", format, format, firstDiff([]byte(a), []byte(b)))
				}
			}
		})
	}
}

// TestReportFromRefusesOldResults: a result without its package list (an
// fnaudit.report/v1 file written before report --from existed) or of
// another schema is refused with one line, exit 2.
func TestReportFromRefusesOldResults(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old := filepath.Join(dir, "old.json")
	if err := os.WriteFile(old, []byte(`{"schema":"fnaudit.report/v1","gate":{"pass":true},"findings":[],"packages":0}`), 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.json")
	if err := os.WriteFile(other, []byte(`{"schema":"fnaudit.report/v9"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{
		old:   `fnaudit: read result ` + old + `: no "sbom" package list: it was written by an fnaudit older than report --from supports` + "\n",
		other: `fnaudit: read result ` + other + `: schema "fnaudit.report/v9": want "fnaudit.report/v1"` + "\n",
	} {
		code, out, errs := runCLI(t, "report", "--from", file, "-o", "sarif")
		if code != 2 || out != "" || errs != want {
			t.Errorf("report --from %s: exit %d, stdout %q, stderr %q; want 2, nothing, %q", file, code, out, errs, want)
		}
	}
}
