package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/internal/lockfiletest"
	"github.com/fnaudit/fnaudit/internal/schemacheck"
)

const bundlesDir = "../../testdata/bundles"

// bundleAdvisories are the advisories in testdata/osv that affect the
// locked versions of the bundled packages (testdata/bundles/README.md,
// "Advisories these fixtures must fail").
var bundleAdvisories = map[string][]string{
	"axios@0.21.0":            {"GHSA-4w2v-q235-vp99", "GHSA-cph5-m8f7-6c5x"},
	"event-stream@3.3.6":      {"GHSA-mh6f-8j2x-4483"},
	"flatmap-stream@0.1.1":    {"GHSA-mh6f-8j2x-4483", "MAL-2025-20690"},
	"follow-redirects@1.13.0": {"GHSA-74fj-2j2h-c42q"},
	"lodash@4.17.15":          {"GHSA-35jh-r3h4-6jhm", "GHSA-p6mc-m468-83gw"},
}

// mustFail are the findings the default gate (fail_on: high, malware
// always) must fail on in every cell that sees the package.
var mustFail = map[string][]string{
	"axios@0.21.0":         {"GHSA-cph5-m8f7-6c5x"},
	"event-stream@3.3.6":   {"GHSA-mh6f-8j2x-4483"},
	"flatmap-stream@0.1.1": {"GHSA-mh6f-8j2x-4483", "MAL-2025-20690"},
	"lodash@4.17.15":       {"GHSA-35jh-r3h4-6jhm", "GHSA-p6mc-m468-83gw"},
	// flatmap-stream seen in a bundle without a version: the records that
	// affect every version still match it.
	"flatmap-stream@": {"GHSA-mh6f-8j2x-4483", "MAL-2025-20690"},
}

// bundleReport is the part of the JSON report the matrix test reads.
type bundleReport struct {
	Gate struct {
		Pass    bool     `json:"pass"`
		Failing int      `json:"failing"`
		Notes   []string `json:"notes"`
	} `json:"gate"`
	Findings []struct {
		IDs     []string `json:"ids"`
		Kind    string   `json:"kind"`
		Package struct {
			Name, Version string
			Paths         []string
		} `json:"package"`
		Gate struct {
			Fails  bool   `json:"fails"`
			Reason string `json:"reason"`
		} `json:"gate"`
	} `json:"findings"`
	SBOM struct {
		Packages []struct {
			Ecosystem, Name, Version, Evidence string
			Paths                              []string
			Declared                           bool
		} `json:"packages"`
	} `json:"sbom"`
}

// bundleCell is what a fixture zip holds, read from the zip itself.
type bundleCell struct {
	name, zip string
	lock      bool // package-lock.json shipped
	sourceMap bool // index.js.map shipped, or an inline data: map
	comments  bool // module paths left in index.js
	locked    lockfiletest.Locked
}

func (c bundleCell) namesSurvive() bool { return c.sourceMap || c.comments }

func readBundleCell(t *testing.T, zipPath string) bundleCell {
	t.Helper()
	c := bundleCell{name: strings.TrimSuffix(filepath.Base(zipPath), ".zip"), zip: zipPath}
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		switch f.Name {
		case "package-lock.json":
			c.lock = true
		case "index.js.map":
			c.sourceMap = true
		case "index.js":
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			js, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			c.sourceMap = c.sourceMap || bytes.Contains(js, []byte("sourceMappingURL=data:"))
			c.comments = bytes.Contains(js, []byte("node_modules/flatmap-stream/"))
		}
	}
	// The lockfile npm wrote for the bundled tree: the cell's own, or its
	// -lock twin's (build.sh ships the same bundle in both).
	lockZip := zipPath
	if strings.HasSuffix(zipPath, "-nolock.zip") {
		lockZip = strings.TrimSuffix(zipPath, "-nolock.zip") + "-lock.zip"
	}
	if c.locked, err = lockfiletest.FromZip(lockZip, "package-lock.json", ""); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestBundleMatrixGate is issue 9's case 2 over the whole matrix, through
