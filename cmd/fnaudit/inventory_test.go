package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver for the admin connection

	"github.com/fnaudit/fnaudit/inventory"
)

// inventoryBackends lists "sqlite" and, unless FNAUDIT_TEST_PG=off,
// "postgres" (a server on 127.0.0.1:5432 that does not answer fails).
func inventoryBackends() []string {
	if os.Getenv("FNAUDIT_TEST_PG") == "off" {
		return []string{"sqlite"}
	}
	return []string{"sqlite", "postgres"}
}

// freshInventory returns a DSN of an empty inventory on backend: a temp
// SQLite file, or a PostgreSQL database created for the test and dropped
// after it.
func freshInventory(t *testing.T, backend string) string {
	t.Helper()
	if backend == "sqlite" {
		return filepath.Join(t.TempDir(), "inventory.db")
	}
	admin := os.Getenv("FNAUDIT_TEST_PG_DSN")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	b := make([]byte, 6)
	rand.Read(b)
	name := "fnaudit_clitest_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("create database %s (FNAUDIT_TEST_PG=off skips PostgreSQL): %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return strings.Replace(admin, "/postgres?", "/"+name+"?", 1)
}

// hitJSON is one row of `investigate -o json`.
type hitJSON struct {
	Name, Qualifier, Origin, Path, Package, Folder, Version, ShadowedBy string
	Loaded, StillDeployed                                               bool
	FirstSeen, LastSeen                                                 time.Time
}

func investigateJSON(t *testing.T, db []string, dsn string, args ...string) (int, []hitJSON, string) {
	t.Helper()
	code, out, errs := runCLI(t, append(append(append([]string{}, db...), "investigate", "--inventory", dsn, "-o", "json"), args...)...)
	var hits []hitJSON
	if code == 0 || code == 1 {
		if err := json.Unmarshal([]byte(out), &hits); err != nil {
			t.Fatalf("investigate %v: exit %d, not JSON: %v\n%s%s", args, code, err, out, errs)
		}
	}
	return code, hits, errs
}

