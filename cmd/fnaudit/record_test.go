package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/inventory"
)

// TestRecordRefusesBadInventory: a bad DSN, a newer schema and a read-only
// file each give exit 2 and one line naming the inventory, before anything
// is scanned or written.
func TestRecordRefusesBadInventory(t *testing.T) {
	t.Parallel()
	db := corpusDB(t)
	target := filepath.Join(functionsDir, "node-app.zip")

	newer := filepath.Join(t.TempDir(), "newer.db")
	s, err := inventory.Open(context.Background(), newer)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	raw, err := sql.Open("sqlite", newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(fmt.Sprintf(`INSERT INTO fnaudit_inventory_schema (version_id, is_applied) VALUES (%d, 1)`, inventory.SchemaVersion+1)); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	readOnly := filepath.Join(t.TempDir(), "ro.db")
	if s, err = inventory.Open(context.Background(), readOnly); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.Chmod(readOnly, 0o444); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct{ name, dsn, want string }{
		{"bad DSN", "postgres://127.0.0.1:notaport/x", "postgres://127.0.0.1:notaport/x"},
		{"newer schema", newer, "schema version"},
		{"read-only file", readOnly, "read-only"},
	} {
		before := fileState(t, c.dsn)
		for _, args := range [][]string{
			append(append([]string{}, db...), "scan", "-q", "--record", "--inventory", c.dsn, target),
			{"investigate", "--inventory", c.dsn, "lodash"},
			{"inventory", "list", "--inventory", c.dsn},
		} {
			code, out, errs := runCLI(t, args...)
			if code != 2 || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, c.want) {
				t.Errorf("%s: %s: exit %d, stdout %q, stderr %q", c.name, args[len(db)], code, out, errs)
			}
		}
		if after := fileState(t, c.dsn); after != before {
			t.Errorf("%s: the inventory changed", c.name)
		}
	}
}

// fileState is a file's and its directory's contents, "" for a URL.
func fileState(t *testing.T, path string) string {
	if strings.Contains(path, "://") {
		return ""
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	var b strings.Builder
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(filepath.Dir(path), e.Name()))
		fmt.Fprintf(&b, "%s %x\n", e.Name(), data)
	}
	return b.String()
}

// TestRecordUndecided: a scan that errors after its target is known is
// recorded as undecided with its error, never as a pass.
func TestRecordUndecided(t *testing.T) {
	t.Parallel()
	dsn := filepath.Join(t.TempDir(), "inv.db")
	bad := writeFile(t, t.TempDir(), "broken.zip", "not a zip")
	code, _, errs := runCLI(t, "--db", filepath.Join(t.TempDir(), "none.db"), "scan", "-q", "--record", "--name", "broken", "--inventory", dsn, bad)
	if code != 2 {
		t.Fatalf("scan of a broken zip: exit %d %s", code, errs)
	}
	code, out, errs := runCLI(t, "inventory", "history", "--inventory", dsn, "-o", "json", "broken")
	var runs []inventory.RunSummary
	if code != 0 || json.Unmarshal([]byte(out), &runs) != nil || len(runs) != 1 || runs[0].Result != inventory.ResultUndecided || runs[0].Error == "" {
		t.Errorf("history: exit %d %s %s", code, out, errs)
	}
}

// TestRecordKilled kills `scan --record` (a child process: this test
// binary re-run as fnaudit) at random points: the inventory holds whole
// scans only, and investigate and inventory show still work.
func TestRecordKilled(t *testing.T) {
	t.Parallel()
	db := corpusDB(t)
	dsn := filepath.Join(t.TempDir(), "inv.db")
	es := filepath.Join(functionsDir, "event-stream-reconstruction.zip")
	if code, _, errs := runCLI(t, append(db, "scan", "-q", "-o", "json", "--record", "--name", "es", "--inventory", dsn, es)...); code != 1 {
		t.Fatalf("first scan: exit %d %s", code, errs)
	}
	node := filepath.Join(functionsDir, "node-app.zip")
	// Delays spread over a scan of node-app.zip (a few seconds here),
	// jittered so repeated runs hit other points.
	for i, base := range []time.Duration{50 * time.Millisecond, 300 * time.Millisecond, time.Second, 2 * time.Second, 3 * time.Second, 5 * time.Second} {
		delay := base + time.Duration(rand.Int64N(int64(200*time.Millisecond)))
		args, _ := json.Marshal(append(db, "scan", "-q", "-o", "json", "--record", "--name", fmt.Sprintf("node-%d", i), "--inventory", dsn, node))
		cmd := exec.Command(os.Args[0], "-test.run=^TestDBChildProcess$")
		cmd.Env = append(os.Environ(), childArgsEnv+"="+string(args))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Kill()
		cmd.Wait()
		checkWholeScans(t, dsn)
		if code, out, errs := runCLI(t, "inventory", "show", "--inventory", dsn, "es"); code != 0 || !strings.Contains(out, "GHSA-mh6f-8j2x-4483") {
			t.Errorf("kill after %v: inventory show: exit %d %s %s", delay, code, out, errs)
		}
		code, hits, errs := investigateJSON(t, db, dsn, "flatmap-stream")
		if code != 1 || len(hits) != 1 || hits[0].Name != "es" {
			t.Errorf("kill after %v: investigate: exit %d %+v %s", delay, code, hits, errs)
		}
	}
}

// checkWholeScans: every function has its run, every artifact all its
// package rows, every run of a recorded version its version.
func checkWholeScans(t *testing.T, dsn string) {
	t.Helper()
	raw, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		`SELECT COUNT(*) FROM functions f WHERE NOT EXISTS (SELECT 1 FROM scan_runs r WHERE r.function_id = f.id)`,
		`SELECT COUNT(*) FROM artifacts a WHERE a.package_count <> (SELECT COUNT(*) FROM packages p WHERE p.artifact_digest = a.digest)`,
		`SELECT COUNT(*) FROM versions v WHERE NOT EXISTS (SELECT 1 FROM scan_runs r WHERE r.version_id = v.id)`,
	} {
		var n int
		if err := raw.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n != 0 {
			t.Errorf("partial scan left: %s = %d", q, n)
		}
	}
}