// the real command with a database imported from testdata/osv: every cell
// with a source map or module comments plus a lockfile lists exactly the
// locked packages and fails on the lodash, axios and flatmap-stream
// advisories; every cell where the module names survive fails on
// flatmap-stream, with or without a version; the others say what is unknown,
// and the exit code follows the policy.
func TestBundleMatrixGate(t *testing.T) {
	t.Parallel()
	db := corpusDB(t)
	checkDBStatusCoverage(t, db)
	zips, err := filepath.Glob(filepath.Join(bundlesDir, "*.zip"))
	if err != nil || len(zips) != 36 {
		t.Fatalf("%d bundle cells (%v), want 36", len(zips), err)
	}
	strict := writeFile(t, t.TempDir(), "unversioned.yaml", "fail_on: none\nfail_on_unversioned: true\n")
	for _, z := range zips {
		c := readBundleCell(t, z)
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			switch {
			case c.namesSurvive() && c.lock:
				checkLockedCell(t, db, c)
			case c.namesSurvive():
				checkUnlockedCell(t, db, c)
			default:
				checkUnidentifiedCell(t, db, c, strict)
			}
		})
	}
}

// scanBundle runs scan with a JSON and a table report at once.
func scanBundle(t *testing.T, db []string, c bundleCell, extra ...string) (int, bundleReport, string) {
	t.Helper()
	dest := filepath.Join(t.TempDir(), "report.json")
	args := append(append(append([]string{}, db...), "scan", "-o", "json="+dest, "-o", "table"), extra...)
	code, table, errs := runCLI(t, append(args, c.zip)...)
	if code != 0 && code != 1 {
		t.Fatalf("%s: exit %d: %s", strings.Join(extra, " "), code, errs)
	}
	raw, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	var r bundleReport
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	if wantPass := code == 0; r.Gate.Pass != wantPass || strings.Contains(table, "Gate: PASSED") != wantPass {
		t.Errorf("exit %d but JSON pass %v, table:\n%s", code, r.Gate.Pass, table)
	}
	return code, r, table
}

// bundled is the report's packages found inside index.js, as name@version,
// checking each carries the bundle as its path and the evidence wanted.
func bundled(t *testing.T, r bundleReport, evidence ...string) []string {
	t.Helper()
	var out []string
	for _, p := range r.SBOM.Packages {
		if p.Declared {
			continue
		}
		if p.Ecosystem != "npm" || !slices.Equal(p.Paths, []string{"/var/task/index.js"}) || !slices.Contains(evidence, p.Evidence) {
			t.Errorf("%s@%s: ecosystem %s paths %q evidence %q, want %q", p.Name, p.Version, p.Ecosystem, p.Paths, p.Evidence, evidence)
		}
		out = append(out, p.Name+"@"+p.Version)
	}
	slices.Sort(out)
	return out
}

// findingIDs maps name@version to the sorted advisory ids found for it,
// and to the ids that failed the gate.
func findingIDs(r bundleReport) (all, failing map[string][]string) {
	all, failing = map[string][]string{}, map[string][]string{}
	for _, f := range r.Findings {
		k := f.Package.Name + "@" + f.Package.Version
		all[k] = append(all[k], f.IDs...)
		if f.Gate.Fails {
			failing[k] = append(failing[k], f.IDs...)
		}
	}
	for _, m := range []map[string][]string{all, failing} {
		for k := range m {
			slices.Sort(m[k])
			m[k] = slices.Compact(m[k])
		}
	}
	return all, failing
}

// checkMustFail: each package seen that has advisories to fail, fails on
// exactly those (and possibly others of its own).
func checkMustFail(t *testing.T, r bundleReport, seen []string) {
	t.Helper()
	_, failing := findingIDs(r)
	for _, id := range seen {
		for _, adv := range mustFail[id] {
			if !slices.Contains(failing[id], adv) {
				t.Errorf("%s: %s does not fail the gate (failing: %q)", id, adv, failing[id])
			}
		}
	}
}

func evidenceFor(c bundleCell) string {
	if c.sourceMap {
		return "sourcemap"
	}
	return "bundle-comment"
}

