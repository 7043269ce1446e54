package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fnaudit/fnaudit/internal/schemacheck"
	zt "github.com/fnaudit/fnaudit/internal/ziptest"
)

// npmServer answers the npm registry answers recorded in
// testdata/registry/npm (404 for any other package). alias maps a package
// to another recorded file (request → request-deprecated).
func npmServer(t *testing.T, alias map[string]string) (string, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		name := strings.TrimPrefix(r.URL.Path, "/")
		if a, ok := alias[name]; ok {
			name = a
		}
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "registry", "npm", filepath.Base(name)+".json"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &n
}

// pypiOnlyDB is an advisory database of the PyPI records and one npm
// record (jsonwebtoken's, so that it covers npm): no record for any
// package the tests scan.
func pypiOnlyDB(t *testing.T) []string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "advisories.db")
	if code, _, errs := runCLI(t, "--db", db, "db", "import", filepath.Join(osvDir, "PyPI"), filepath.Join(osvDir, "npm", "GHSA-27h2-hvpr-p74q.json")); code != 0 {
		t.Fatalf("db import: exit %d: %s", code, errs)
	}
	return []string{"--db", db}
}

type regFinding struct{ id, pkg, reason string }

func registryFindingsOf(r jsonReport) []regFinding {
	var out []regFinding
	for _, f := range r.Findings {
		if f.Kind == "registry" {
			out = append(out, regFinding{strings.Join(f.IDs, ","), f.Package.Name + "@" + f.Package.Version, f.Gate.Reason})
		}
	}
	return out
}

func sameRegFindings(got, want []regFinding) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

var eventStreamRegistry = []regFinding{
	{"REGISTRY-UNPUBLISHED", "event-stream@3.3.6", "registry"},
	{"REGISTRY-TAKEN-DOWN", "flatmap-stream@0.1.1", "registry-taken-down"},
}

