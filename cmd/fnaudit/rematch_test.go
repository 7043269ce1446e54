package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/inventory"
)

// newJWSRecord affects jws 3.2.3, which node-app.zip carries and which no
// corpus advisory names.
const newJWSRecord = `{"schema_version": "1.3.0", "id": "GHSA-test-jws0-0001", "modified": "2020-01-01T00:00:00Z",
 "summary": "test advisory on jws", "aliases": ["CVE-2099-0001"],
 "affected": [{"package": {"ecosystem": "npm", "name": "jws"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.2.4"}]}]}],
 "database_specific": {"severity": "HIGH"}}`

// copyFile copies a corpus zip into dir, so the test can delete it.
func copyFile(t *testing.T, src, dir string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, filepath.Base(src))
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestInventoryRematchNewRecord is issue 12's second done-when on each
// backend: after db import of one record affecting a package already in
// the inventory, rematch reports exactly the newly affected function. The
// scanned zips are deleted first, so no artifact can be opened.
func TestInventoryRematchNewRecord(t *testing.T) {
	t.Parallel()
	for _, backend := range inventoryBackends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			db := corpusDB(t)
			dsn := freshInventory(t, backend)
			dir := t.TempDir()
			node := copyFile(t, filepath.Join(functionsDir, "node-app.zip"), dir)
			es := copyFile(t, filepath.Join(functionsDir, "event-stream-reconstruction.zip"), dir)
			recordScans(t, db, dsn, map[string][]string{"node": {node}, "es": {es}}, map[string]int{"node": 1, "es": 1})
			for _, z := range []string{node, es} {
				if err := os.Remove(z); err != nil {
					t.Fatal(err)
				}
			}
			// Nothing changed yet: an incremental rematch has nothing to do.
			code, out, errs := runCLI(t, append(db, "inventory", "rematch", "--inventory", dsn, "-o", "json")...)
			var res inventory.RematchResult
			if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Full || len(res.Changed) != 0 || len(res.Changes) != 0 {
				t.Fatalf("rematch before import: exit %d %s %s", code, out, errs)
			}

			rec := filepath.Join(t.TempDir(), "GHSA-test-jws0-0001.json")
			if err := os.WriteFile(rec, []byte(newJWSRecord), 0o644); err != nil {
				t.Fatal(err)
			}
			if code, _, errs := runCLI(t, append(db, "db", "import", rec)...); code != 0 {
				t.Fatalf("db import: exit %d %s", code, errs)
			}
			code, out, errs = runCLI(t, append(db, "inventory", "rematch", "--inventory", dsn, "-o", "json")...)
			res = inventory.RematchResult{}
			if code != 0 || json.Unmarshal([]byte(out), &res) != nil {
				t.Fatalf("rematch: exit %d %s %s", code, out, errs)
			}
			if res.Full || len(res.Changed) != 1 || res.Changed[0] != (inventory.NameKey{Ecosystem: "npm", Name: "jws"}) {
				t.Errorf("rematch looked at %+v (full %v), want npm/jws only", res.Changed, res.Full)
			}
			if len(res.Changes) != 1 {
				t.Fatalf("rematch changes: %+v", res.Changes)
			}
			c := res.Changes[0]
			if len(c.Functions) != 1 || c.Functions[0].Name != "node" || len(c.Fixed) != 0 || len(c.New) != 1 ||
				c.New[0].AdvisoryID != "GHSA-test-jws0-0001" || c.New[0].Name != "jws" || c.New[0].Version != "3.2.3" ||
				c.New[0].Path != "/var/task/node_modules/jws" || c.New[0].Verdict != inventory.VerdictFail {
				t.Errorf("rematch change: %+v", c)
			}
			// The new finding is stored: found by its alias, from the inventory.
			code, hits, errs := investigateJSON(t, db, dsn, "--advisory", "CVE-2099-0001")
			if code != 1 || len(hits) != 1 || hits[0].Name != "node" || hits[0].Path != "/var/task/node_modules/jws" {
				t.Errorf("investigate the new advisory by alias: exit %d %+v %s", code, hits, errs)
			}
			// The table names the function and the advisory; a second
			// rematch finds nothing new.
			code, out, _ = runCLI(t, append(db, "inventory", "rematch", "--inventory", dsn)...)
			if code != 0 || strings.Contains(out, "NEW") {
				t.Errorf("second rematch: exit %d %s", code, out)
			}
			code, out, _ = runCLI(t, append(db, "inventory", "rematch", "--full", "--inventory", dsn)...)
			if code != 0 || !strings.Contains(out, "full") || strings.Contains(out, "NEW") || strings.Contains(out, "FIXED") {
				t.Errorf("full rematch: exit %d %s", code, out)
			}
		})
	}
}

// TestInventoryRematchGoReachability: a rematch cannot read the Go binary,
// so a Go finding that comes back takes the reachability kept at scan time
// for that binary and advisory. The zip is deleted after recording.
func TestInventoryRematchGoReachability(t *testing.T) {
	t.Parallel()
	full := corpusDB(t)
	npmOnly := filepath.Join(t.TempDir(), "npm.db")
	if code, _, errs := runCLI(t, "--db", npmOnly, "db", "import", filepath.Join(osvDir, "npm")); code != 0 {
		t.Fatalf("db import: exit %d %s", code, errs)
	}
	dsn := freshInventory(t, "sqlite")
	bin := copyFile(t, filepath.Join(functionsDir, "go-bootstrap.zip"), t.TempDir())
	recordScans(t, full, dsn, map[string][]string{"go": {bin}}, map[string]int{"go": 1})
	os.Remove(bin)
	rematch := func(db ...string) inventory.RematchResult {
		t.Helper()
		code, out, errs := runCLI(t, append(db, "inventory", "rematch", "--inventory", dsn, "-o", "json")...)
		var res inventory.RematchResult
		if code != 0 || json.Unmarshal([]byte(out), &res) != nil || len(res.Changes) != 1 {
			t.Fatalf("rematch: exit %d %s %s", code, out, errs)
		}
		return res
	}
	if res := rematch("--db", npmOnly); len(res.Changes[0].Fixed) != 16 || len(res.Changes[0].New) != 0 {
		t.Errorf("rematch without Go records: %+v", res.Changes[0])
	}
	res := rematch(full...)
	c := res.Changes[0]
	if len(c.New) != 16 || c.Reachability["GO-2021-0238"] != "true" || c.Reachability["GO-2022-0236"] != "false" ||
		c.Reachability["GO-2023-1988"] != "unknown" {
		t.Errorf("rematch with Go records: %d new, reachability %v", len(c.New), c.Reachability)
	}
}
