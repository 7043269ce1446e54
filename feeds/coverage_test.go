package feeds

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/internal/schemacheck"
)

// importAt imports paths into db with the clock at t.
func importAt(t *testing.T, db string, at time.Time, paths ...string) ImportStats {
	t.Helper()
	st, err := Import(context.Background(), db, paths, WithClock((&fixedClock{t: at}).now))
	if err != nil {
		t.Fatalf("import %v: %v", paths, err)
	}
	return st
}

func openT(t *testing.T, db string) *Store {
	t.Helper()
	s, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Issue 9.1: a database holding only Go records must not pass npm
// packages; a block list covers nothing and freshens nothing.
func TestCheckCoverage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "advisories.db")
	importAt(t, db, t0, filepath.Join(corpusDir, "Go"))
	s := openT(t, db)

	if err := s.CheckCoverage(ctx, []string{"Go"}, t0.Add(time.Hour), 0); err != nil {
		t.Errorf("Go packages against Go records: %v", err)
	}
	err := s.CheckCoverage(ctx, []string{"Go", "npm", "npm", "", "pypi"}, t0.Add(time.Hour), 0)
	var ce *CoverageError
	if !errors.Is(err, ErrNotCovered) || !errors.As(err, &ce) || strings.Join(ce.Ecosystems, ",") != "PyPI,npm" {
		t.Fatalf("npm and PyPI packages against Go records: %v, want ErrNotCovered naming PyPI and npm", err)
	}
	checkOneLineError(t, err, db, "no advisories for PyPI, npm", "fnaudit db update -e PyPI -e npm")
	if err := s.CheckCoverage(ctx, []string{"cobol"}, t0, 0); err == nil || !strings.Contains(err.Error(), `unknown ecosystem "cobol"`) {
		t.Errorf("unknown ecosystem: %v", err)
	}

	// Stale after the max age, for the ecosystem in use.
	err = s.CheckCoverage(ctx, []string{"Go"}, t0.Add(10*24*time.Hour), 0)
	var se *StaleError
	if !errors.As(err, &se) || se.Ecosystem != "Go" || !se.LastUpdated.Equal(t0) {
		t.Fatalf("10 days later: %v, want a stale error for Go", err)
	}
	checkOneLineError(t, err, "the Go advisories in "+db, "10d0h ago", "--db-validate-age=false")
	if err := s.CheckCoverage(ctx, []string{"Go"}, t0.Add(10*24*time.Hour), 14*24*time.Hour); err != nil {
		t.Errorf("10 days with a 14-day limit: %v", err)
	}
	// In the future: stale too.
	if err := s.CheckCoverage(ctx, []string{"Go"}, t0.Add(-2*time.Hour), 0); !errors.As(err, &se) || !se.Future {
		t.Errorf("update time in the future: %v, want stale", err)
	}
	s.Close()

	// Ten days on, a block list naming npm packages is imported: npm is
	// still not covered, and Go is still ten days old.
	bl := writeRecord(t, dir, "blocklist.yaml", exampleBlockList)
	importAt(t, db, t0.Add(10*24*time.Hour), bl)
	s = openT(t, db)
	now := t0.Add(10*24*time.Hour + time.Minute)
	if err := s.CheckCoverage(ctx, []string{"npm"}, now, 0); !errors.Is(err, ErrNotCovered) {
		t.Errorf("npm covered by a block list alone: %v", err)
	}
	if err := s.CheckCoverage(ctx, []string{"Go"}, now, 0); !errors.Is(err, ErrStale) {
		t.Errorf("a block-list import freshened the Go advisories: %v", err)
	}
	if _, err := s.CheckAge(ctx, now, 0); !errors.Is(err, ErrStale) {
		t.Errorf("a block-list import freshened the database: %v", err)
	}
	last, _ := s.LastUpdated(ctx)
	if !last.Equal(t0) {
		t.Errorf("LastUpdated %v after a block-list import, want %v", last, t0)
	}

	// db status: per ecosystem, per source, counts and times.
	st, err := s.Status(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	cov := map[string]EcosystemCoverage{}
	for _, c := range st.Coverage {
		cov[c.Ecosystem] = c
	}
	goCov, npmCov := cov["Go"], cov["npm"]
	if !goCov.Covered || !goCov.Current.Equal(t0) || goCov.Counts.Total != 21 || len(goCov.Sources) != 1 ||
		goCov.Sources[0].Type != SourceFile || goCov.Sources[0].Counts.Total != 21 || goCov.AgeSeconds != int64((10*24*time.Hour+time.Minute)/time.Second) {
		t.Errorf("Go coverage: %s", mustJSON(t, goCov))
	}
	if npmCov.Covered || len(npmCov.Sources) != 1 || npmCov.Sources[0].Type != SourceBlockList ||
		!npmCov.Sources[0].Updated.Equal(t0.Add(10*24*time.Hour)) || npmCov.Counts.Malicious == 0 {
		t.Errorf("npm coverage: %s", mustJSON(t, npmCov))
	}
	// The JSON carries what docs/db-status.schema.json documents.
	raw, _ := json.Marshal(st)
	for _, key := range []string{`"coverage":[`, `"covered":true`, `"current":"2026-03-01T12:00:00Z"`, `"sources":[`, `"type":"blocklist"`} {
		if !strings.Contains(string(raw), key) {
			t.Errorf("status JSON lacks %s", key)
		}
	}
}

