package inventory

import (
	"context"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds one folder per backend: the SQL differs only in identity
// columns and types, but goose applies plain SQL files, so each backend gets
// its own copy of every version (keep them in step).
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// versionTable is goose's bookkeeping table, named so nobody mistakes it.
const versionTable = "fnaudit_inventory_schema"

// SchemaVersion is the newest schema this build knows (the highest
// migration number).
const SchemaVersion = 2

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
	dialect, dir := goose.DialectSQLite3, "migrations/sqlite"
	opts := []goose.ProviderOption{
		goose.WithTableName(versionTable),
		goose.WithDisableGlobalRegistry(true),
		goose.WithSlog(slog.New(slog.NewTextHandler(io.Discard, nil))),
	}
	if s.backend == BackendPostgres {
		dialect, dir = goose.DialectPostgres, "migrations/postgres"
		// Two processes opening a fresh database at once must not both
		// create the schema: goose holds a PostgreSQL advisory lock.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(dialect, s.db, sub, opts...)
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
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
