package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/internal/schemacheck"
	zt "github.com/fnaudit/fnaudit/internal/ziptest"
	"github.com/fnaudit/fnaudit/sbom"
)

var update = flag.Bool("update", false, "rewrite golden files")

// corpusDB imports the corpus advisories into a fresh database and returns
// the --db flag pair for it.
func corpusDB(t *testing.T) []string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "advisories.db")
	if code, _, errs := runCLI(t, "--db", db, "db", "import", osvDir); code != 0 {
		t.Fatalf("db import: exit %d: %s", code, errs)
	}
	return []string{"--db", db}
}

// jsonReport is the part of the JSON report the tests read.
type jsonReport struct {
	Schema string `json:"schema"`
	Gate   struct {
		Pass    bool   `json:"pass"`
		FailOn  string `json:"failOn"`
		Failing int    `json:"failing"`
	} `json:"gate"`
	Provenance *struct {
		Verified  bool   `json:"verified"`
		Fails     bool   `json:"fails"`
		Detail    string `json:"detail"`
		Builder   string `json:"builder"`
		SourceURI string `json:"sourceUri"`
	} `json:"provenance"`
	Findings []struct {
		IDs       []string `json:"ids"`
		Kind      string   `json:"kind"`
		Severity  string   `json:"severity"`
		FixedIn   string   `json:"fixedIn"`
		Reachable string   `json:"reachable"`
		Package   struct {
			Ecosystem, Name, Version, PURL, Path, Alias string
			Loaded                                      bool
		} `json:"package"`
		Gate struct {
			Fails  bool   `json:"fails"`
			Reason string `json:"reason"`
			Detail string `json:"detail"`
		} `json:"gate"`
	} `json:"findings"`
}

func scanJSON(t *testing.T, db []string, args ...string) (int, jsonReport, string) {
	t.Helper()
	code, out, errs := runCLI(t, append(append(append([]string{}, db...), "scan", "-o", "json"), args...)...)
	var r jsonReport
	if code == 0 || code == 1 {
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("exit %d, report is not JSON: %v\n%s\n%s", code, err, out, errs)
		}
	}
	return code, r, errs
}

// TestScanEventStream is issue 4's first done-when: the event-stream
// reconstruction fails the gate with exit 1; flatmap-stream 0.1.1 has
// malicious findings naming GHSA-mh6f-8j2x-4483 and MAL-2025-20690 (two
// findings: the records do not alias each other), event-stream 3.3.6 one
// naming GHSA-mh6f-8j2x-4483, each at its node_modules path.
func TestScanEventStream(t *testing.T) {
	t.Parallel()
	code, r, errs := scanJSON(t, corpusDB(t), filepath.Join(functionsDir, "event-stream-reconstruction.zip"))
	if code != 1 || r.Gate.Pass {
		t.Fatalf("exit %d, pass %v: %s", code, r.Gate.Pass, errs)
	}
	if !strings.Contains(errs, "gate failed: 3 of 3 findings fail the policy") {
		t.Errorf("stderr %q", errs)
	}
	got := map[string][]string{}
	for _, f := range r.Findings {
		if f.Kind != "malicious" || !f.Gate.Fails || f.Gate.Reason != "malicious" {
			t.Errorf("finding %v: kind %s gate %+v", f.IDs, f.Kind, f.Gate)
		}
		key := f.Package.Name + "@" + f.Package.Version + " " + f.Package.Path
		got[key] = append(got[key], f.IDs...)
	}
	want := map[string][]string{
		"event-stream@3.3.6 /var/task/node_modules/event-stream":     {"GHSA-mh6f-8j2x-4483"},
		"flatmap-stream@0.1.1 /var/task/node_modules/flatmap-stream": {"GHSA-mh6f-8j2x-4483", "MAL-2025-20690"},
	}
	for k := range got {
		sort.Strings(got[k])
	}
	if !equalJSON(got, want) {
		t.Errorf("findings %v, want %v", got, want)
	}
}

