package inventory

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"slices"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds one folder per backend for the versions whose SQL
// differs (identity columns and types: keep them in step), and common/ for
// the versions written once for both. Goose reads one folder: it gets the
// backend's own overlaid on common/ (migrationFS).
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql migrations/common/*.sql
var migrations embed.FS

// versionTable is goose's bookkeeping table, named so nobody mistakes it.
const versionTable = "fnaudit_inventory_schema"

// SchemaVersion is the newest schema this build knows (the highest
// migration number: SQL files in migrations/, then Go migrations).
const SchemaVersion = 5

// migrate refuses a schema newer than SchemaVersion (reading only), then
// applies the missing migrations, each in its own transaction. Openers of
// one new inventory at the same moment take turns: a PostgreSQL advisory
// lock (goose's session locker), a lock file beside a SQLite file
// (migrateLock). The version is read again under the lock, since the
// opener before may have done the work.
func (s *Store) migrate(ctx context.Context) error {
	current, err := s.checkedVersion(ctx)
	if err != nil || current == SchemaVersion {
		return err
	}
	if s.backend == BackendSQLite {
		l, err := lockMigration(ctx, s.file)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer l.release()
		if current, err = s.checkedVersion(ctx); err != nil || current == SchemaVersion {
			return err
		}
	}
	if err := s.up(ctx); err != nil {
		// Where no lock could be had (flock missing), another opener may
		// have applied the same migrations first: that is success.
		if v, verr := s.schemaVersion(ctx); verr == nil && v == SchemaVersion {
			return nil
		}
		return fmt.Errorf("migrate schema from version %d to %d: %s", current, SchemaVersion, oneLine(err))
	}
	return nil
}

// checkedVersion is the applied schema version, refusing one newer than
// this build knows.
func (s *Store) checkedVersion(ctx context.Context) (int64, error) {
	current, err := s.schemaVersion(ctx)
	if err != nil {
		return 0, err
	}
	if current > SchemaVersion {
		return 0, fmt.Errorf("%w: schema version %d, this build knows up to %d; use a newer fnaudit (nothing was written)", ErrSchemaTooNew, current, SchemaVersion)
	}
	return current, nil
}

// up applies the embedded migrations through goose.
func (s *Store) up(ctx context.Context) error {
	p, err := s.provider()
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}

// provider is goose over this backend's embedded migrations.
func (s *Store) provider() (*goose.Provider, error) {
	dialect, dir := goose.DialectSQLite3, "migrations/sqlite"
	opts := []goose.ProviderOption{
		goose.WithTableName(versionTable),
		goose.WithDisableGlobalRegistry(true),
		goose.WithSlog(slog.New(slog.NewTextHandler(io.Discard, nil))),
		goose.WithGoMigrations(s.sourceNamesMigration()),
	}
	if s.backend == BackendPostgres {
		dialect, dir = goose.DialectPostgres, "migrations/postgres"
		// Two processes opening a fresh database at once must not both
		// create the schema: goose holds a PostgreSQL advisory lock.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	own, err := fs.Sub(migrations, dir)
	if err != nil {
		return nil, err
	}
	common, err := fs.Sub(migrations, "migrations/common")
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(dialect, s.db, migrationFS{own, common}, opts...)
}

// schemaVersion reads the applied schema version without writing: 0 for an
// empty database. A SQLite file holding other tables but no version table
// is not an inventory (the advisory database given by mistake, say).
func (s *Store) schemaVersion(ctx context.Context) (int64, error) {
	var exists bool
	var others int
	switch s.backend {
	case BackendPostgres:
		if err := s.db.QueryRowContext(ctx,
			`SELECT to_regclass('`+versionTable+`') IS NOT NULL`).Scan(&exists); err != nil {
			return 0, fmt.Errorf("read schema version: %s", oneLine(err))
		}
	default:
		// One statement, so both counts come from one snapshot: read
		// apart, another opener's migration could commit in between and
		// show tables without the version table.
		var n int
		if err := s.db.QueryRowContext(ctx,
			`SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '`+versionTable+`'),
			        (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%')`).Scan(&n, &others); err != nil {
			return 0, fmt.Errorf("%w: %s", ErrNotInventory, oneLine(err))
		}
		exists = n > 0
		if !exists && others > 0 {
			return 0, fmt.Errorf("%w: the database has tables but no %s table", ErrNotInventory, versionTable)
		}
	}
	if !exists {
		return 0, nil
	}
	var v int64
	if err := s.db.QueryRowContext(ctx,
		`SELECT COALESCE(MAX(version_id), 0) FROM `+versionTable+` WHERE is_applied`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %s", oneLine(err))
	}
	return v, nil
}

// migrationFS is a backend's migrations folder overlaid on the common one:
// a file is read from own when it is there, else from common, and the
// root lists both.
type migrationFS struct{ own, common fs.FS }

func (m migrationFS) Open(name string) (fs.File, error) {
	f, err := m.own.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return m.common.Open(name)
	}
	return f, err
}

func (m migrationFS) ReadDir(name string) ([]fs.DirEntry, error) {
	own, err := fs.ReadDir(m.own, name)
	if err != nil {
		return nil, err
	}
	common, err := fs.ReadDir(m.common, name)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	seen := map[string]bool{}
	for _, e := range own {
		seen[e.Name()] = true
	}
	for _, e := range common {
		if !seen[e.Name()] {
			own = append(own, e)
		}
	}
	slices.SortFunc(own, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return own, nil
}
