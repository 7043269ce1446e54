package feeds

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"time"
)

// registrySchema holds the registry snapshot: the last answer of each
// package's registry (feeds/registry decides what is in data, a
// zstd-compressed JSON document), with its fetch time and ETag. It is
// created by the first snapshot saved; a database without it has no
// snapshot. meta's registry_updated_at is when the last snapshot was saved.
const registrySchema = `
CREATE TABLE IF NOT EXISTS registry (
	ecosystem  TEXT NOT NULL,
	name       TEXT NOT NULL,
	fetched_at INTEGER NOT NULL,
	etag       TEXT NOT NULL DEFAULT '',
	data       BLOB NOT NULL,
	PRIMARY KEY (ecosystem, name)
) WITHOUT ROWID;
`

// RegistryEntry is one cached registry answer.
type RegistryEntry struct {
	Ecosystem string    // as feeds/registry spells it
	Name      string    // the registry's key for the name
	FetchedAt time.Time // when the registry answered
	ETag      string
	Data      []byte // the answer, as feeds/registry encodes it
}

// SaveRegistrySnapshot stores entries in the database at dbPath, replacing
// the cached answers of the same packages and keeping the others, in one
// transaction: the database is rebuilt and renamed into place like any
// update, so a failure or a kill leaves the previous snapshot. It never
// changes the advisory data nor the database's advisory freshness (a
// registry snapshot is not an advisory update). The database must exist.
func SaveRegistrySnapshot(ctx context.Context, dbPath string, entries []RegistryEntry, now time.Time) error {
	if _, err := os.Stat(dbPath); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("advisory database %s: %w: run `fnaudit db update` first", dbPath, ErrNoDatabase)
	}
	lock, err := lockAndClean(ctx, dbPath)
	if err != nil {
		return err
	}
	defer lock.release()
	old, err := Open(dbPath)
	if err != nil {
		return err
	}
	oldGen, oldUpdated := old.generation, old.updatedAt
	old.Close()
	checked, hadChecked := readChecked(dbPath)

	w, err := beginWrite(ctx, dbPath, lock, now)
	if err != nil {
		return err
	}
	defer w.abort()
	// commit stamps updated_at with w.now: keep the advisory data's time.
	w.now = time.Unix(oldUpdated, 0)
	if _, err := w.tx.ExecContext(ctx, registrySchema); err != nil {
		return fmt.Errorf("create registry table in %s: %w", w.tmp, writeErr(err))
	}
	st, err := w.tx.PrepareContext(ctx, `
		INSERT INTO registry (ecosystem, name, fetched_at, etag, data) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (ecosystem, name) DO UPDATE SET fetched_at = excluded.fetched_at,
			etag = excluded.etag, data = excluded.data`)
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	for _, e := range entries {
		if e.Ecosystem == "" || e.Name == "" {
			return fmt.Errorf("registry entry without ecosystem or name (%q, %q)", e.Ecosystem, e.Name)
		}
		if _, err := st.ExecContext(ctx, e.Ecosystem, e.Name, e.FetchedAt.UnixMilli(), e.ETag, compressRecord(e.Data)); err != nil {
			return fmt.Errorf("store registry answer %s/%s: %w", e.Ecosystem, e.Name, writeErr(err))
		}
	}
	if _, err := w.tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('registry_updated_at', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, strconv.FormatInt(now.UnixMilli(), 10)); err != nil {
		return fmt.Errorf("write %s: %w", w.tmp, writeErr(err))
	}
	if err := w.commit(ctx); err != nil {
		return err
	}
	// The new file has a new generation; an update check recorded for the
	// old one still holds for the same advisory data.
	if hadChecked && checked.Generation == oldGen {
		if s, err := Open(dbPath); err == nil {
			checked.Generation = s.generation
			s.Close()
			if err := writeChecked(dbPath, checked); err != nil {
				return err
			}
		}
	}
	return nil
}

// hasRegistry reports whether the database holds a registry snapshot.
func (s *Store) hasRegistry(ctx context.Context) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'registry'`).Scan(&n)
	return n > 0, err
}

// RegistryEntry returns the cached answer for (ecosystem, name), or nil
// when the snapshot has none.
func (s *Store) RegistryEntry(ctx context.Context, ecosystem, name string) (*RegistryEntry, error) {
	ok, err := s.hasRegistry(ctx)
	if err != nil || !ok {
		return nil, err
	}
	var (
		fetched int64
		etag    string
		data    []byte
	)
	err = s.db.QueryRowContext(ctx, `SELECT fetched_at, etag, data FROM registry WHERE ecosystem = ? AND name = ?`, ecosystem, name).Scan(&fetched, &etag, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("registry snapshot %s/%s: %w", ecosystem, name, err)
	}
	_, dec := coders()
	raw, err := dec.DecodeAll(data, nil)
	if err != nil {
		return nil, fmt.Errorf("registry snapshot %s/%s: corrupt entry: %w", ecosystem, name, err)
	}
	return &RegistryEntry{Ecosystem: ecosystem, Name: name, FetchedAt: time.UnixMilli(fetched).UTC(), ETag: etag, Data: raw}, nil
}

// RegistryUpdated returns when the last registry snapshot was saved, and
// false when the database holds none: `db status` shows its age.
func (s *Store) RegistryUpdated(ctx context.Context) (time.Time, bool, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'registry_updated_at'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("registry snapshot time: %w", err)
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("registry snapshot time %q: %w", v, err)
	}
	return time.UnixMilli(ms).UTC(), true, nil
}

// RegistryCount returns how many packages the registry snapshot holds.
func (s *Store) RegistryCount(ctx context.Context) (int, error) {
	ok, err := s.hasRegistry(ctx)
	if err != nil || !ok {
		return 0, err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM registry`).Scan(&n); err != nil {
		return 0, fmt.Errorf("registry snapshot: %w", err)
	}
	return n, nil
}