// Issue 9.1: an empty folder imports nothing, says so, and writes no
// database; a database without records is refused everywhere.
func TestEmptyImportRefused(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "e.db")
	empty := filepath.Join(dir, "emptydir")
	os.Mkdir(empty, 0o755)
	_, err := Import(context.Background(), db, []string{empty})
	if err == nil {
		t.Fatal("importing an empty folder succeeded")
	}
	checkOneLineError(t, err, empty, "no OSV records found")
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a database was written: %v", err)
	}
	assertNoLeftovers(t, db)

	// The database never ends up empty: a folder's only record removed
	// upstream, with nothing else in the database, is refused.
	one := filepath.Join(dir, "one")
	raw, _ := os.ReadFile(filepath.Join(corpusDir, "npm", "MAL-2025-20690.json"))
	writeRecord(t, one, "MAL-2025-20690.json", string(raw))
	writeRecord(t, one, "README.json.txt", "not a record")
	importAt(t, db, t0, one)
	os.Remove(filepath.Join(one, "MAL-2025-20690.json"))
	if _, err := Import(context.Background(), db, []string{one}); err == nil {
		t.Error("emptying the database succeeded")
	}
	s := openT(t, db)
	if vs, _ := s.Lookup(context.Background(), "npm", "flatmap-stream"); len(vs) != 1 {
		t.Errorf("the refused import changed the database: %v", ids(vs))
	}
	assertNoLeftovers(t, db)
}

// assertNoLeftovers: no lock, temp or journal file beside the database.
func assertNoLeftovers(t *testing.T, db string) {
	t.Helper()
	left, _ := filepath.Glob(globEscape(db) + ".*")
	if len(left) != 0 {
		t.Errorf("files left beside %s: %v", db, left)
	}
}

// Issue 9.6: a relative --db works, through "file:" URLs, and no command,
// failed or not, leaves a lock or temp file behind.
func TestRelativeDatabasePath(t *testing.T) {
	dir := t.TempDir()
	corpus, _ := filepath.Abs(filepath.Join(corpusDir, "npm"))
	t.Chdir(dir)
	for _, rel := range []string{"x.db", "./y.db", "sub/../z.db", "we?ird#name%41.db"} {
		st, err := Import(context.Background(), rel, []string{corpus})
		if err != nil {
			t.Fatalf("import into %s: %v", rel, err)
		}
		if st.Inserted != 34 {
			t.Errorf("%s: %+v", rel, st)
		}
		s, err := Open(rel)
		if err != nil {
			t.Fatalf("open %s: %v", rel, err)
		}
		vs, err := s.Lookup(context.Background(), "npm", "flatmap-stream")
		s.Close()
		if err != nil || len(vs) != 2 {
			t.Errorf("%s: lookup %v, %v", rel, ids(vs), err)
		}
		abs, _ := filepath.Abs(rel)
		assertNoLeftovers(t, abs)
	}
	// A failed import (a bad record) leaves the database and nothing else.
	bad := writeRecord(t, filepath.Join(dir, "bad"), "bad.json", `{"id": "X-1", "modified": "2025-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "npm", "name": "a"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "not.a.version"}]}]}]}`)
	if _, err := Import(context.Background(), "./x.db", []string{bad}); err == nil {
		t.Fatal("bad record imported")
	}
	abs, _ := filepath.Abs("x.db")
	assertNoLeftovers(t, abs)
}

// The status JSON validates against the documented schema.
func TestStatusMatchesSchema(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "advisories.db")
	importAt(t, db, t0, corpusDir)
	importAt(t, db, t0.Add(time.Hour), writeRecord(t, dir, "blocklist.yaml", exampleBlockList))
	s := openT(t, db)
	st, err := s.Status(context.Background(), t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(st)
	if err := schemacheck.ValidateFile("../docs/db-status.schema.json", raw); err != nil {
		t.Errorf("db status JSON does not validate against docs/db-status.schema.json: %v", err)
	}
	// A withdrawn record without affected packages: the ecosystem "".
	wd := writeRecord(t, filepath.Join(dir, "w"), "GHSA-wdwd-wdwd-wdwd.json", `{"id": "GHSA-wdwd-wdwd-wdwd", "modified": "2025-01-01T00:00:00Z", "withdrawn": "2025-01-01T00:00:00Z"}`)
	importAt(t, db, t0.Add(time.Hour), wd)
	s2 := openT(t, db)
	st, err = s2.Status(context.Background(), t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ = json.Marshal(st)
	if err := schemacheck.ValidateFile("../docs/db-status.schema.json", raw); err != nil {
		t.Errorf("with a withdrawn record: %v", err)
	}
}