// checkLockedCell: the exact locked packages and versions; exactly the
// advisories of those versions; lodash, axios and flatmap-stream fail.
func checkLockedCell(t *testing.T, db []string, c bundleCell) {
	code, r, table := scanBundle(t, db, c)
	want := c.locked.Names()
	if got := bundled(t, r, evidenceFor(c)); !slices.Equal(got, want) {
		t.Errorf("packages\n got %q\nwant %q (the lockfile's)", got, want)
	}
	if len(r.SBOM.Packages) != len(want) {
		t.Errorf("%d packages, want %d", len(r.SBOM.Packages), len(want))
	}
	all, _ := findingIDs(r)
	wantAll := map[string][]string{}
	for _, id := range want {
		if a := bundleAdvisories[id]; a != nil {
			wantAll[id] = a
		}
	}
	if !equalJSON(all, wantAll) {
		t.Errorf("findings\n got %v\nwant %v", all, wantAll)
	}
	checkMustFail(t, r, want)
	if code != 1 || len(r.Gate.Notes) != 0 {
		t.Errorf("exit %d, notes %q:\n%s", code, r.Gate.Notes, table)
	}
}

// checkUnlockedCell: every locked name is found, versions only where the
// bundle states them (and then the locked one); the table and JSON count
// the packages without a version; flatmap-stream fails without a version,
// even under --fail-on none.
func checkUnlockedCell(t *testing.T, db []string, c bundleCell) {
	code, r, table := scanBundle(t, db, c)
	got := bundled(t, r, evidenceFor(c), "banner")
	var names []string
	unversioned := 0
	for _, id := range got {
		name, version := splitID(id)
		names = append(names, name)
		if version == "" {
			unversioned++
		} else if c.locked.Paths[id] == nil {
			t.Errorf("%s: the bundle's version is not the locked one", id)
		}
	}
	if want := lockedNames(c.locked); !slices.Equal(names, want) {
		t.Errorf("names\n got %q\nwant %q", names, want)
	}
	if unversioned == 0 || !slices.Contains(got, "flatmap-stream@") {
		t.Fatalf("%d packages without a version, flatmap-stream %v", unversioned, slices.Contains(got, "flatmap-stream@"))
	}
	checkUnversionedNote(t, r, table, unversioned)
	checkMustFail(t, r, got)
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	code, r, _ = scanBundle(t, db, c, "--fail-on", "none")
	_, failing := findingIDs(r)
	if code != 1 || !equalJSON(failing, map[string][]string{"flatmap-stream@": mustFail["flatmap-stream@"]}) {
		t.Errorf("--fail-on none: exit %d, failing %v; want only the malware", code, failing)
	}
}

// checkUnidentifiedCell: the bundle is named as unidentified in the table
// and JSON; only banner versions are listed; the shipped lockfile's
// flatmap-stream fails as declared malware; without a lockfile, the gate
// passes under fail_on: none and fails under fail_on_unversioned.
func checkUnidentifiedCell(t *testing.T, db []string, c bundleCell, strict string) {
	code, r, table := scanBundle(t, db, c)
	got := bundled(t, r, "banner")
	for _, id := range got {
		if c.locked.Paths[id] == nil {
			t.Errorf("%s: the banner's version is not the locked one", id)
		}
	}
	if len(got) == 0 || !slices.Contains(got, "lodash@4.17.15") {
		t.Errorf("banner packages %q", got)
	}
	note := "bundle /var/task/index.js: no source map, module comment or lockfile names its modules"
	if !slices.ContainsFunc(r.Gate.Notes, func(n string) bool { return strings.HasPrefix(n, note) }) ||
		!strings.Contains(strings.Join(strings.Fields(table), " "), "Note: "+note) {
		t.Errorf("JSON notes %q and table do not name the unidentified bundle:\n%s", r.Gate.Notes, table)
	}
	checkMustFail(t, r, got)
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	var declared []string
	for _, p := range r.SBOM.Packages {
		if p.Declared {
			declared = append(declared, p.Name+"@"+p.Version)
		}
	}
	slices.Sort(declared)
	var wantDeclared []string
	if c.lock {
		for _, id := range c.locked.Names() {
			if !slices.Contains(got, id) {
				wantDeclared = append(wantDeclared, id)
			}
		}
	}
	if !slices.Equal(declared, wantDeclared) {
		t.Errorf("declared\n got %q\nwant %q", declared, wantDeclared)
	}
	code, r, table = scanBundle(t, db, c, "--fail-on", "none")
	_, failing := findingIDs(r)
	if c.lock {
		malware := map[string][]string{
			"event-stream@3.3.6":   mustFail["event-stream@3.3.6"],
			"flatmap-stream@0.1.1": mustFail["flatmap-stream@0.1.1"],
		}
		if code != 1 || !equalJSON(failing, malware) {
			t.Errorf("--fail-on none with the lockfile: exit %d, failing %v; want the declared malware %v", code, failing, malware)
		}
		return
	}
	if code != 0 || len(failing) != 0 {
		t.Errorf("--fail-on none: exit %d, failing %v:\n%s", code, failing, table)
	}
	code, r, _ = scanBundle(t, db, c, "--policy", strict)
	if code != 1 || !slices.Contains(r.Gate.Notes, "fail_on_unversioned: the gate fails on what the scan could not see") {
		t.Errorf("fail_on_unversioned: exit %d, notes %q", code, r.Gate.Notes)
	}
}

