package fleet_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/fleet"
	"github.com/fnaudit/fnaudit/fleet/fleettest"
	"github.com/fnaudit/fnaudit/inventory"
	"github.com/fnaudit/fnaudit/report"
	"github.com/fnaudit/fnaudit/scan"
)

const functionsDir = "../testdata/functions"

var (
	dbOnce sync.Once
	dbPath string
	dbErr  error
)

// advisoryDB imports the corpus advisories once per test binary.
func advisoryDB(t testing.TB) string {
	t.Helper()
	dbOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fleet-advisories-*")
		if err != nil {
			dbErr = err
			return
		}
		dbPath = filepath.Join(dir, "advisories.db")
		_, dbErr = feeds.Import(context.Background(), dbPath, []string{"../testdata/osv"})
	})
	if dbErr != nil {
		t.Fatalf("import corpus advisories: %v", dbErr)
	}
	return dbPath
}

func openEngine(t testing.TB) *scan.Engine {
	t.Helper()
	e, err := scan.Open(context.Background(), scan.Config{DBPath: advisoryDB(t), TempRoot: t.TempDir(), AcceptStale: true,
		Tool: report.Tool{Name: "fnaudit", Version: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func openStore(t testing.TB, dsn string) *inventory.Store {
	t.Helper()
	s, err := inventory.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fleetSize is the number of functions of the generated fleet
// (FNAUDIT_FLEET_FUNCTIONS, default 200).
func fleetSize(def int) int {
	if n, err := strconv.Atoi(os.Getenv("FNAUDIT_FLEET_FUNCTIONS")); err == nil && n > 0 {
		return n
	}
	return def
}

func buildFleet(t testing.TB, n int) *fleettest.Fleet {
	t.Helper()
	f, err := fleettest.Build(functionsDir, t.TempDir(), fleettest.Options{Functions: n, Layers: 20, EOLEvery: 10})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// newPlanner makes a planner for one run with its own Fetcher.
func newPlanner(t testing.TB, e *scan.Engine, s *inventory.Store) *fleet.Planner {
	t.Helper()
	return &fleet.Planner{Engine: e, Store: s, Fetcher: &fleet.Fetcher{LayerDir: t.TempDir()}, WorkDir: t.TempDir()}
}

func fmtInt(i int) string { return strconv.Itoa(i) }
