package inventory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// dirState is a directory's names and the inventory file's bytes: what
// "nothing was written" compares.
func dirState(t *testing.T, path string) (string, []byte) {
	t.Helper()
	ents, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	b, _ := os.ReadFile(path)
	return strings.Join(names, ","), b
}

func oneLineErr(t *testing.T, err error) {
	t.Helper()
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error spans lines: %q", err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s, err := Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.Exec(s.q(`INSERT INTO `+versionTable+` (version_id, is_applied) VALUES (?, ?)`), SchemaVersion+1, true); err != nil {
			t.Fatal(err)
		}
		s.Close()
		var names string
		var before []byte
		if s.backend == BackendSQLite {
			names, before = dirState(t, dsn)
		}
		_, err = Open(ctx, dsn)
		if !errors.Is(err, ErrSchemaTooNew) || !strings.Contains(err.Error(), fmt.Sprintf("schema version %d, this build knows up to %d", SchemaVersion+1, SchemaVersion)) {
			t.Fatalf("Open of a newer schema: %v", err)
		}
		oneLineErr(t, err)
		if s.backend == BackendSQLite {
			n, after := dirState(t, dsn)
			if n != names || !bytes.Equal(before, after) {
				t.Errorf("refused open wrote: files %q -> %q, bytes equal %v", names, n, bytes.Equal(before, after))
			}
			return
		}
		// PostgreSQL: the version rows are as they were (nothing migrated).
		s2, err := openPostgres(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		eq(t, "version rows", count(t, s2, versionTable), SchemaVersion+2) // goose's 0, ours 1..SchemaVersion, the injected one
	})
}

func TestOpenBadDSN(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, dsn := range []string{"", "mysql://root@localhost/inv", "postgres://postgres@127.0.0.1:notaport/x", dir} {
		_, err := Open(ctx, dsn)
		if !errors.Is(err, ErrBadDSN) {
			t.Errorf("Open(%q) = %v, want ErrBadDSN", dsn, err)
			continue
		}
		oneLineErr(t, err)
	}
	// A server that does not answer: refused, password not shown.
	_, err := Open(ctx, "postgres://postgres:s3cret@127.0.0.1:1/x?sslmode=disable&connect_timeout=2")
	if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "connect") {
		t.Errorf("Open of an unreachable server: %v", err)
	} else {
		oneLineErr(t, err)
	}
	// A file that is not an SQLite database, and an SQLite database that
	// is not an inventory: refused, untouched.
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, bytes.Repeat([]byte("not sqlite "), 1000), 0o644)
	other := filepath.Join(t.TempDir(), "advisories.db")
	s, err := Open(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	s.db.Exec(`CREATE TABLE meta (key TEXT, value TEXT)`)
	s.db.Exec(`DROP TABLE ` + versionTable)
	s.Close()
	for _, path := range []string{junk, other} {
		names, before := dirState(t, path)
		_, err := Open(ctx, path)
		if err == nil {
			t.Errorf("Open(%s) succeeded", path)
			continue
		}
		oneLineErr(t, err)
		n, after := dirState(t, path)
		if n != names || !bytes.Equal(before, after) {
			t.Errorf("refused open of %s wrote", path)
		}
	}
}

// TestOpenReadOnly runs as root in CI, where write permission is never
// denied: the refusal must come from the mode bits, not from a failed write.
func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	c := loadCorpus(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "inventory.db")
	s := openT(t, path)
	mustRecord(t, s, corpusRecord(c, awsFn("es-fn"), "event-stream-reconstruction.zip", nil, t0, "gen-1"))
	s.Close()

	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	names, before := dirState(t, path)
	_, err := Open(ctx, path)
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("Open of a 0444 file: %v", err)
	}
	oneLineErr(t, err)
	n, after := dirState(t, path)
	if n != names || !bytes.Equal(before, after) {
		t.Errorf("refused open wrote: %q -> %q", names, n)
	}
	os.Chmod(path, 0o644)

	// A read-only directory: SQLite would create its journal there.
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	for _, p := range []string{path, filepath.Join(dir, "new.db")} {
		_, err := Open(ctx, p)
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("Open(%s) in a 0555 directory: %v", p, err)
			continue
		}
		oneLineErr(t, err)
	}
	n, after = dirState(t, path)
	if n != names || !bytes.Equal(before, after) {
		t.Errorf("refused open wrote: %q -> %q", names, n)
	}
	os.Chmod(dir, 0o755)
	s = openT(t, path)
	hits, err := s.Investigate(ctx, Query{Name: "flatmap-stream"})
	if err != nil || len(hits) != 1 {
		t.Errorf("after restoring permissions: %d hits, %v", len(hits), err)
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/data/x")
	p, err := DefaultPath()
	eq(t, "with XDG_DATA_HOME", []any{p, err}, []any{"/data/x/fnaudit/inventory.db", nil})
	t.Setenv("XDG_DATA_HOME", "relative")
	t.Setenv("HOME", "/home/u")
	p, _ = DefaultPath()
	if !slices.Contains([]string{"/home/u/.local/share/fnaudit/inventory.db", "/home/u/Library/Application Support/fnaudit/inventory.db"}, p) {
		t.Errorf("DefaultPath = %s", p)
	}
}
