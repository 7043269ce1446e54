package feeds

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ImportStats counts what an import or update did to the records.
type ImportStats struct {
	Read     int `json:"read"`     // records read and checked
	Inserted int `json:"inserted"` // ids new to the database
	Replaced int `json:"replaced"` // ids whose stored copy was older or as old
	Kept     int `json:"kept"`     // ids whose stored copy was newer, left as is
	Removed  int `json:"removed"`  // ids a source no longer provides, deleted
}

func (s *ImportStats) add(o ImportStats) {
	s.Read += o.Read
	s.Inserted += o.Inserted
	s.Replaced += o.Replaced
	s.Kept += o.Kept
	s.Removed += o.Removed
}

// createFile creates the files a writer writes (the copy of the database,
// downloads). Tests replace it to simulate a disk that fills up.
var createFile = func(name string) (writeFile, error) {
	return os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
}

// writeFile is what createFile returns: an *os.File in production.
type writeFile interface {
	io.Writer
	Sync() error
	Close() error
	Name() string
}

// tempPrefix starts the name of every temporary file a writer leaves next to
// the database; a later writer removes leftovers of a killed one.
func tempPrefix(dbPath string) string { return dbPath + ".tmp-" }

// writer builds the next version of a database: a copy of the current file
// (or an empty one), changed inside one transaction, then renamed over the
// current file by commit. Nothing a writer does is visible before commit.
type writer struct {
	path  string // the database being replaced
	tmp   string // the new file
	lock  *fileLock
	db    *sql.DB
	tx    *sql.Tx
	now   time.Time
	stats ImportStats
	// onRecord, when set, is told the count after each record read.
	onRecord func(read int)

	sourceIDs map[string]int64
	batch     int64 // marks the rows this writer stored or confirmed
	getRec    *sql.Stmt
	insRec    *sql.Stmt
	updRec    *sql.Stmt
	insKey    *sql.Stmt
	delKey    *sql.Stmt
	provide   *sql.Stmt
}

// lockAndClean takes the writers' lock of dbPath and removes temporary files
// left by a writer that was killed.
func lockAndClean(ctx context.Context, dbPath string) (*fileLock, error) {
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o755); err != nil {
		return nil, fmt.Errorf("create database directory: %w", err)
	}
	l, err := acquireLock(ctx, dbPath+".lock")
	if err != nil {
		return nil, err
	}
	stale, _ := filepath.Glob(globEscape(tempPrefix(dbPath)) + "*")
	for _, f := range stale {
		os.Remove(f)
	}
	return l, nil
}

// absPath makes the database path absolute once, up front: the SQLite
// driver opens "file:" URLs, and a relative path there is read as a URL
// authority ("invalid uri authority").
func absPath(dbPath string) (string, error) {
	if dbPath == "" {
		return "", errors.New("no database path given")
	}
	abs, err := filepath.Abs(dbPath)
	if err != nil {
		return "", fmt.Errorf("database path %s: %w", dbPath, err)
	}
	return abs, nil
}

// sqliteURL is the driver's "file:" URL for an absolute path, with the
// path escaped ('?', '#' and '%' are legal in file names).
func sqliteURL(abs, query string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive path: file:///C:/...
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: query}
	return u.String()
}

// checkNotEmpty refuses to publish a database without a single record: a
// scan against it would match nothing and pass everything.
func (w *writer) checkNotEmpty(ctx context.Context) error {
	var n int
	if err := w.tx.QueryRowContext(ctx, `SELECT count(*) FROM records`).Scan(&n); err != nil {
		return fmt.Errorf("count records: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("%w: the import would leave %s without a single record; nothing written", ErrEmptyDatabase, w.path)
	}
	return nil
}

// globEscape quotes the glob metacharacters of a literal path.
func globEscape(p string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)
	return r.Replace(p)
}