// goldenScans are the scans whose JSON result is kept as a golden file:
// every corpus function, a function with its layer (shadowed copies), and a
// policy exception (a cleared finding). Their results, with fixed times,
// are also report's fixtures (report/testdata/results), rendered there in
// every format.
var goldenScans = []struct {
	name string
	args []string
	exit int
}{
	{"event-stream-reconstruction", []string{"event-stream-reconstruction.zip"}, 1},
	{"go-bootstrap", []string{"go-bootstrap.zip"}, 1}, // 3 reachable unrated Go findings (issue 9.5)
	{"java-app", []string{"java-app.zip"}, 1},
	{"node-app", []string{"node-app.zip"}, 1},
	{"node-layer", []string{"node-layer.zip"}, 1},
	{"python-app", []string{"python-app.zip"}, 1},
	{"python-layer", []string{"python-layer.zip"}, 1},
	{"node-app-with-layer", []string{"node-app.zip", "--layer", "node-layer.zip"}, 1},
	{"event-stream-exception", []string{"event-stream-reconstruction.zip", "--policy", "../../testdata/golden/scan/exception.fnaudit.yaml"}, 1},
}

// TestScanGolden: the JSON report of every golden scan, with the database
// and time fields normalised, equals testdata/golden/scan/<name>.json (go
// test ./cmd/fnaudit -run TestScanGolden -update rewrites them, and
// report's fixtures), and validates against docs/report.schema.json.
func TestScanGolden(t *testing.T) {
	t.Parallel()
	db := corpusDB(t)
	for _, sc := range goldenScans {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			args := append(append([]string{}, db...), "scan", "-o", "json")
			for i, a := range sc.args {
				if strings.HasSuffix(a, ".zip") && (i == 0 || sc.args[i-1] == "--layer") {
					a = filepath.Join(functionsDir, a)
				}
				args = append(args, a)
			}
			code, out, errs := runCLI(t, args...)
			if code != sc.exit {
				t.Fatalf("exit %d, want %d: %s", code, sc.exit, errs)
			}
			if err := schemacheck.ValidateFile("../../docs/report.schema.json", []byte(out)); err != nil {
				t.Errorf("report does not validate against docs/report.schema.json: %v", err)
			}
			got := normaliseReport(t, out, "NORMALISED")
			golden := filepath.Join(goldenDir, sc.name+".json")
			if *update {
				writeGolden(t, golden, got)
				writeGolden(t, filepath.Join(reportFixtures, sc.name+".json"), normaliseReport(t, out, ""))
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("report differs from %s; rerun with -update and review the diff\n%s", golden, firstDiff(want, got))
			}
		})
	}
}

// reportFixtures holds the golden scans' results as report's tests read
// them: fixed times instead of NORMALISED, so they decode.
const reportFixtures = "../../report/testdata/results"

