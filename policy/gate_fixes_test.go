package policy

import (
	"archive/zip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/artifact"
	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/match"
	"github.com/fnaudit/fnaudit/sbom"
)

// Issue 10.15: an exception's end is an instant when the policy gives a
// time; a bare date holds to the end of that day in UTC.
func TestExceptionUntilComparesInstants(t *testing.T) {
	for _, c := range []struct {
		until string
		at    string
		holds bool
	}{
		// 00:30 at +14:00 is 10:30 the day before in UTC.
		{"2026-11-28T00:30:00+14:00", "2026-11-27T11:00:00Z", false},
		{"2026-11-28T00:30:00+14:00", "2026-11-27T10:29:59Z", true},
		{"2026-11-28T00:30:00+14:00", "2026-11-27T10:30:00Z", false},
		{"2026-11-27T23:00:00-05:00", "2026-11-28T03:59:00Z", true},
		{"2026-11-27", "2026-11-27T23:59:59Z", true},
		{"2026-11-27", "2026-11-28T00:00:00Z", false},
		{"2026-11-27", "2026-11-27T20:00:00-05:00", false}, // 01:00Z on the 28th
	} {
		p := mustParse(t, "exceptions:\n  - {id: GHSA-p6mc-m468-83gw, until: \""+c.until+"\", reason: accepted}\n")
		at, _ := time.Parse(time.RFC3339, c.at)
		d := p.Evaluate(Input{Findings: []match.Finding{highLodash(true)}, Now: at})
		if held := d.Results[0].Reason == ReasonException; held != c.holds || d.Pass != c.holds {
			t.Errorf("until %s at %s: reason %s, pass %v; want held %v", c.until, c.at, d.Results[0].Reason, d.Pass, c.holds)
		}
		if !c.holds && (!d.Results[0].ExceptionExpired || len(d.Notes) != 1 || !strings.Contains(d.Notes[0], c.until)) {
			t.Errorf("until %s at %s: expiry not reported: %+v %v", c.until, c.at, d.Results[0], d.Notes)
		}
	}
}

// Issue 10.15: a second YAML document would be silently ignored: refused.
func TestMultiDocumentPolicyRefused(t *testing.T) {
	for _, doc := range []string{
		"fail_on: critical\n---\nexceptions:\n  - {id: X, until: 2026-01-01, reason: r}\n",
		"fail_on: critical\n---\nfail_on: low\n",
		"---\nfail_on: critical\n---\n{}\n",
	} {
		_, err := Parse([]byte(doc))
		if err == nil || !strings.Contains(err.Error(), "second YAML document") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: %v, want a one-line refusal", doc, err)
		}
	}
	for _, doc := range []string{"---\nfail_on: critical\n", "fail_on: critical\n", "", "# nothing\n"} {
		if _, err := Parse([]byte(doc)); err != nil {
			t.Errorf("%q: %v", doc, err)
		}
	}
	// Through Load too, naming the file.
	path := filepath.Join(t.TempDir(), FileName)
	os.WriteFile(path, []byte("fail_on: critical\n---\nfail_on: low\n"), 0o644)
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Load: %v", err)
	}
}

// Issue 10.15: a VEX statement naming the artifact only by file name
// clears nothing unless names are accepted (--vex-match-names).
func TestVEXArtifactNameNeedsOptIn(t *testing.T) {
	doc := `{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/by-name", "author": "a",
		"timestamp": "2026-11-21T10:00:00Z", "version": 1,
		"statements": [{"vulnerability": {"name": "GHSA-p6mc-m468-83gw"},
			"products": [{"@id": "function.zip", "subcomponents": [{"@id": "pkg:npm/lodash"}]}],
			"status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}`
	path := filepath.Join(t.TempDir(), "by-name.openvex.json")
	os.WriteFile(path, []byte(doc), 0o644)
	docs, err := LoadVEX(path)
	if err != nil {
		t.Fatal(err)
	}
	in := Input{Findings: []match.Finding{highLodash(true)}, VEX: docs, Now: now,
		ArtifactDigest: "sha256:c4bf2dac57c762284f52df2e9bfd0ba91baa60e2d6e15df77f60c50e7f4ed746", ArtifactName: "function.zip"}
	d := Default().Evaluate(in)
	if d.Pass || d.Results[0].Reason != ReasonSeverity || d.Results[0].VEX != nil {
		t.Errorf("name-only VEX product cleared the finding: %+v", d.Results[0])
	}
	in.VEXMatchNames = true
	d = Default().Evaluate(in)
	if !d.Pass || d.Results[0].Reason != ReasonVEX {
		t.Errorf("with VEXMatchNames: %+v", d.Results[0])
	}
}