// beginWrite starts a writer on dbPath, whose lock the caller holds.
func beginWrite(ctx context.Context, dbPath string, lock *fileLock, now time.Time) (_ *writer, err error) {
	if !filepath.IsAbs(dbPath) {
		return nil, fmt.Errorf("internal error: database path %s is not absolute", dbPath)
	}
	w := &writer{path: dbPath, lock: lock, now: now, sourceIDs: map[string]int64{}}
	w.tmp = tempPrefix(dbPath) + randomHex(8)
	defer func() {
		if err != nil {
			w.abort()
		}
	}()
	fresh, err := checkExisting(dbPath)
	if err != nil {
		return nil, err
	}
	if fresh {
		f, err := createFile(w.tmp)
		if err != nil {
			return nil, fmt.Errorf("create %s: %w", w.tmp, err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("create %s: %w", w.tmp, err)
		}
	} else if err := copyDatabase(dbPath, w.tmp); err != nil {
		return nil, err
	}
	// The new file is private until renamed: no journal, no fsync per
	// transaction (one fsync before the rename instead), one connection,
	// and an 8 MiB page cache (the OS caches the rest; a bigger one cost
	// more memory than it saved time on a 250,000-record import).
	w.db, err = sql.Open("sqlite", sqliteURL(w.tmp, "_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)&_pragma=locking_mode(EXCLUSIVE)&_pragma=cache_size(-8192)"))
	if err != nil {
		return nil, fmt.Errorf("open new database: %w", err)
	}
	w.db.SetMaxOpenConns(1)
	if _, err := w.db.ExecContext(ctx, schema+changesSchema); err != nil {
		return nil, fmt.Errorf("create tables in %s: %w", w.tmp, writeErr(err))
	}
	if err := initMeta(ctx, w.db); err != nil {
		return nil, fmt.Errorf("%s: %w", dbPath, err)
	}
	if w.tx, err = w.db.BeginTx(ctx, nil); err != nil {
		return nil, fmt.Errorf("begin: %w", writeErr(err))
	}
	// Each writer's batch number is one more than the last one's.
	err = w.tx.QueryRowContext(ctx, `
		INSERT INTO meta (key, value) VALUES ('batch', '1')
		ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
		RETURNING CAST(value AS INTEGER)`).Scan(&w.batch)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", writeErr(err))
	}
	for _, p := range []struct {
		st  **sql.Stmt
		sql string
	}{
		{&w.getRec, `SELECT rid, sid, modified, keys FROM records WHERE id = ?`},
		{&w.insRec, `INSERT INTO records (id, sid, kind, modified, keys, data, batch) VALUES (?, ?, ?, ?, ?, ?, ?)`},
		{&w.updRec, `UPDATE records SET sid = ?, kind = ?, modified = ?, keys = ?, data = ?, batch = ? WHERE rid = ?`},
		{&w.insKey, `INSERT OR IGNORE INTO affected (base, name, ecosystem, rid) VALUES (?, ?, ?, ?)`},
		{&w.delKey, `DELETE FROM affected WHERE base = ? AND name = ? AND ecosystem = ? AND rid = ?`},
		{&w.provide, `INSERT INTO provides (sid, rid, batch) VALUES (?, ?, ?) ON CONFLICT (sid, rid) DO UPDATE SET batch = excluded.batch`},
	} {
		if *p.st, err = w.tx.PrepareContext(ctx, p.sql); err != nil {
			return nil, fmt.Errorf("prepare: %w", err)
		}
	}
	return w, nil
}

// checkExisting decides what the next version of dbPath starts from: a copy
// of it (fresh false), or nothing (fresh true) when there is no database yet
// or it has another schema version (its data cannot be read by this fnaudit;
// the import or update rebuilds it). Any other file is refused rather than
// overwritten: --db may point at something precious by mistake.
func checkExisting(dbPath string) (fresh bool, err error) {
	if _, err := os.Stat(dbPath); errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	s, err := Open(dbPath)
	if err == nil {
		s.Close()
		return false, nil
	}
	var sv *schemaVersionError
	if errors.As(err, &sv) {
		return true, nil
	}
	return false, fmt.Errorf("%w (remove it or choose another --db)", err)
}