func writeGolden(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// normaliseReport blanks what changes from run to run: times, the
// database's path and age, the build's version. With blank "" the times
// become fixed instants instead, so the result still decodes.
func normaliseReport(t *testing.T, out, blank string) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	created, updated, version, path := blank, blank, blank, blank
	if blank == "" {
		created, updated, version, path = "2026-11-28T09:00:00Z", "2026-11-28T06:00:00Z", "test", "advisories.db"
	}
	m["createdAt"] = created
	m["tool"] = map[string]any{"name": "fnaudit", "version": version} // "(devel)", or a VCS pseudo-version
	m["database"] = map[string]any{"path": path, "lastUpdated": updated, "ageHours": 0}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func firstDiff(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(wl) && i < len(gl); i++ {
		if wl[i] != gl[i] {
			return "line " + strconv.Itoa(i+1) + ":\n- " + wl[i] + "\n+ " + gl[i]
		}
	}
	return "lengths differ"
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// TestScanMatchesOSVScanner: for every corpus function, the advisory ids
// fnaudit's scan reports per package equal what osv-scanner v2.5.0 reported
// over the same records (testdata/peers, all its runs together), except the
// differences listed and explained in osv-scanner-v2.5.0-exceptions.json.
func TestScanMatchesOSVScanner(t *testing.T) {
	t.Parallel()
	var peer struct {
		Functions map[string]struct {
			Runs map[string][]struct {
				Ecosystem, Name, Version string
				IDs                      []string `json:"ids"`
			} `json:"runs"`
		} `json:"functions"`
	}
	var exceptions []struct {
		Function, Ecosystem, Name, Version, Kind, ID string
	}
	readJSONFile(t, "../../testdata/peers/osv-scanner-v2.5.0.json", &peer)
	readJSONFile(t, "../../testdata/peers/osv-scanner-v2.5.0-exceptions.json", &exceptions)
	db := corpusDB(t)
	for zipName, pf := range peer.Functions {
		// osv-scanner writes Go module versions without their "v".
		key := func(eco, name, version string) string {
			if eco == sbom.EcosystemGo {
				version = strings.TrimPrefix(version, "v")
			}
			return eco + " " + core.NormalizeName(eco, name) + " " + version
		}
		theirs := map[string]map[string]bool{}
		for _, run := range pf.Runs {
			for _, p := range run {
				k := key(p.Ecosystem, p.Name, p.Version)
				if theirs[k] == nil {
					theirs[k] = map[string]bool{}
				}
				for _, id := range p.IDs {
					theirs[k][id] = true
				}
			}
		}
		for _, e := range exceptions {
			if e.Function == zipName && e.Kind == "fnaudit-only" {
				theirs[key(e.Ecosystem, e.Name, e.Version)][e.ID] = true // explained: fnaudit is right
			}
		}
		_, r, errs := scanJSON(t, db, filepath.Join(functionsDir, zipName))
		ours := map[string]map[string]bool{}
		for _, f := range r.Findings {
			k := key(f.Package.Ecosystem, f.Package.Name, f.Package.Version)
			if ours[k] == nil {
				ours[k] = map[string]bool{}
			}
			for _, id := range f.IDs {
				ours[k][id] = true
			}
		}
		for k, ids := range theirs {
			if len(ids) == 0 {
				continue
			}
			if !equalJSON(ids, ours[k]) {
				t.Errorf("%s: %s: fnaudit %v, osv-scanner %v (%s)", zipName, k, ours[k], ids, errs)
			}
		}
		for k, ids := range ours {
			if _, ok := theirs[k]; !ok {
				t.Errorf("%s: %s: fnaudit reports %v for a package osv-scanner did not see", zipName, k, ids)
			}
		}
	}
}

func readJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// lodashZips builds the shadowing case from the real lodash
// 4.17.15 metadata in the corpus: a function carrying lodash 4.18.1 and a
// layer carrying 4.17.15.
func lodashZips(t *testing.T) (fn, layer string) {
	t.Helper()
	raw := zt.ReadEntry(t, filepath.Join(functionsDir, "node-app.zip"), "node_modules/lodash/package.json")
	newer := strings.Replace(raw, `"version": "4.17.15"`, `"version": "4.18.1"`, 1)
	dir := t.TempDir()
	fn = zt.Write(t, dir, "function.zip", zt.File("index.js", "exports.handler = async () => 1"), zt.File("node_modules/lodash/package.json", newer))
	layer = zt.Write(t, dir, "lodash-layer.zip", zt.File("nodejs/node_modules/lodash/package.json", raw))
	return fn, layer
}

// TestScanShadowedLodash: lodash 4.17.15 in a layer, under the function's
// own lodash 4.18.1, is reported as shadowed and does not fail the gate;
// with fail_on_shadowed: true it does.
func TestScanShadowedLodash(t *testing.T) {
	t.Parallel()
	db := corpusDB(t)
	fn, layer := lodashZips(t)
	code, r, errs := scanJSON(t, db, fn, "--layer", layer)
	if code != 0 || !r.Gate.Pass {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if len(r.Findings) != 2 {
		t.Fatalf("findings %+v, want lodash 4.17.15's two advisories", r.Findings)
	}
	for _, f := range r.Findings {
		if f.Package.Version != "4.17.15" || f.Package.Loaded || f.Gate.Fails || f.Gate.Reason != "shadowed" ||
			f.Package.Path != "/opt/nodejs/node_modules/lodash" || !strings.Contains(f.Gate.Detail, "/var/task/node_modules/lodash") {
			t.Errorf("finding %v: %+v %+v", f.IDs, f.Package, f.Gate)
		}
	}
	pol := writeFile(t, t.TempDir(), "policy.yaml", "fail_on_shadowed: true\n")
	code, r, errs = scanJSON(t, db, fn, "--layer", layer, "--policy", pol)
	if code != 1 || r.Gate.Failing != 2 {
		t.Errorf("fail_on_shadowed: exit %d, failing %d (%s)", code, r.Gate.Failing, errs)
	}
}
