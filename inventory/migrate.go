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
const SchemaVersion = 1

// migrate refuses a schema newer than SchemaVersion (reading only), then
// applies the missing migrations, each in its own transaction.
func (s *Store) migrate(ctx context.Context) error {
	current, err := s.schemaVersion(ctx)
	if err != nil {
		return err
	}
	if current > SchemaVersion {
		return fmt.Errorf("%w: schema version %d, this build knows up to %d; use a newer fnaudit (nothing was written)", ErrSchemaTooNew, current, SchemaVersion)
	}
	if current == SchemaVersion {
		return nil
	}
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
			return fmt.Errorf("migrate: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	p, err := goose.NewProvider(dialect, s.db, sub, opts...)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate schema from version %d to %d: %s", current, SchemaVersion, oneLine(err))
	}
	return nil
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
		var n int
		if err := s.db.QueryRowContext(ctx,
			`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '`+versionTable+`'`).Scan(&n); err != nil {
			return 0, fmt.Errorf("%w: %s", ErrNotInventory, oneLine(err))
		}
		exists = n > 0
		if err := s.db.QueryRowContext(ctx,
			`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).Scan(&others); err != nil {
			return 0, fmt.Errorf("%w: %s", ErrNotInventory, oneLine(err))
		}
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
