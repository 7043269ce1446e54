package scan

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/report"
)

const (
	functionsDir = "../testdata/functions"
	osvDir       = "../testdata/osv"
)

func fn(name string) string { return filepath.Join(functionsDir, name) }

// corpusDB imports the corpus advisories once per test binary; engines open
// it read-only, so every test can share it.
var corpusDB = sync.OnceValues(func() (string, error) {
	dir, err := tempDirForProcess()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "advisories.db")
	_, err = feeds.Import(context.Background(), path, []string{osvDir})
	return path, err
})

// openEngine opens an engine on the corpus database, with each scan's
// private directory under root.
func openEngine(t testing.TB, root string) *Engine {
	t.Helper()
	db, err := corpusDB()
	if err != nil {
		t.Fatalf("import corpus advisories: %v", err)
	}
	e, err := Open(context.Background(), Config{DBPath: db, TempRoot: root, AcceptStale: true,
		Tool: report.Tool{Name: "fnaudit", Version: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}