// initMeta fills in the meta table of a new database.
func initMeta(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO NOTHING`, strconv.Itoa(schemaVersion))
	return writeErr(err)
}

// copyDatabase copies the current database file, if any, to tmp. A plain
// byte copy is a valid database: published files are complete and never
// written again (see the package comment).
func copyDatabase(dbPath, tmp string) error {
	dst, err := createFile(tmp)
	if err != nil {
		return fmt.Errorf("create %s: %w", tmp, err)
	}
	src, err := os.Open(dbPath)
	if errors.Is(err, fs.ErrNotExist) {
		return dst.Close()
	}
	if err != nil {
		dst.Close()
		return fmt.Errorf("read current database: %w", err)
	}
	defer src.Close()
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return fmt.Errorf("copy current database to %s: %w", tmp, err)
	}
	if err := dst.Close(); err != nil {
		return fmt.Errorf("copy current database to %s: %w", tmp, err)
	}
	return nil
}

// writeErr adds a hint to the errors a full disk produces.
func writeErr(err error) error {
	if err != nil && strings.Contains(err.Error(), "SQLITE_FULL") {
		return fmt.Errorf("%w (is the disk full?)", err)
	}
	return err
}

// source returns the id of the named source, creating it if needed, and
// marks it updated now.
func (w *writer) source(ctx context.Context, name, typ, ecosystem string) (int64, error) {
	if sid, ok := w.sourceIDs[name]; ok {
		return sid, nil
	}
	now := w.now.Unix()
	var sid int64
	err := w.tx.QueryRowContext(ctx, `
		INSERT INTO sources (name, type, ecosystem, updated_at, checked_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET type = excluded.type, ecosystem = excluded.ecosystem,
			updated_at = excluded.updated_at, checked_at = excluded.checked_at
		RETURNING sid`, name, typ, ecosystem, now, now).Scan(&sid)
	if err != nil {
		return 0, fmt.Errorf("record source %s: %w", name, writeErr(err))
	}
	w.sourceIDs[name] = sid
	return sid, nil
}

// setValidators stores the HTTP validators of the download a source's
// records came from.
func (w *writer) setValidators(ctx context.Context, name, etag, lastModified string) error {
	_, err := w.tx.ExecContext(ctx, `UPDATE sources SET etag = ?, last_modified = ? WHERE name = ?`, etag, lastModified, name)
	return writeErr(err)
}

// touchSource records that source name was checked now and found unchanged.
func (w *writer) touchSource(ctx context.Context, name string) error {
	_, err := w.tx.ExecContext(ctx, `UPDATE sources SET checked_at = ? WHERE name = ?`, w.now.Unix(), name)
	return writeErr(err)
}

// put stores r from source sid unless the database holds a copy with a
// newer modified time: the newer record wins, a tie goes to the one read
// last, so importing the same data twice changes nothing. Either way sid
// is recorded as providing r, so that r stays while any source has it.
func (w *writer) put(ctx context.Context, sid int64, r *record) error {
	w.stats.Read++
	if w.onRecord != nil {
		w.onRecord(w.stats.Read)
	}
	keys := encodeKeys(r.keys)
	var (
		rid, storedSID int64
		stored         int64
		oldKeys        string
	)
	err := w.getRec.QueryRowContext(ctx, r.id).Scan(&rid, &storedSID, &stored, &oldKeys)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := w.insRec.ExecContext(ctx, r.id, sid, string(r.kind), r.modified, keys, r.storedData(), w.batch)
		if err != nil {
			return writeErr(err)
		}
		if rid, err = res.LastInsertId(); err != nil {
			return err
		}
		w.stats.Inserted++
		if err := w.logChange(ctx, r.keys); err != nil {
			return err
		}
	case err != nil:
		return err
	case stored > r.modified:
		w.stats.Kept++
		return w.markProvided(ctx, sid, rid)
	default:
		// Read before the update replaces the stored copy. The same record
		// read again, or an edit no match can see, is no change.
		changed := oldKeys != keys
		if !changed && stored != r.modified {
			if changed, err = w.matchChanged(ctx, rid, r); err != nil {
				return err
			}
		}
		if _, err := w.updRec.ExecContext(ctx, sid, string(r.kind), r.modified, keys, r.storedData(), w.batch, rid); err != nil {
			return writeErr(err)
		}
		if err := w.deleteKeys(ctx, oldKeys, rid); err != nil {
			return err
		}
		w.stats.Replaced++
		if changed {
			if err := w.logChange(ctx, append(decodeKeys(oldKeys), r.keys...)); err != nil {
				return err
			}
		}
	}
	for _, k := range r.keys {
		if _, err := w.insKey.ExecContext(ctx, baseEcosystem(k.ecosystem), k.name, k.ecosystem, rid); err != nil {
			return writeErr(err)
		}
	}
	return w.markProvided(ctx, sid, rid)
}

// markProvided records that source sid provides record rid in this batch.
func (w *writer) markProvided(ctx context.Context, sid, rid int64) error {
	_, err := w.provide.ExecContext(ctx, sid, rid, w.batch)
	return writeErr(err)
}

// deleteKeys removes a record's index rows (keys as encodeKeys stored them).
func (w *writer) deleteKeys(ctx context.Context, keys string, rid int64) error {
	for _, k := range decodeKeys(keys) {
		if _, err := w.delKey.ExecContext(ctx, baseEcosystem(k.ecosystem), k.name, k.ecosystem, rid); err != nil {
			return writeErr(err)
		}
	}
	return nil
}

// storedData is the record compressed for storage.
func (r *record) storedData() []byte {
	if r.data == nil {
		r.data = compressRecord(r.pb)
		r.pb = nil
	}
	return r.data
}

// encodeKeys / decodeKeys store a record's index keys in one column:
// "ecosystem\x00name" joined by "\n" (neither byte occurs in either part:
// NormalizeName trims white space and OSV names have no NUL).
func encodeKeys(keys []indexKey) string {
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(k.ecosystem)
		b.WriteByte(0)
		b.WriteString(k.name)
	}
	return b.String()
}

func decodeKeys(s string) []indexKey {
	if s == "" {
		return nil
	}
	var keys []indexKey
	for _, line := range strings.Split(s, "\n") {
		eco, name, _ := strings.Cut(line, "\x00")
		keys = append(keys, indexKey{ecosystem: eco, name: name})
	}
	return keys
}

// commit makes the new database the current one: the transaction commits,
// the file is flushed to disk, renamed over the old one, and the directory
// flushed so the rename survives a crash.
func (w *writer) commit(ctx context.Context) error {
	defer w.abort() // releases everything; after the rename it has nothing to delete
	gen := randomHex(16)
	for k, v := range map[string]string{
		"generation": gen,
		"updated_at": strconv.FormatInt(w.now.Unix(), 10),
	} {
		if _, err := w.tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
			return fmt.Errorf("write %s: %w", w.tmp, writeErr(err))
		}
	}
	if err := w.logGeneration(ctx, gen); err != nil {
		return fmt.Errorf("write %s: %w", w.tmp, err)
	}
	if err := w.tx.Commit(); err != nil {
		return fmt.Errorf("write %s: %w", w.tmp, writeErr(err))
	}
	w.tx = nil
	if err := w.db.Close(); err != nil {
		return fmt.Errorf("write %s: %w", w.tmp, writeErr(err))
	}
	w.db = nil
	if err := syncFile(w.tmp); err != nil {
		return fmt.Errorf("write %s: %w", w.tmp, err)
	}
	if err := os.Rename(w.tmp, w.path); err != nil {
		return fmt.Errorf("replace %s: %w", w.path, err)
	}
	w.tmp = ""
	syncDir(filepath.Dir(w.path))
	return nil
}

// abort discards the new file. Safe to call more than once and after commit.
func (w *writer) abort() {
	if w.tx != nil {
		w.tx.Rollback()
		w.tx = nil
	}
	if w.db != nil {
		w.db.Close()
		w.db = nil
	}
	if w.tmp != "" {
		os.Remove(w.tmp)
	}
}

func syncFile(name string) error {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir flushes a directory entry change; best effort (not every platform
// can fsync a directory).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// sourceState is one source being imported in full.
type sourceState struct {
	name string
	sid  int64
}

// beginSource starts a full import of the named source.
func (w *writer) beginSource(ctx context.Context, name, typ, ecosystem string) (*sourceState, error) {
	sid, err := w.source(ctx, name, typ, ecosystem)
	if err != nil {
		return nil, err
	}
	return &sourceState{name: name, sid: sid}, nil
}

// putFrom stores r as provided by src.
func (w *writer) putFrom(ctx context.Context, src *sourceState, r *record) error {
	return w.put(ctx, src.sid, r)
}

// endSource ends src's full import: src no longer provides the records it
// provided before and did not provide again (a mark in the row rather than
// a set of ids in memory: a source can hold 250,000). Such a record is
// deleted only when no other source provides it; otherwise it stays, and
// if src's copy was the stored one, the stored copy is attributed to a
// remaining source (its data is still the newest any source gave).
func (w *writer) endSource(ctx context.Context, src *sourceState) error {
	rows, err := w.tx.QueryContext(ctx, `SELECT rid FROM provides WHERE sid = ? AND batch != ?`, src.sid, w.batch)
	if err != nil {
		return err
	}
	var dropped []int64
	for rows.Next() {
		var rid int64
		if err := rows.Scan(&rid); err != nil {
			rows.Close()
			return err
		}
		dropped = append(dropped, rid)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, rid := range dropped {
		if _, err := w.tx.ExecContext(ctx, `DELETE FROM provides WHERE sid = ? AND rid = ?`, src.sid, rid); err != nil {
			return writeErr(err)
		}
		var other int64
		err := w.tx.QueryRowContext(ctx, `SELECT sid FROM provides WHERE rid = ? ORDER BY batch DESC, sid LIMIT 1`, rid).Scan(&other)
		switch {
		case err == nil:
			if _, err := w.tx.ExecContext(ctx, `UPDATE records SET sid = ? WHERE rid = ? AND sid = ?`, other, rid, src.sid); err != nil {
				return writeErr(err)
			}
			continue
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		var keys string
		if err := w.tx.QueryRowContext(ctx, `SELECT keys FROM records WHERE rid = ?`, rid).Scan(&keys); err != nil {
			return err
		}
		// Removed: the inventory's next rematch looks at these names.
		if err := w.logChange(ctx, decodeKeys(keys)); err != nil {
			return err
		}
		if err := w.deleteKeys(ctx, keys, rid); err != nil {
			return err
		}
		if _, err := w.tx.ExecContext(ctx, `DELETE FROM records WHERE rid = ?`, rid); err != nil {
			return writeErr(err)
		}
		w.stats.Removed++
	}
	return nil
}