// Issue 9.5: Go's vulnerability database rates none of its records. On
// go-bootstrap.zip 16 Go findings are unrated and 3 of them reachable
// (match's TestAnnotateGoBinary); those 3 fail the default policy, as
// govulncheck exits 3 on them; the 13 unknown or unreachable ones keep
// the fail_on_unknown rule.
func TestReachableUnratedGoFindingsFail(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go reachability analysis")
	}
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "advisories.db")
	if _, err := feeds.Import(ctx, db, []string{filepath.Join("..", "testdata", "osv", "Go")}); err != nil {
		t.Fatal(err)
	}
	store, err := feeds.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	pkgs, bin := goBootstrap(t)
	findings, err := match.Match(ctx, store, pkgs)
	if err != nil {
		t.Fatal(err)
	}
	if err := match.AnnotateGoBinary(ctx, findings, "bootstrap", bin); err != nil {
		t.Fatal(err)
	}
	if len(findings) != 16 {
		t.Fatalf("%d Go findings, want 16", len(findings))
	}
	d := Default().Evaluate(Input{Findings: findings, Now: now})
	var failing []string
	reasons := map[string]int{}
	for _, r := range d.Results {
		if r.Finding.Severity != match.SeverityUnknown {
			t.Errorf("%s is rated %s; the test assumes Go records are unrated", r.Finding.PrimaryID(), r.Finding.Severity)
		}
		reasons[r.Reason]++
		if r.Fails {
			failing = append(failing, r.Finding.PrimaryID())
			if r.Reason != ReasonReachableUnrated || !strings.Contains(r.Detail, "symbols are in the binary") {
				t.Errorf("%s fails with %s: %s", r.Finding.PrimaryID(), r.Reason, r.Detail)
			}
		}
	}
	slices.Sort(failing)
	if d.Pass || !slices.Equal(failing, []string{"GO-2021-0238", "GO-2024-3333", "GO-2025-3595"}) || reasons[ReasonUnrated] != 13 {
		t.Errorf("default policy: pass %v, failing %v, reasons %v; want the 3 reachable failing, 13 unrated passing", d.Pass, failing, reasons)
	}
	// fail_on_unknown makes the other 13 fail too; ignore_unreachable
	// lets the unreachable ones pass but not the reachable.
	d = mustParse(t, "fail_on_unknown: true\nignore_unreachable: true").Evaluate(Input{Findings: findings, Now: now})
	reasons = map[string]int{}
	for _, r := range d.Results {
		reasons[r.Reason]++
	}
	if reasons[ReasonReachableUnrated] != 3 || reasons[ReasonUnknown] != 3 || reasons[ReasonUnreachable] != 10 {
		t.Errorf("fail_on_unknown + ignore_unreachable: %v", reasons)
	}
}

// goBootstrap returns the ground-truth packages of go-bootstrap.zip and
// its binary extracted to a temporary file.
func goBootstrap(t *testing.T) ([]sbom.Package, string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "functions", "expected-packages.json"))
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]struct {
		Packages []struct{ Ecosystem, Name, Version, Path string } `json:"packages"`
	}
	if err := json.Unmarshal(raw, &all); err != nil {
		t.Fatal(err)
	}
	var pkgs []sbom.Package
	for _, p := range all["go-bootstrap.zip"].Packages {
		pkgs = append(pkgs, sbom.Package{Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version, Paths: []string{p.Path},
			Origin: artifact.Origin{Kind: artifact.OriginFunction, Name: "go-bootstrap.zip"}, Loaded: true})
	}
	zr, err := zip.OpenReader(filepath.Join("..", "testdata", "functions", "go-bootstrap.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != "bootstrap" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		bin := filepath.Join(t.TempDir(), "bootstrap")
		out, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o700)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, rc); err != nil {
			t.Fatal(err)
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
		return pkgs, bin
	}
	t.Fatal("no bootstrap in go-bootstrap.zip")
	return nil, ""
}
