package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Errors Open wraps, for callers that branch on the cause.
var (
	ErrBadDSN        = errors.New("bad inventory DSN")
	ErrReadOnly      = errors.New("inventory is read-only")
	ErrSchemaTooNew  = errors.New("inventory schema is newer than this fnaudit")
	ErrNotInventory  = errors.New("not an fnaudit inventory")
	ErrInvalidRecord = errors.New("invalid scan record")
)

// Backends.
const (
	BackendSQLite   = "sqlite"
	BackendPostgres = "postgres"
)

// Store is an open inventory. Its methods are safe for concurrent use.
type Store struct {
	db      *sql.DB
	backend string
	name    string // the DSN as shown in messages (password redacted)
	file    string // SQLite: the database file's absolute path
}

// DefaultPath is where the inventory lives unless --inventory says
// otherwise: $XDG_DATA_HOME/fnaudit/inventory.db, else
// ~/.local/share/fnaudit/inventory.db on Unix, and <os.UserConfigDir>/fnaudit
// on macOS and Windows (Application Support, AppData), where user data lives
// there. The inventory is data the user keeps (history), not a cache.
func DefaultPath() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "fnaudit", "inventory.db"), nil
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("locate the user data directory (use --inventory): %w", err)
		}
		return filepath.Join(dir, "fnaudit", "inventory.db"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("locate the user data directory (use --inventory): %w", err)
	}
	return filepath.Join(home, ".local", "share", "fnaudit", "inventory.db"), nil
}

// Open opens the inventory named by dsn and brings its schema up to date: a
// file path (SQLite, created when missing) or a postgres:// or postgresql://
// URL. It refuses, before writing anything, a bad DSN, a read-only file and
// a database whose schema is newer than this build knows.
func Open(ctx context.Context, dsn string) (*Store, error) {
	var (
		s   *Store
		err error
	)
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s, err = openPostgres(ctx, dsn)
	case strings.TrimSpace(dsn) == "":
		return nil, fmt.Errorf("%w: empty (give a file path or a postgres:// URL)", ErrBadDSN)
	case strings.Contains(dsn, "://"):
		return nil, fmt.Errorf("inventory %s: %w: only a file path or a postgres:// URL is supported", redact(dsn), ErrBadDSN)
	default:
		s, err = openSQLite(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("inventory %s: %w", s.name, err)
	}
	return s, nil
}

// Close releases the database.
func (s *Store) Close() error { return s.db.Close() }

// Backend is BackendSQLite or BackendPostgres.
func (s *Store) Backend() string { return s.backend }

// openPostgres goes through pgx's database/sql driver (stdlib) rather than
// pgx's native interface: every query, transaction and migration (goose
// takes a *sql.DB) is then one code path for both backends, and the only
// speed pgx-native would add (COPY) is not needed at a scan's size; multi-row
// INSERTs carry a scan's packages in one round trip.
func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	name := redact(dsn)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("inventory %s: %w: %s", name, ErrBadDSN, oneLine(err))
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(8)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("inventory %s: connect: %s", name, oneLine(err))
	}
	return &Store{db: db, backend: BackendPostgres, name: name}, nil
}

// redact hides a password in a URL DSN.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		if strings.Contains(dsn, "@") {
			return "(unparsable URL)"
		}
		return dsn
	}
	return u.Redacted()
}

// oneLine keeps an error on one line, as every message a user sees must be.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
