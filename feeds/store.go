// Package feeds keeps fnaudit's local advisory database: OSV records from
// osv.dev's ecosystem exports, OpenSSF malicious-packages (MAL-) records, an
// organisation's own block list and any OSV files the user imports, indexed by
// (ecosystem, normalized package name) in one SQLite file.
//
// The file is written once and never modified in place: every import or
// update builds a new file next to it and renames it over the old one. A
// reader therefore always sees one complete database, a killed update leaves
// the previous one untouched, and scans running during an update keep
// reading the file they opened.
package feeds

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/proto"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/fnaudit/fnaudit/core"
)

// schemaVersion changes whenever the tables below change incompatibly. A
// database of another version is refused (and rebuilt by the next update).
// Version 2 added provides (every source of a record, not only the last
// writer) and affected.base (lookups by release-suffixed ecosystems).
const schemaVersion = 2

// schema is the layout of a database file.
//
//   - records: one row per OSV id. data is the record in protobuf wire
//     form (the osvschema message), zstd-compressed; it is decoded only when
//     a lookup returns it. keys
//     repeats the record's index keys so replacing a record can delete its
//     affected rows by primary key (no second index on affected). batch
//     marks the rows the last writer stored or confirmed, so that the
//     records a source no longer provides can be found and removed.
//   - provides: every source that provides a record, with the batch of
//     the last writer that stored or confirmed it there. A record is
//     deleted only when no source provides it any more; records.sid is
//     merely the source whose copy is stored (the newest).
//   - affected: the index, (base ecosystem, normalized name, ecosystem as
//     the record writes it) -> record. base is the part before the first
//     ':' ("Ubuntu" for "Ubuntu:22.04:LTS"), so that a package of one
//     release finds the records of every spelling of that release (see
//     EcosystemCovers).
//   - sources: where records came from (an export URL, an imported path, a
//     block list), with the HTTP validators of the last download.
//   - meta: schema version, generation id, time of the last data change.
const schema = `
CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sources (
	sid           INTEGER PRIMARY KEY,
	name          TEXT NOT NULL UNIQUE,
	type          TEXT NOT NULL,
	ecosystem     TEXT NOT NULL DEFAULT '',
	etag          TEXT NOT NULL DEFAULT '',
	last_modified TEXT NOT NULL DEFAULT '',
	updated_at    INTEGER NOT NULL,
	checked_at    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
	rid      INTEGER PRIMARY KEY,
	id       TEXT NOT NULL UNIQUE,
	sid      INTEGER NOT NULL REFERENCES sources(sid),
	kind     TEXT NOT NULL,
	modified INTEGER NOT NULL,
	keys     TEXT NOT NULL,
	data     BLOB NOT NULL,
	batch    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS provides (
	sid   INTEGER NOT NULL,
	rid   INTEGER NOT NULL,
	batch INTEGER NOT NULL,
	PRIMARY KEY (sid, rid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS provides_rid ON provides (rid);
CREATE TABLE IF NOT EXISTS affected (
	base      TEXT NOT NULL,
	name      TEXT NOT NULL,
	ecosystem TEXT NOT NULL,
	rid       INTEGER NOT NULL,
	PRIMARY KEY (base, name, ecosystem, rid)
) WITHOUT ROWID;
`

// Source types recorded in the sources table.
const (
	SourceExport    = "osv-export" // an ecosystem's all.zip downloaded by Update
	SourceFile      = "file"       // a file, directory or zip given to Import
	SourceBlockList = "blocklist"  // an organisation's block list
)

// ErrNoDatabase is returned by Open when there is no database at the path.
var ErrNoDatabase = errors.New("no advisory database")

// DefaultPath is where the database lives unless --db says otherwise:
// <user cache dir>/fnaudit/advisories.db.
func DefaultPath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("locate the user cache directory (use --db): %w", err)
	}
	return filepath.Join(dir, "fnaudit", "advisories.db"), nil
}

// Store is an open, read-only advisory database. Its methods are safe for
// concurrent use.
type Store struct {
	path       string
	db         *sql.DB
	generation string
	updatedAt  int64 // Unix seconds, from meta
}

// Option configures Open.
type Option func(*openConfig)

type openConfig struct {
	maxConns int
}

// WithMaxConns bounds the number of SQLite connections lookups use at once
// (default: GOMAXPROCS, at least 2).
func WithMaxConns(n int) Option {
	return func(c *openConfig) {
		if n > 0 {
			c.maxConns = n
		}
	}
}

