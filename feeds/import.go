package feeds

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// ImportOption configures Import and Update.
type ImportOption func(*importConfig)

type importConfig struct {
	now  func() time.Time
	logf func(format string, args ...any)
}

func newImportConfig(opts []ImportOption) importConfig {
	c := importConfig{now: time.Now, logf: func(string, ...any) {}}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithClock sets the clock whose reading is recorded as the time of the
// import (default time.Now).
func WithClock(now func() time.Time) ImportOption {
	return func(c *importConfig) {
		if now != nil {
			c.now = now
		}
	}
}

// WithLog receives one-line progress messages ("importing X").
func WithLog(logf func(format string, args ...any)) ImportOption {
	return func(c *importConfig) {
		if logf != nil {
			c.logf = logf
		}
	}
}

// inputKind is what an import path holds.
type inputKind int

const (
	inputDir inputKind = iota
	inputJSON
	inputZip
	inputBlockList
)

type input struct {
	path string // absolute
	kind inputKind
}

// Import adds the OSV records at paths to the database at dbPath, creating
// it if needed. A path is an OSV JSON file, a directory searched
// recursively for *.json files (hidden directories such as .git skipped), an
// ecosystem export zip (osv.dev's all.zip: one <ID>.json per record), or a
// block list (*.yaml, *.yml; see ParseBlockList).
//
// Each path is a source: importing it again replaces what it provided
// before, so records it no longer holds are removed. Between sources, the
// copy of a record with the newer "modified" wins.
//
// Import is all or nothing: the first bad record fails the whole import
// with an error naming the file, entry and record (a *RecordError), and the
// database is left exactly as it was.
func Import(ctx context.Context, dbPath string, paths []string, opts ...ImportOption) (ImportStats, error) {
	cfg := newImportConfig(opts)
	if len(paths) == 0 {
		return ImportStats{}, errors.New("import: no paths given")
	}
	dbPath, err := absPath(dbPath)
	if err != nil {
		return ImportStats{}, err
	}
	inputs := make([]input, 0, len(paths))
	for _, p := range paths {
		in, err := classifyInput(p)
		if err != nil {
			return ImportStats{}, fmt.Errorf("import %s: %w", p, err)
		}
		inputs = append(inputs, in)
	}
	lock, err := lockAndClean(ctx, dbPath)
	if err != nil {
		return ImportStats{}, err
	}
	defer lock.release()
	w, err := beginWrite(ctx, dbPath, lock, cfg.now())
	if err != nil {
		return ImportStats{}, err
	}
	defer w.abort()
	for _, in := range inputs {
		cfg.logf("importing %s", in.path)
		before := w.stats.Read
		if err := importInput(ctx, w, in); err != nil {
			return ImportStats{}, err
		}
		// An empty folder or zip is a mistake (a wrong path, a failed
		// download), never a way to clear a source: it would leave the
		// database without the advisories the user believes it has. An
		// emptied block list is legitimate (every entry unblocked).
		if w.stats.Read == before && in.kind != inputBlockList {
			return ImportStats{}, fmt.Errorf("import %s: no OSV records found (*.json files of OSV records, or an ecosystem's all.zip); nothing imported", in.path)
		}
	}
	if err := w.checkNotEmpty(ctx); err != nil {
		return ImportStats{}, err
	}
	if err := w.commit(ctx); err != nil {
		return ImportStats{}, err
	}
	return w.stats, nil
}

// classifyInput decides how to read path, by type and name, sniffing the
// content of a file whose extension says nothing.
func classifyInput(path string) (input, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return input{}, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return input{}, err
	}
	if fi.IsDir() {
		return input{path: abs, kind: inputDir}, nil
	}
	if !fi.Mode().IsRegular() {
		return input{}, errors.New("not a regular file or directory")
	}
	switch strings.ToLower(filepath.Ext(abs)) {
	case ".json":
		return input{path: abs, kind: inputJSON}, nil
	case ".zip":
		return input{path: abs, kind: inputZip}, nil
	case ".yaml", ".yml":
		return input{path: abs, kind: inputBlockList}, nil
	}
	head := make([]byte, 512)
	f, err := os.Open(abs)
	if err != nil {
		return input{}, err
	}
	n, _ := io.ReadFull(f, head)
	f.Close()
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return input{path: abs, kind: inputZip}, nil
	case bytes.HasPrefix(bytes.TrimSpace(head), []byte("{")):
		return input{path: abs, kind: inputJSON}, nil
	}
	return input{}, errors.New("not an OSV JSON file, a zip of them or a block list (.yaml)")
}

// sourceName is how an import path is recorded as a source.
func sourceName(in input) (name, typ string) {
	if in.kind == inputBlockList {
		return "blocklist:" + in.path, SourceBlockList
	}
	return "file:" + in.path, SourceFile
}

func importInput(ctx context.Context, w *writer, in input) error {
	name, typ := sourceName(in)
	src, err := w.beginSource(ctx, name, typ, "")
	if err != nil {
		return err
	}
	switch in.kind {
	case inputBlockList:
		err = importBlockList(ctx, w, src, in.path)
	case inputZip:
		err = importZip(ctx, w, src, in.path, in.path)
	case inputDir:
		err = pipeline(ctx, in.path, dirProducer(in.path), false, func(r *record) error { return w.putFrom(ctx, src, r) })
	case inputJSON:
		err = pipeline(ctx, in.path, fileProducer(in.path), false, func(r *record) error { return w.putFrom(ctx, src, r) })
	}
	if err != nil {
		return err
	}
	if err := w.endSource(ctx, src); err != nil {
		return fmt.Errorf("import %s: %w", in.path, err)
	}
	return nil
}

