package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
)

// openSQLite opens (creating when missing) the inventory file at path.
//
// Read-only refusal is decided before SQLite touches anything, from the
// file's mode bits and access(2): fnaudit often runs as root (CI, containers)
// and root's writes ignore permissions, so SQLite alone would happily write
// into a file its owner made read-only. A file (or its directory, where
// SQLite puts the rollback journal) with no write bit for anyone, or one
// access(W_OK) refuses (read-only mount, another user's file), is refused
// with ErrReadOnly and never opened.
func openSQLite(ctx context.Context, path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("inventory %s: %w: %v", path, ErrBadDSN, err)
	}
	dir := filepath.Dir(abs)
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("inventory %s: create its directory: %w", path, err)
		}
	case err != nil:
		return nil, fmt.Errorf("inventory %s: %w", path, err)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("inventory %s: %w: not a regular file", path, ErrBadDSN)
	case fi.Mode().Perm()&0o222 == 0:
		return nil, fmt.Errorf("inventory %s: %w: the file's mode is %v (no write permission); nothing was written", path, ErrReadOnly, fi.Mode().Perm())
	case !writable(abs):
		return nil, fmt.Errorf("inventory %s: %w: the file cannot be written (permissions or read-only file system); nothing was written", path, ErrReadOnly)
	}
	di, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("inventory %s: %w", path, err)
	}
	if di.Mode().Perm()&0o222 == 0 || !writable(dir) {
		return nil, fmt.Errorf("inventory %s: %w: its directory %s is not writable (SQLite keeps its journal there); nothing was written", path, ErrReadOnly, dir)
	}

	// Rollback journal (the default, not WAL): a transaction either reached
	// the file or is undone from the journal on the next open, after a
	// SIGKILL as after a clean exit, and no -wal/-shm files linger beside
	// the database. synchronous(FULL) makes a commit survive power loss.
	// A 64 MB page cache and memory-mapped reads (up to SQLite's 2 GB
	// limit): investigate and rematch read scattered package rows, and
	// without them every page is a pread(2).
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs),
		RawQuery: "_pragma=busy_timeout(30000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)" +
			"&_pragma=cache_size(-65536)&_pragma=mmap_size(2147418112)&_txlock=immediate"}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, fmt.Errorf("inventory %s: %w", path, err)
	}
	// One writer at a time is SQLite's rule; a small pool lets reads run
	// beside it.
	db.SetMaxOpenConns(4)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("inventory %s: %s", path, oneLine(err))
	}
	return &Store{db: db, backend: BackendSQLite, name: path, file: abs}, nil
}
