package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/feeds"
)

// Issue 9.1: an empty folder imports nothing and says so (exit 2); an
// advisory database without npm data, or with stale npm data freshened
// only by a block list, never passes an npm function.
func TestScanRefusesUncoveredOrStaleEcosystem(t *testing.T) {
	dir := t.TempDir()
	es := filepath.Join(functionsDir, "event-stream-reconstruction.zip")

	empty := filepath.Join(dir, "emptydir")
	os.Mkdir(empty, 0o755)
	e := filepath.Join(dir, "e.db")
	code, _, errs := runCLI(t, "-q", "--db", e, "db", "import", empty)
	if code != 2 || !strings.Contains(errs, "no OSV records found") || strings.Count(errs, "\n") != 1 {
		t.Errorf("import of an empty folder: exit %d, stderr %q", code, errs)
	}
	if _, err := os.Stat(e); !os.IsNotExist(err) {
		t.Errorf("an empty database was written: %v", err)
	}
	if code, _, errs := runCLI(t, "--db", e, "scan", es); code != 2 || !strings.Contains(errs, "no advisory database") {
		t.Errorf("scan without a database: exit %d, %q", code, errs)
	}

	// Only Go records: the npm function is refused, naming npm.
	goDB := filepath.Join(dir, "go.db")
	if code, _, errs := runCLI(t, "--db", goDB, "db", "import", filepath.Join(osvDir, "Go")); code != 0 {
		t.Fatalf("import Go: %d %s", code, errs)
	}
	code, out, errs := runCLI(t, "--db", goDB, "scan", "-o", "json", es)
	if code != 2 || out != "" || !strings.Contains(errs, "no advisories for npm") || strings.Count(errs, "\n") != 1 {
		t.Errorf("npm function against Go records: exit %d, stdout %q, stderr %q; want 2 naming npm", code, out, errs)
	}

	// npm records ten days old, then a block list imported today: still
	// stale, refused; accepted only with --db-validate-age=false.
	old := filepath.Join(dir, "old.db")
	tenDays := time.Now().Add(-10 * 24 * time.Hour)
	if _, err := feeds.Import(context.Background(), old, []string{filepath.Join(osvDir, "npm")}, feeds.WithClock(func() time.Time { return tenDays })); err != nil {
		t.Fatal(err)
	}
	bl := writeFile(t, dir, "blocklist.yaml", "author: sec@example.com\nentries:\n  - purl: pkg:npm/left-pad\n    reason: test\n")
	if code, _, errs := runCLI(t, "--db", old, "db", "import", bl); code != 0 {
		t.Fatalf("import block list: %d %s", code, errs)
	}
	code, _, errs = runCLI(t, "--db", old, "scan", "-o", "json", es)
	if code != 2 || !strings.Contains(errs, "last updated 10d0h ago") || !strings.Contains(errs, "--db-validate-age=false") {
		t.Errorf("stale npm data after a block-list import: exit %d, stderr %q; want 2 (stale)", code, errs)
	}
	code, _, errs = runCLI(t, "--db", old, "scan", "-o", "json", "--db-validate-age=false", es)
	if code != 1 || !strings.Contains(errs, "warning") {
		t.Errorf("stale accepted: exit %d, stderr %q; want the gate to decide (1)", code, errs)
	}

	// db status -o json: per ecosystem, per source, counts and times.
	code, out, errs = runCLI(t, "--db", old, "db", "status", "-o", "json")
	if code != 0 {
		t.Fatalf("db status: %d %s", code, errs)
	}
	var st feeds.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Coverage) != 1 || st.Coverage[0].Ecosystem != "npm" || !st.Coverage[0].Covered || len(st.Coverage[0].Sources) != 2 ||
		st.Coverage[0].AgeSeconds < 10*24*3600 || st.Coverage[0].Counts.Total != 35 {
		t.Errorf("coverage %+v", st.Coverage)
	}
}

