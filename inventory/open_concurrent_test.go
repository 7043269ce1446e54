package inventory

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// openAll opens dsn from n goroutines released at the same instant and
// returns their errors.
func openAll(dsn string, n int, at time.Time) []error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			time.Sleep(time.Until(at))
			s, err := Open(context.Background(), dsn)
			if err != nil {
				errs[i] = fmt.Errorf("opener %d: %w", i, err)
				return
			}
			errs[i] = s.Close()
		})
	}
	wg.Wait()
	return errs
}

// checkMigrated: one schema, applied once, and no lock file left beside a
// SQLite inventory.
func checkMigrated(t *testing.T, dsn string) {
	t.Helper()
	s := openT(t, dsn)
	v, err := s.schemaVersion(context.Background())
	if err != nil || v != SchemaVersion {
		t.Fatalf("schema version %d, %v", v, err)
	}
	eq(t, "version rows", count(t, s, versionTable), SchemaVersion+1) // goose's 0 and ours
	if s.backend == BackendSQLite {
		ents, _ := os.ReadDir(filepath.Dir(dsn))
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		eq(t, "files beside the inventory", names, []string{filepath.Base(dsn)})
	}
}

// TestOpenNewConcurrently: eight first-time opens of one new inventory at
// the same moment all succeed and leave one schema (they race in goose's
// migration unless they take turns).
func TestOpenNewConcurrently(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		for _, err := range openAll(dsn, 8, time.Now().Add(50*time.Millisecond)) {
			if err != nil {
				t.Error(err)
			}
		}
		checkMigrated(t, dsn)
	})
}

// TestOpenNewConcurrentlyProcesses: two processes of four openers each,
// released at the same instant, create one new SQLite inventory.
func TestOpenNewConcurrentlyProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dsn := filepath.Join(t.TempDir(), "inventory.db")
	at := time.Now().Add(1500 * time.Millisecond)
	var cmds []*exec.Cmd
	var outs [2]bytes.Buffer
	for i := range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestOpenHelperProcess$")
		cmd.Env = append(os.Environ(), "FNAUDIT_TEST_OPEN_DSN="+dsn, "FNAUDIT_TEST_OPEN_AT="+strconv.FormatInt(at.UnixNano(), 10))
		cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("process %d: %v\n%s", i, err, outs[i].String())
		}
	}
	checkMigrated(t, dsn)
}

// TestOpenHelperProcess is one process of TestOpenNewConcurrentlyProcesses
// (it does nothing unless started by it).
func TestOpenHelperProcess(t *testing.T) {
	dsn := os.Getenv("FNAUDIT_TEST_OPEN_DSN")
	if dsn == "" {
		t.Skip("helper process")
	}
	ns, err := strconv.ParseInt(os.Getenv("FNAUDIT_TEST_OPEN_AT"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	failed := false
	for _, err := range openAll(dsn, 4, time.Unix(0, ns)) {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}