// Open opens the database at path for reading. It fails with an error
// wrapping ErrNoDatabase when there is none, and refuses a file that is not
// an fnaudit advisory database of this schema version.
func Open(path string, opts ...Option) (*Store, error) {
	cfg := openConfig{maxConns: max(2, runtime.GOMAXPROCS(0))}
	for _, o := range opts {
		o(&cfg)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("advisory database %s: %w", path, err)
	}
	fi, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("advisory database %s: %w: run `fnaudit db update` or `fnaudit db import`", path, ErrNoDatabase)
	}
	if err != nil {
		return nil, fmt.Errorf("advisory database %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("advisory database %s: not a regular file", path)
	}
	db, err := openPinned(abs, fi, cfg.maxConns)
	for retry := 0; errors.Is(err, errReplaced) && retry < 3; retry++ {
		// An update renamed a new file into place while we opened: open
		// that one.
		if fi, err = os.Stat(abs); err == nil {
			db, err = openPinned(abs, fi, cfg.maxConns)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("advisory database %s: %w", path, err)
	}
	s := &Store{path: abs, db: db}
	if err := s.readMeta(context.Background()); err != nil {
		db.Close()
		return nil, fmt.Errorf("advisory database %s: %w", path, err)
	}
	return s, nil
}

// errReplaced: the file at the path is no longer the one the Store opened.
var errReplaced = errors.New("the database file was replaced while open (an import or update finished); open it again")

// pinnedConnector opens SQLite connections to one database file and
// refuses any that would land on another: an update renames a new file
// over the path, and a Store must never mix answers from two versions.
// A connection is on the original file if, once it is open, the path still
// names that file (renames only ever bring in new files).
type pinnedConnector struct {
	drv  driver.Driver
	dsn  string
	path string
	file os.FileInfo
}

func (c *pinnedConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(c.path); err != nil || !os.SameFile(fi, c.file) {
		conn.Close()
		return nil, errReplaced
	}
	return conn, nil
}

func (c *pinnedConnector) Driver() driver.Driver { return c.drv }

// openPinned opens n read-only connections to the file at abs (described
// by fi) up front and keeps them for the life of the pool, so an update
// finishing while a scan runs cannot switch it to the new file half-way.
//
// immutable=1: the file is never modified in place (writers rename a new
// file over it), so readers need no locks and no journal, and the database
// can sit on a read-only file system.
func openPinned(abs string, fi os.FileInfo, n int) (*sql.DB, error) {
	probe, err := sql.Open("sqlite", "")
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	probe.Close()
	db := sql.OpenDB(&pinnedConnector{drv: drv, dsn: readOnlyDSN(abs), path: abs, file: fi})
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	ctx := context.Background()
	conns := make([]*sql.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close() // back to the pool, which keeps it
		}
	}()
	for range n {
		c, err := db.Conn(ctx)
		if err != nil {
			db.Close()
			return nil, err
		}
		conns = append(conns, c)
	}
	return db, nil
}

func readOnlyDSN(abs string) string { return sqliteURL(abs, "mode=ro&immutable=1") }

// readMeta checks the schema version and loads the generation and update time.
func (s *Store) readMeta(ctx context.Context) error {
	m, err := readMetaTable(ctx, s.db)
	if err != nil {
		return err
	}
	s.generation = m["generation"]
	s.updatedAt, _ = strconv.ParseInt(m["updated_at"], 10, 64)
	return nil
}