// TestScanCheckRegistryEventStream: issue 14's first done-when, against a
// local server answering the recorded npm bytes, with an advisory database
// that has no record for either package; then offline from the cache.
func TestScanCheckRegistryEventStream(t *testing.T) {
	t.Parallel()
	url, requests := npmServer(t, nil)
	db := pypiOnlyDB(t)
	es := filepath.Join(functionsDir, "event-stream-reconstruction.zip")
	code, r, errs := scanJSON(t, db, es, "--check-registry", "--registry", "npm="+url)
	if code != 1 || r.Gate.Pass || r.Gate.Failing != 1 {
		t.Fatalf("exit %d, pass %v, failing %d: %s", code, r.Gate.Pass, r.Gate.Failing, errs)
	}
	if got := registryFindingsOf(r); !sameRegFindings(got, eventStreamRegistry) || len(r.Findings) != 2 {
		t.Errorf("findings %+v (%d in all), want %+v", got, len(r.Findings), eventStreamRegistry)
	}
	for _, f := range r.Findings {
		want := map[string]string{"flatmap-stream": "critical", "event-stream": "unknown"}[f.Package.Name]
		if f.Severity != want || f.Package.Path != "/var/task/node_modules/"+f.Package.Name || f.Gate.Fails != (f.Package.Name == "flatmap-stream") {
			t.Errorf("%s: severity %s path %s fails %v", f.Package.Name, f.Severity, f.Package.Path, f.Gate.Fails)
		}
	}
	if requests.Load() != 9 {
		t.Errorf("%d registry requests, want 9", requests.Load())
	}

	// The snapshot is cached: offline, the same findings, no request.
	code, r, errs = scanJSON(t, db, "--offline", es)
	if code != 1 || !sameRegFindings(registryFindingsOf(r), eventStreamRegistry) {
		t.Errorf("offline from the snapshot: exit %d findings %+v: %s", code, registryFindingsOf(r), errs)
	}
	if strings.Contains(errs, "registry snapshot") {
		t.Errorf("fresh snapshot warned: %s", errs)
	}
	if requests.Load() != 9 {
		t.Errorf("the offline scan asked the registry")
	}
	// Older than --db-max-allowed-age: used, with a warning.
	code, r, errs = scanJSON(t, db, "--offline", "--db-max-allowed-age", "1ns", "--db-validate-age=false", es)
	if code != 1 || !sameRegFindings(registryFindingsOf(r), eventStreamRegistry) || !strings.Contains(errs, "warning: registry snapshot is") || !strings.Contains(errs, "older than --db-max-allowed-age") {
		t.Errorf("old snapshot: exit %d findings %+v stderr %q", code, registryFindingsOf(r), errs)
	}
	// fail_on_registry fails the unpublished version too.
	pol := filepath.Join(t.TempDir(), "policy.yaml")
	os.WriteFile(pol, []byte("fail_on_registry: true\n"), 0o644)
	if code, r, errs = scanJSON(t, db, "--offline", "--policy", pol, es); code != 1 || r.Gate.Failing != 2 {
		t.Errorf("fail_on_registry: exit %d failing %d: %s", code, r.Gate.Failing, errs)
	}
	// An exception naming the id clears the taken-down package.
	os.WriteFile(pol, []byte("exceptions:\n  - id: REGISTRY-TAKEN-DOWN\n    package: pkg:npm/flatmap-stream@0.1.1\n    until: 2099-12-31\n    reason: test fixture\n"), 0o644)
	if code, r, errs = scanJSON(t, db, "--offline", "--policy", pol, es); code != 0 || !r.Gate.Pass {
		t.Errorf("exception: exit %d pass %v: %s", code, r.Gate.Pass, errs)
	}

	// db status shows the snapshot.
	code, out, errs := runCLI(t, append(append([]string{}, db...), "db", "status", "-o", "json")...)
	var st struct {
		Registry *struct {
			Packages   int   `json:"packages"`
			AgeSeconds int64 `json:"age_seconds"`
		} `json:"registry"`
		Totals json.RawMessage `json:"totals"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil || st.Registry == nil || st.Registry.Packages != 9 || st.Totals == nil {
		t.Errorf("db status -o json: exit %d %s %s", code, out, errs)
	}
	if code, out, _ := runCLI(t, append(append([]string{}, db...), "db", "status")...); code != 0 || !strings.Contains(out, "registry snapshot: 9 packages, saved ") {
		t.Errorf("db status: exit %d\n%s", code, out)
	}
}

// The corpus advisory database has malware records for both packages;
// the registry findings add to them, and render in every format.
func TestScanCheckRegistryFormats(t *testing.T) {
	t.Parallel()
	url, _ := npmServer(t, nil)
	db := corpusDB(t)
	es := filepath.Join(functionsDir, "event-stream-reconstruction.zip")
	schemas := map[string]func([]byte) error{
		"json":      func(b []byte) error { return schemacheck.ValidateFile("../../docs/report.schema.json", b) },
		"sarif":     func(b []byte) error { return schemacheck.Validate(schemasDir, schemacheck.SARIF210, b) },
		"cyclonedx": func(b []byte) error { return schemacheck.Validate(schemasDir, schemacheck.CycloneDX16, b) },
	}
	for _, format := range []string{"json", "table", "markdown", "sarif", "cyclonedx"} {
		args := append(append([]string{}, db...), "scan", "-o", format, "--check-registry", "--registry", "npm="+url, es)
		code, out, errs := runCLI(t, args...)
		if code != 1 || !strings.Contains(out, "REGISTRY-TAKEN-DOWN") || !strings.Contains(out, "REGISTRY-UNPUBLISHED") {
			t.Errorf("-o %s: exit %d: %s\n%s", format, code, errs, out)
		}
		if v := schemas[format]; v != nil {
			if err := v([]byte(out)); err != nil {
				t.Errorf("-o %s does not validate: %v", format, err)
			}
		}
		if format == "json" {
			var r jsonReport
			json.Unmarshal([]byte(out), &r)
			if len(r.Findings) != 5 || !sameRegFindings(registryFindingsOf(r), eventStreamRegistry) {
				t.Errorf("json: %d findings, registry %+v", len(r.Findings), registryFindingsOf(r))
			}
		}
	}
}

// writeFunction builds a function zip of npm packages in a temp dir.
func writeFunction(t *testing.T, entries ...zt.Entry) string {
	t.Helper()
	return zt.Write(t, t.TempDir(), "function.zip", append([]zt.Entry{zt.File("index.js", "exports.handler = async () => 1\n")}, entries...)...)
}

// lodash 4.17.15 (the corpus's own package.json) gives no registry
// finding; request 2.88.2, deprecated, gives a note and passes; a private
// package the registry answers 404 for gives nothing.
func TestScanCheckRegistryLodashDeprecatedPrivate(t *testing.T) {
	t.Parallel()
	url, _ := npmServer(t, map[string]string{"request": "request-deprecated"})
	db := pypiOnlyDB(t)
	lodash := zt.ReadEntry(t, filepath.Join(functionsDir, "node-app.zip"), "node_modules/lodash/package.json")
	fn := writeFunction(t,
		zt.File("node_modules/lodash/package.json", lodash),
		zt.NodePackage("", "request", "2.88.2"),
		zt.NodePackage("", "fnaudit-private-internal-lib", "1.0.0"),
	)
	code, r, errs := scanJSON(t, db, fn, "--check-registry", "--registry", "npm="+url)
	want := []regFinding{{"REGISTRY-DEPRECATED", "request@2.88.2", "registry-deprecated"}}
	if code != 0 || !r.Gate.Pass || !sameRegFindings(registryFindingsOf(r), want) || len(r.Findings) != 1 {
		t.Fatalf("exit %d pass %v findings %+v: %s", code, r.Gate.Pass, registryFindingsOf(r), errs)
	}
	if !strings.Contains(r.Findings[0].Gate.Detail, "never failing") {
		t.Errorf("detail %q", r.Findings[0].Gate.Detail)
	}
	// fail_on_registry does not make deprecation fail.
	pol := filepath.Join(t.TempDir(), "policy.yaml")
	os.WriteFile(pol, []byte("fail_on_registry: true\n"), 0o644)
	if code, _, errs := scanJSON(t, db, fn, "--offline", "--policy", pol); code != 0 {
		t.Errorf("fail_on_registry, deprecated: exit %d: %s", code, errs)
	}
}

func TestScanCheckRegistryRefusals(t *testing.T) {
	t.Parallel()
	db := pypiOnlyDB(t)
	es := filepath.Join(functionsDir, "event-stream-reconstruction.zip")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--offline", "scan", "--check-registry", es}, "--offline forbids the network"},
		{[]string{"scan", "--registry", "npm=http://127.0.0.1:1", es}, "add --check-registry"},
		{[]string{"scan", "--check-registry", "--registry", "cargo=http://127.0.0.1:1", es}, "unknown ecosystem"},
		{[]string{"scan", "--check-registry", "--registry", "npm=ftp://x", es}, "not an http(s) URL"},
		{[]string{"db", "update", "--sbom", "x.json"}, "add --registry"},
		{[]string{"db", "update", "--registry"}, "give the deployed packages with --sbom"},
		{[]string{"--offline", "db", "update", "--registry", "--sbom", "x.json"}, "--offline forbids the network"},
	}
	for _, c := range cases {
		code, _, errs := runCLI(t, append(append([]string{}, db...), c.args...)...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", c.args, code, errs, c.want)
		}
	}
}

// db update --registry: the snapshot from SBOMs; a registry that is down
// exits 2 and keeps the old snapshot.
func TestDBUpdateRegistry(t *testing.T) {
	t.Parallel()
	url, requests := npmServer(t, nil)
	db := pypiOnlyDB(t)
	dir := t.TempDir()
	sbomFile := filepath.Join(dir, "es.cdx.json")
	if code, _, errs := runCLI(t, "sbom", "-o", "cyclonedx-json", "--output", sbomFile, filepath.Join(functionsDir, "event-stream-reconstruction.zip")); code != 0 {
		t.Fatalf("sbom: exit %d: %s", code, errs)
	}
	code, _, errs := runCLI(t, append(append([]string{}, db...), "db", "update", "--registry", "--registry", "npm="+url, "--sbom", sbomFile)...)
	if code != 0 || !strings.Contains(errs, "9 versions of 9 packages looked up; 1 taken down, 1 unpublished") {
		t.Fatalf("db update --registry: exit %d: %s", code, errs)
	}
	if requests.Load() != 9 {
		t.Errorf("%d requests", requests.Load())
	}
	es := filepath.Join(functionsDir, "event-stream-reconstruction.zip")
	if code, r, errs := scanJSON(t, db, "--offline", es); code != 1 || !sameRegFindings(registryFindingsOf(r), eventStreamRegistry) {
		t.Errorf("offline scan after db update --registry: exit %d %+v: %s", code, registryFindingsOf(r), errs)
	}
	before := registrySnapshotOf(t, db)
	if before.Packages != 9 {
		t.Fatalf("snapshot %+v", before)
	}

	// The registry is down: nothing listens on the port any more.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String()
	ln.Close()
	code, _, errs = runCLI(t, append(append([]string{}, db...), "db", "update", "--registry=npm="+down, "--sbom", sbomFile)...)
	if code != 2 || !strings.Contains(errs, "the cached snapshot is unchanged") || !strings.Contains(errs, "gave up after 4 attempts") {
		t.Errorf("registry down: exit %d: %s", code, errs)
	}
	if after := registrySnapshotOf(t, db); after != before {
		t.Errorf("snapshot changed by a failed update: %+v, was %+v", after, before)
	}
	// scan --check-registry against it: exit 2, no decision.
	if code, _, errs := runCLI(t, append(append([]string{}, db...), "scan", "--check-registry", "--registry", "npm="+down, es)...); code != 2 {
		t.Errorf("scan with the registry down: exit %d: %s", code, errs)
	}
	if code, r, _ := scanJSON(t, db, "--offline", es); code != 1 || !sameRegFindings(registryFindingsOf(r), eventStreamRegistry) {
		t.Errorf("old snapshot lost: %+v", registryFindingsOf(r))
	}
}

type snapshotStatus struct {
	Updated  string `json:"updated"`
	Packages int    `json:"packages"`
}

// registrySnapshotOf is the registry part of `db status -o json`.
func registrySnapshotOf(t *testing.T, db []string) snapshotStatus {
	t.Helper()
	code, out, errs := runCLI(t, append(append([]string{}, db...), "db", "status", "-o", "json")...)
	var st struct {
		Registry *snapshotStatus `json:"registry"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil || st.Registry == nil {
		t.Fatalf("db status -o json: exit %d: %s\n%s", code, errs, out)
	}
	return *st.Registry
}

// TestDBUpdateRegistryInventory: `db update --registry --inventory DSN`
// looks up every package of the versions the inventory holds as deployed,
// and only those: function x first deployed node-app.zip, then the
// event-stream reconstruction, so only the latter's 9 packages are asked
// about (the same 9 as its SBOM gives).
func TestDBUpdateRegistryInventory(t *testing.T) {
	t.Parallel()
	url, requests := npmServer(t, nil)
	db := pypiOnlyDB(t)
	dsn := freshInventory(t, "sqlite")
	for _, zip := range []string{"node-app.zip", "event-stream-reconstruction.zip"} {
		code, _, errs := runCLI(t, append(append([]string{}, db...), "scan", "-q", "-o", "json", "--record", "--inventory", dsn,
			"--name", "x", filepath.Join(functionsDir, zip))...)
		if code != 0 && code != 1 {
			t.Fatalf("scan --record %s: exit %d: %s", zip, code, errs)
		}
	}
	code, _, errs := runCLI(t, append(append([]string{}, db...), "db", "update", "--registry", "--registry", "npm="+url, "--inventory", dsn)...)
	if code != 0 || !strings.Contains(errs, "9 versions of 9 packages looked up; 1 taken down, 1 unpublished") {
		t.Fatalf("db update --registry --inventory: exit %d: %s", code, errs)
	}
	if requests.Load() != 9 {
		t.Errorf("%d requests, want 9", requests.Load())
	}
	es := filepath.Join(functionsDir, "event-stream-reconstruction.zip")
	if code, r, errs := scanJSON(t, db, "--offline", es); code != 1 || !sameRegFindings(registryFindingsOf(r), eventStreamRegistry) {
		t.Errorf("offline scan after db update --registry --inventory: exit %d %+v: %s", code, registryFindingsOf(r), errs)
	}
	if code, _, errs := runCLI(t, append(append([]string{}, db...), "db", "update", "--inventory", dsn)...); code != 2 || !strings.Contains(errs, "add --registry") {
		t.Errorf("--inventory without --registry: exit %d: %s", code, errs)
	}
}