// recordScans runs `scan --record` for each command line (target and
// flags), in parallel, and checks the gate's exit code.
func recordScans(t *testing.T, db []string, dsn string, scans map[string][]string, want map[string]int) {
	t.Helper()
	// The scans open the new inventory at the same moment: its migration
	// must take turns (TestOpenNewConcurrently).
	var wg sync.WaitGroup
	for name, args := range scans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := append(append(append([]string{}, db...), "scan", "-q", "-o", "json", "--record", "--inventory", dsn, "--name", name), args...)
			code, _, errs := runCLI(t, cmd...)
			if code != want[name] {
				t.Errorf("scan --record %s: exit %d, want %d: %s", name, code, want[name], errs)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
}

// corpusScans is every corpus function, plus lodash 4.17.15 in a layer
// under the function's own lodash 4.18.1 (shadowed).
func corpusScans(t *testing.T) (map[string][]string, map[string]int) {
	fn, layer := lodashZips(t)
	scans := map[string][]string{"shadowed-lodash": {fn, "--layer", layer}}
	want := map[string]int{"shadowed-lodash": 0}
	zips, _ := filepath.Glob(filepath.Join(functionsDir, "*.zip"))
	for _, z := range zips {
		name := strings.TrimSuffix(filepath.Base(z), ".zip")
		scans[name] = []string{z}
		want[name] = 1
	}
	// go-bootstrap fails too: 3 reachable unrated Go findings (issue 9).
	return scans, want
}

// TestInventoryInvestigateCorpus is issue 12's first done-when on each
// backend: every corpus function recorded, then investigate by name, by
// advisory and by version finds exactly the copies that carry it.
func TestInventoryInvestigateCorpus(t *testing.T) {
	t.Parallel()
	db := corpusDB(t)
	for _, backend := range inventoryBackends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			dsn := freshInventory(t, backend)
			scans, want := corpusScans(t)
			recordScans(t, db, dsn, scans, want)

			code, hits, errs := investigateJSON(t, db, dsn, "flatmap-stream")
			if code != 1 || len(hits) != 1 || hits[0].Name != "event-stream-reconstruction" ||
				hits[0].Path != "/var/task/node_modules/flatmap-stream" || hits[0].Version != "0.1.1" ||
				!hits[0].Loaded || !hits[0].StillDeployed || hits[0].Origin != "function" || hits[0].FirstSeen.IsZero() {
				t.Errorf("investigate flatmap-stream: exit %d %+v %s", code, hits, errs)
			}
			code, hits, errs = investigateJSON(t, db, dsn, "--advisory", "GHSA-mh6f-8j2x-4483")
			var got []string
			for _, h := range hits {
				got = append(got, h.Name+" "+h.Path)
			}
			wantHits := []string{"event-stream-reconstruction /var/task/node_modules/event-stream",
				"event-stream-reconstruction /var/task/node_modules/flatmap-stream"}
			if code != 1 || !slices.Equal(got, wantHits) {
				t.Errorf("investigate --advisory GHSA-mh6f-8j2x-4483: exit %d %q %s", code, got, errs)
			}
			for _, q := range []string{"lodash@4.17.15", "npm/lodash@<4.17.21", "pkg:npm/lodash@4.17.15", "lodash@>=4.17.0,<4.17.21"} {
				code, hits, errs = investigateJSON(t, db, dsn, q)
				got = nil
				for _, h := range hits {
					got = append(got, strings.Join([]string{h.Name, h.Origin, h.Path, h.Version, map[bool]string{true: "loaded", false: "shadowed by " + h.ShadowedBy}[h.Loaded]}, " "))
				}
				wantHits = []string{"node-app function /var/task/node_modules/lodash 4.17.15 loaded",
					"shadowed-lodash layer 1 /opt/nodejs/node_modules/lodash 4.17.15 shadowed by /var/task/node_modules/lodash"}
				if code != 1 || !slices.Equal(got, wantHits) {
					t.Errorf("investigate %s: exit %d %q %s", q, code, got, errs)
				}
			}
			code, hits, _ = investigateJSON(t, db, dsn, "lodash@>=4.18.0")
			if code != 1 || len(hits) != 1 || hits[0].Name != "shadowed-lodash" || hits[0].Version != "4.18.1" || !hits[0].Loaded {
				t.Errorf("investigate lodash@>=4.18.0: exit %d %+v", code, hits)
			}
			if code, hits, errs = investigateJSON(t, db, dsn, "left-pad"); code != 0 || len(hits) != 0 {
				t.Errorf("investigate left-pad: exit %d %+v %s", code, hits, errs)
			}
			if code, out, errs := runCLI(t, "investigate", "--inventory", dsn, "-o", "csv", "flatmap-stream"); code != 1 ||
				!strings.Contains(out, ",event-stream-reconstruction,,yes,function,/var/task/node_modules/flatmap-stream,npm/flatmap-stream,0.1.1,loaded,") {
				t.Errorf("csv: exit %d %s %s", code, out, errs)
			}

			code, out, errs := runCLI(t, "inventory", "list", "--inventory", dsn, "-o", "json")
			var list []inventory.FunctionSummary
			if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != len(scans) {
				t.Fatalf("inventory list: exit %d, %d functions, want %d: %s", code, len(list), len(scans), errs)
			}
			for _, f := range list {
				if f.LastResult != map[int]string{0: "pass", 1: "fail"}[want[f.Name]] || f.DeployedVersions != 1 {
					t.Errorf("inventory list: %s: %+v", f.Name, f)
				}
			}
			code, out, errs = runCLI(t, "inventory", "show", "--inventory", dsn, "-o", "json", "event-stream-reconstruction")
			var show inventory.FunctionDetail
			if code != 0 || json.Unmarshal([]byte(out), &show) != nil || len(show.Versions) != 1 || !hasFinding(show.Versions[0].Findings, "GHSA-mh6f-8j2x-4483", "flatmap-stream") {
				t.Errorf("inventory show: exit %d %s %s", code, out, errs)
			}
			code, out, errs = runCLI(t, "inventory", "history", "--inventory", dsn, "-o", "json", "go-bootstrap")
			var runs []inventory.RunSummary
			if code != 0 || json.Unmarshal([]byte(out), &runs) != nil || len(runs) != 1 || runs[0].Result != "fail" || runs[0].Blocking != 3 {
				t.Errorf("inventory history: exit %d %s %s", code, out, errs)
			}
			if code, out, _ := runCLI(t, "inventory", "show", "--inventory", dsn, "node-app"); code != 0 || !strings.Contains(out, "GHSA-") {
				t.Errorf("inventory show table: exit %d %s", code, out)
			}
			if code, _, errs := runCLI(t, "inventory", "show", "--inventory", dsn, "nope"); code != 2 || strings.Count(errs, "\n") != 1 {
				t.Errorf("inventory show of an unknown function: exit %d %q", code, errs)
			}
		})
	}
}

func hasFinding(fs []inventory.FindingRow, id, pkg string) bool {
	return slices.ContainsFunc(fs, func(f inventory.FindingRow) bool { return f.AdvisoryID == id && f.Name == pkg })
}