// splitID splits "name@version" (version may be "", name may be scoped).
func splitID(id string) (name, version string) {
	i := strings.LastIndex(id, "@")
	return id[:i], id[i+1:]
}

func lockedNames(l lockfiletest.Locked) []string {
	var out []string
	for _, id := range l.Names() {
		name, _ := splitID(id)
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// checkUnversionedNote: the JSON and the table both count the bundled
// packages without a version.
func checkUnversionedNote(t *testing.T, r bundleReport, table string, n int) {
	t.Helper()
	note := fmt.Sprintf("%d bundled packages without a version", n)
	if !slices.ContainsFunc(r.Gate.Notes, func(s string) bool { return strings.HasPrefix(s, note) }) {
		t.Errorf("JSON notes %q lack %q", r.Gate.Notes, note)
	}
	if !strings.Contains(table, "Note: "+note) {
		t.Errorf("table lacks %q:\n%s", note, table)
	}
}

// checkDBStatusCoverage: `db status -o json` on the test's database is
// valid against docs/db-status.schema.json and gives, per ecosystem and per
// source, the record counts and times (issue 9's third done-when).
func checkDBStatusCoverage(t *testing.T, db []string) {
	t.Helper()
	code, out, errs := runCLI(t, append(append([]string{}, db...), "db", "status", "-o", "json")...)
	if code != 0 {
		t.Fatalf("db status: exit %d: %s", code, errs)
	}
	if err := schemacheck.ValidateFile("../../docs/db-status.schema.json", []byte(out)); err != nil {
		t.Errorf("db status -o json does not validate against docs/db-status.schema.json: %v", err)
	}
	var st struct {
		Coverage []struct {
			Ecosystem string
			Covered   bool
			Counts    struct{ Total int }
			Current   time.Time
			Sources   []struct {
				Source, Type     string
				Counts           struct{ Total int }
				Updated, Checked time.Time
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	var ecosystems []string
	for _, c := range st.Coverage {
		ecosystems = append(ecosystems, c.Ecosystem)
		files, err := filepath.Glob(filepath.Join(osvDir, c.Ecosystem, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !c.Covered || c.Counts.Total != len(files) || c.Current.IsZero() || len(c.Sources) != 1 {
			t.Errorf("coverage %s: %+v, want %d records from one source", c.Ecosystem, c, len(files))
			continue
		}
		if s := c.Sources[0]; s.Type != "file" || s.Counts.Total != len(files) || s.Updated.IsZero() || s.Checked.IsZero() {
			t.Errorf("coverage %s source %+v", c.Ecosystem, s)
		}
	}
	dirs, err := os.ReadDir(osvDir)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, d := range dirs {
		want = append(want, d.Name())
	}
	if !slices.Equal(ecosystems, want) {
		t.Errorf("coverage ecosystems %q, want %q", ecosystems, want)
	}
}