// Issue 9.6: relative --db paths work and leave no lock or temp file.
func TestRelativeDBPath(t *testing.T) {
	osv, _ := filepath.Abs(filepath.Join(osvDir, "npm"))
	dir := t.TempDir()
	t.Chdir(dir)
	for _, db := range []string{"x.db", "./y.db"} {
		if code, _, errs := runCLI(t, "--db", db, "db", "import", osv); code != 0 {
			t.Fatalf("db import --db %s: exit %d: %s", db, code, errs)
		}
		if code, out, errs := runCLI(t, "--db", db, "db", "status"); code != 0 || !strings.Contains(out, "Coverage") {
			t.Errorf("db status --db %s: exit %d: %s %s", db, code, out, errs)
		}
	}
	// A failed import leaves nothing either.
	bad := writeFile(t, dir, "bad.json", `{"id": "X-1", "modified": "2025-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "npm", "name": "a"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "not.a.version"}]}]}]}`)
	code, _, errs := runCLI(t, "--db", "x.db", "db", "import", bad)
	if code != 2 || !strings.Contains(errs, `record "X-1"`) || !strings.Contains(errs, "bad.json") {
		t.Errorf("bad record: exit %d, %q", code, errs)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "bad.json x.db y.db" {
		t.Errorf("directory holds %v; want only the two databases and the input", names)
	}
}

// Issue 10.6: a CycloneDX SBOM whose malware component has a malformed
// purl still fails the gate; one with only a CPE is refused.
func TestScanCycloneDXWithoutUsablePURL(t *testing.T) {
	db := corpusDB(t)
	dir := t.TempDir()
	bom := func(component string) string {
		return writeFile(t, dir, "bom.cdx.json", `{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
			"metadata": {"component": {"type": "application", "name": "fn", "components": [`+component+`]}}, "components": []}`)
	}
	code, _, errs := runCLI(t, append(append([]string{}, db...), "scan", "-o", "json",
		bom(`{"type": "library", "name": "flatmap-stream", "version": "0.1.1", "purl": " pkg:npm/flatmap-stream@0.1.1?a=%zz"}`))...)
	if code != 1 {
		t.Errorf("flatmap-stream with a malformed purl: exit %d, %q; want 1", code, errs)
	}
	code, _, errs = runCLI(t, append(append([]string{}, db...), "scan", "-o", "json",
		bom(`{"type": "library", "name": "flatmap-stream", "version": "0.1.1", "cpe": "cpe:2.3:a:x:flatmap-stream:0.1.1:*:*:*:*:*:*:*"}`))...)
	if code != 2 || !strings.Contains(errs, "bom.cdx.json") || !strings.Contains(errs, "flatmap-stream") || strings.Count(errs, "\n") != 1 {
		t.Errorf("CPE-only component: exit %d, %q; want 2 naming the file and component", code, errs)
	}
}

// Issue 10.15: --vex-match-names is the opt-in for name-only VEX products.
func TestScanVEXMatchNamesFlag(t *testing.T) {
	db := corpusDB(t)
	dir := t.TempDir()
	es := filepath.Join(functionsDir, "node-app.zip")
	vex := writeFile(t, dir, "v.openvex.json", `{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/v", "author": "a",
		"timestamp": "2026-11-21T10:00:00Z", "version": 1, "statements": [{"vulnerability": {"name": "GHSA-p6mc-m468-83gw"},
		"products": [{"@id": "node-app.zip", "subcomponents": [{"@id": "pkg:npm/lodash"}]}], "status": "fixed"}]}`)
	count := func(args ...string) int {
		_, r, _ := scanJSON(t, db, args...)
		n := 0
		for _, f := range r.Findings {
			if f.Gate.Reason == "vex" {
				n++
			}
		}
		return n
	}
	if n := count("--vex", vex, es); n != 0 {
		t.Errorf("a name-only VEX product cleared %d findings without --vex-match-names", n)
	}
	if n := count("--vex", vex, "--vex-match-names", es); n != 1 {
		t.Errorf("with --vex-match-names: %d findings cleared by VEX, want 1", n)
	}
}