// readMetaTable reads and validates the meta table of q.
func readMetaTable(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT key, value FROM meta`)
	if err != nil {
		return nil, fmt.Errorf("not an fnaudit advisory database: %w", err)
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		m[k] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("not an fnaudit advisory database: %w", err)
	}
	if got := m["schema_version"]; got != strconv.Itoa(schemaVersion) {
		if got == "" {
			return nil, errors.New("not an fnaudit advisory database (no schema version)")
		}
		return nil, &schemaVersionError{got: got}
	}
	return m, nil
}

// schemaVersionError is a database written by another version of fnaudit.
type schemaVersionError struct{ got string }

func (e *schemaVersionError) Error() string {
	return fmt.Sprintf("database schema version %s, this fnaudit reads version %d: run `fnaudit db update` to rebuild it", e.got, schemaVersion)
}

// Path is the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Close releases the database.
func (s *Store) Close() error { return s.db.Close() }

// Lookup returns the records filed under the package name in ecosystem,
// sorted by id. The name is given as the ecosystem spells it and is
// normalized here (see NormalizeName); the ecosystem is matched without
// regard to case ("pypi" finds "PyPI") and, when it carries a release
// ("Debian:12", "Ubuntu:22.04:LTS"), by EcosystemCovers: records of the
// bare ecosystem and of every spelling of the same release. Withdrawn
// records are never returned: they are kept for status and history only.
// Lookup does not decide whether any version is affected; that is the
// match package's job.
func (s *Store) Lookup(ctx context.Context, ecosystem, name string) ([]*osvschema.Vulnerability, error) {
	eco, err := CanonicalEcosystem(ecosystem)
	if err != nil {
		return nil, fmt.Errorf("lookup %s/%s: %w", ecosystem, name, err)
	}
	rows, err := s.db.QueryContext(ctx, `
		SELECT r.id, r.data, group_concat(a.ecosystem, char(10)) FROM affected a JOIN records r ON r.rid = a.rid
		WHERE a.base = ? AND a.name = ? AND r.kind != ?
		GROUP BY r.rid ORDER BY r.id`, baseEcosystem(eco), core.NormalizeName(eco, name), string(KindWithdrawn))
	if err != nil {
		return nil, fmt.Errorf("lookup %s/%s: %w", eco, name, err)
	}
	vs, err := decodeRowsFiltered(rows, func(ecos string) bool {
		for _, e := range strings.Split(ecos, "\n") {
			if core.EcosystemCovers(e, eco) {
				return true
			}
		}
		return false
	})
	if err != nil {
		return nil, fmt.Errorf("lookup %s/%s: %w", eco, name, err)
	}
	return vs, nil
}

// All returns every matchable (not withdrawn) record with at least one
// affected package in ecosystem, sorted by id: for example all Go records,
// from which match builds the database view govulncheck reads.
func (s *Store) All(ctx context.Context, ecosystem string) ([]*osvschema.Vulnerability, error) {
	eco, err := CanonicalEcosystem(ecosystem)
	if err != nil {
		return nil, fmt.Errorf("list %s records: %w", ecosystem, err)
	}
	rows, err := s.db.QueryContext(ctx, `
		SELECT r.id, r.data FROM records r
		WHERE r.kind != ? AND r.rid IN (SELECT rid FROM affected WHERE base = ? AND (ecosystem = ? OR ? = base))
		ORDER BY r.id`, string(KindWithdrawn), baseEcosystem(eco), eco, eco)
	if err != nil {
		return nil, fmt.Errorf("list %s records: %w", eco, err)
	}
	vs, err := decodeRows(rows)
	if err != nil {
		return nil, fmt.Errorf("list %s records: %w", eco, err)
	}
	return vs, nil
}

// Get returns the record with the given id, withdrawn or not, or nil when
// the database has no such record.
func (s *Store) Get(ctx context.Context, id string) (*osvschema.Vulnerability, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, data FROM records WHERE id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", id, err)
	}
	vs, err := decodeRows(rows)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", id, err)
	}
	if len(vs) == 0 {
		return nil, nil
	}
	return vs[0], nil
}

// IDs returns the ids of the records of the given kind with at least one
// affected package in ecosystem, sorted. An empty ecosystem means every
// ecosystem (and then includes records with no affected package at all,
// which only withdrawn records may be); an empty kind means every kind.
func (s *Store) IDs(ctx context.Context, ecosystem string, kind Kind) ([]string, error) {
	q := `SELECT r.id FROM records r WHERE 1=1`
	var args []any
	if ecosystem != "" {
		eco, err := CanonicalEcosystem(ecosystem)
		if err != nil {
			return nil, fmt.Errorf("list ids: %w", err)
		}
		q += ` AND r.rid IN (SELECT rid FROM affected WHERE base = ? AND (ecosystem = ? OR ? = base))`
		args = append(args, baseEcosystem(eco), eco, eco)
	}
	if kind != "" {
		q += ` AND r.kind = ?`
		args = append(args, string(kind))
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY r.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list ids: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list ids: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list ids: %w", err)
	}
	return ids, nil
}

// decodeRows turns (id, data) rows into records and closes rows.
func decodeRows(rows *sql.Rows) ([]*osvschema.Vulnerability, error) {
	return decodeRowsFiltered(rows, nil)
}

// decodeRowsFiltered decodes (id, data) rows, or (id, data, extra) rows
// whose extra column keep accepts.
func decodeRowsFiltered(rows *sql.Rows, keep func(extra string) bool) ([]*osvschema.Vulnerability, error) {
	defer rows.Close()
	var out []*osvschema.Vulnerability
	for rows.Next() {
		var id, extra string
		var data []byte
		dest := []any{&id, &data}
		if keep != nil {
			dest = append(dest, &extra)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if keep != nil && !keep(extra) {
			continue
		}
		v, err := decodeStored(data)
		if err != nil {
			return nil, fmt.Errorf("record %q: %w", id, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// zstd coders are safe for concurrent EncodeAll / DecodeAll; one of each is
// shared by the whole process.
var (
	zstdOnce sync.Once
	zstdEnc  *zstd.Encoder
	zstdDec  *zstd.Decoder
)

func coders() (*zstd.Encoder, *zstd.Decoder) {
	zstdOnce.Do(func() {
		var err error
		// Records are a few KiB: the fastest level already gets most of the
		// gain (mostly repeated keys and version lists).
		zstdEnc, err = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
		if err != nil {
			panic(err) // only fails for invalid options
		}
		zstdDec, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(maxRecordSize))
		if err != nil {
			panic(err)
		}
	})
	return zstdEnc, zstdDec
}

func compressRecord(pb []byte) []byte {
	enc, _ := coders()
	return enc.EncodeAll(pb, make([]byte, 0, len(pb)/2))
}

func decodeStored(data []byte) (*osvschema.Vulnerability, error) {
	_, dec := coders()
	raw, err := dec.DecodeAll(data, nil)
	if err != nil {
		return nil, fmt.Errorf("corrupt stored record: %w", err)
	}
	v := &osvschema.Vulnerability{}
	if err := proto.Unmarshal(raw, v); err != nil {
		return nil, fmt.Errorf("corrupt stored record: %w", err)
	}
	return v, nil
}