// emitFunc hands one record to the pipeline: where it came from, and how
// to read it. Reading happens on the pipeline's workers, so inflating zip
// members runs on every core too.
type emitFunc func(entry string, read func() ([]byte, error)) error

// producer reads a source and emits its records in a stable order.
type producer func(ctx context.Context, emit emitFunc) error

func fileProducer(path string) producer {
	return func(ctx context.Context, emit emitFunc) error {
		return emit("", func() ([]byte, error) { return readLimited(path) })
	}
}

func dirProducer(root string) producer {
	return func(ctx context.Context, emit emitFunc) error {
		return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return fmt.Errorf("read %s: %w", p, err)
			}
			if d.IsDir() {
				if p != root && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() || !strings.EqualFold(filepath.Ext(p), ".json") {
				return nil
			}
			rel, _ := filepath.Rel(root, p)
			return emit(rel, func() ([]byte, error) { return readLimited(p) })
		})
	}
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAllLimited(f)
}

func readAllLimited(r io.Reader) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxRecordSize+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > maxRecordSize {
		return nil, fmt.Errorf("record larger than the %d byte limit", maxRecordSize)
	}
	return raw, nil
}

// importZip imports an ecosystem export: every *.json member is one record
// (osv.dev's all.zip has nothing else; other members are ignored). source
// names the export in errors.
func importZip(ctx context.Context, w *writer, src *sourceState, path, source string) error {
	zr, err := openZip(path)
	if err != nil {
		return &RecordError{Source: source, Err: err}
	}
	// Closed only once pipeline has returned: its workers read the members.
	defer zr.Close()
	produce := func(ctx context.Context, emit emitFunc) error { return readZip(&zr.Reader, source, emit) }
	return pipeline(ctx, source, produce, false, func(r *record) error { return w.putFrom(ctx, src, r) })
}

// openZip opens an export zip; a truncated download or a body that is not a
// zip at all fails here (archive/zip needs the central directory at the end).
func openZip(path string) (*zip.ReadCloser, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("not a readable zip (truncated, or not a zip at all): %w", err)
	}
	return zr, nil
}

// readZip emits the records of an export. It consumes zr: each member's
// entry in zr.File is dropped once emitted, so the central directory of a
// 250,000-member export (tens of MB) is freed as the import goes instead of
// staying alive to the end.
func readZip(zr *zip.Reader, source string, emit emitFunc) error {
	for i, f := range zr.File {
		zr.File[i] = nil
		if f.FileInfo().IsDir() || !strings.EqualFold(filepath.Ext(f.Name), ".json") {
			continue
		}
		if f.UncompressedSize64 > maxRecordSize {
			return &RecordError{Source: source, Entry: f.Name, Err: fmt.Errorf("member is %d bytes, more than the %d byte limit for a record", f.UncompressedSize64, maxRecordSize)}
		}
		if err := emit(f.Name, func() ([]byte, error) { return readMember(f) }); err != nil {
			return err
		}
	}
	return nil
}

// readMember reads one zip member. archive/zip reports a truncated or
// corrupted member here (unexpected EOF, checksum error). Members of one
// zip may be read concurrently.
func readMember(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return readAllLimited(rc)
}

// job is one record travelling through the pipeline.
type job struct {
	entry string
	read  func() ([]byte, error)
	rec   *record
	err   error
	done  chan struct{}
}

// pipeline decodes and checks records on every core while a single
// goroutine (the caller's) stores them in input order: decoding JSON is the
// expensive part of an import and SQLite wants one writer. The first error
// (a bad record, a read failure, a failing consume) stops everything.
func pipeline(ctx context.Context, source string, produce producer, allowBlockList bool, consume func(*record) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan *job, 4*workers)
	ordered := make(chan *job, 256)

	var produceErr error
	go func() {
		defer close(jobs)
		defer close(ordered)
		produceErr = produce(ctx, func(entry string, read func() ([]byte, error)) error {
			j := &job{entry: entry, read: read, done: make(chan struct{})}
			select {
			case ordered <- j:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return ctx.Err()
			}
			return nil
		})
	}()

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				raw, err := j.read()
				if err != nil {
					j.err = &RecordError{Source: source, Entry: j.entry, Err: err}
				} else if j.rec, err = parseRecord(raw, allowBlockList); err != nil {
					j.err = &RecordError{Source: source, Entry: j.entry, ID: peekID(raw), Err: err}
				} else {
					// Compress here, on every core, not in the writer.
					j.rec.storedData()
				}
				j.read = nil
				close(j.done)
			}
		}()
	}

	var err error
	for j := range ordered {
		if err != nil {
			continue // drain so the producer can finish
		}
		select {
		case <-j.done:
		case <-ctx.Done():
			err = ctx.Err()
			continue
		}
		if j.err != nil {
			err = j.err
		} else if cerr := consume(j.rec); cerr != nil {
			err = &RecordError{Source: source, Entry: j.entry, ID: j.rec.id, Err: cerr}
		}
		if err != nil {
			cancel()
		}
	}
	wg.Wait()
	if err != nil {
		return err
	}
	if produceErr != nil {
		return produceErr
	}
	return ctx.Err()
}
