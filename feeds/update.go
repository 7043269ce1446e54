package feeds

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// DefaultSource is osv.dev's public export bucket: one
// <Ecosystem>/all.zip per ecosystem, each a zip of <ID>.json records.
const DefaultSource = "https://osv-vulnerabilities.storage.googleapis.com"

// SourceEnv names the environment variable that replaces DefaultSource
// (a mirror or an internal server with the same layout); --source wins
// over it.
const SourceEnv = "FNAUDIT_DB_SOURCE"

// DefaultEcosystems are downloaded by an update that names none: the
// package ecosystems of AWS Lambda's managed runtimes (Node.js, Python,
// Java, .NET, Ruby) and of the custom runtimes people build with Go and
// Rust. The OpenSSF malicious-packages records are part of osv.dev's npm
// and PyPI exports.
var DefaultEcosystems = []string{"Go", "Maven", "npm", "NuGet", "PyPI", "RubyGems", "crates.io"}

// DefaultMaxDownload bounds one export download. osv.dev's largest
// language export is a few hundred MB; a server sending more is broken or
// hostile and must not fill the disk.
const DefaultMaxDownload = 4 << 30

// UpdateOptions configure Update. The zero value downloads
// DefaultEcosystems from DefaultSource.
type UpdateOptions struct {
	Source      string       // base URL; "" means $FNAUDIT_DB_SOURCE or DefaultSource
	Ecosystems  []string     // "" / nil means DefaultEcosystems
	Client      *http.Client // nil means a client with a 30-minute overall timeout
	MaxAttempts int          // per download, including the first; 0 means 4
	RetryWait   time.Duration
	// RetryWait is the first wait between attempts (0 means 1s); it grows
	// ×2 per attempt with ±50% jitter, capped at 30s, and a server's
	// Retry-After (in seconds) is honoured up to that cap.
	MaxDownload int64    // bytes per export; 0 means DefaultMaxDownload
	UserAgent   string   // "" means "fnaudit"
	Progress    Progress // nil means no progress display
}

// Progress displays downloads. Start is called when an export's body starts
// arriving, with its size (-1 when unknown); it returns the reader to read
// the body through and a function called once with the outcome.
type Progress interface {
	Start(ecosystem string, size int64, body io.Reader) (io.Reader, func(err error))
}

// EcosystemUpdate is the outcome of one ecosystem's download.
type EcosystemUpdate struct {
	Ecosystem   string      `json:"ecosystem"`
	URL         string      `json:"url"`
	NotModified bool        `json:"not_modified"` // the server answered 304: nothing downloaded or imported
	Bytes       int64       `json:"bytes"`
	Attempts    int         `json:"attempts"`
	Stats       ImportStats `json:"stats"`
}

// UpdateResult is what Update did.
type UpdateResult struct {
	Ecosystems []EcosystemUpdate `json:"ecosystems"`
	Stats      ImportStats       `json:"stats"`
	// Rebuilt is false when every export answered 304: the database file
	// was not touched, only its check time recorded.
	Rebuilt bool `json:"rebuilt"`
}

// validators are the HTTP cache validators of a previous download.
type validators struct{ etag, lastModified string }

// download is a fetched export (or the news that it did not change).
type download struct {
	notModified bool
	file        string
	size        int64
	attempts    int
	validators
}

// Update downloads <source>/<Ecosystem>/all.zip for each ecosystem and
// replaces that ecosystem's records with the export's content. Requests
// carry the validators (ETag, Last-Modified) of the previous download, so an
// unchanged export costs one request answered 304 and no work. Transient
// failures (network errors, bodies cut short, HTTP 408, 429 and 5xx, a
// checksum mismatch against the x-goog-hash header) are retried with
// exponential backoff.
//
// Every export is downloaded and checked before anything is written, and
// the database is replaced in one rename: a failed, interrupted or killed
// update leaves the previous database exactly as it was.
func Update(ctx context.Context, dbPath string, uo UpdateOptions, opts ...ImportOption) (*UpdateResult, error) {
	cfg := newImportConfig(opts)
	dbPath, err := absPath(dbPath)
	if err != nil {
		return nil, err
	}
	base := uo.Source
	if base == "" {
		base = os.Getenv(SourceEnv)
	}
	if base == "" {
		base = DefaultSource
	}
	bu, err := url.Parse(base)
	if err != nil || (bu.Scheme != "https" && bu.Scheme != "http") || bu.Host == "" {
		return nil, fmt.Errorf("update: source %q is not an http(s) URL", base)
	}
	ecos := uo.Ecosystems
	if len(ecos) == 0 {
		ecos = DefaultEcosystems
	}
	var canon []string
	seen := map[string]bool{}
	for _, e := range ecos {
		c, err := CanonicalEcosystem(e)
		if err != nil {
			return nil, fmt.Errorf("update: %w", err)
		}
		if !seen[c] {
			seen[c] = true
			canon = append(canon, c)
		}
	}

	lock, err := lockAndClean(ctx, dbPath)
	if err != nil {
		return nil, err
	}
	defer lock.release()

	prev, generation, err := storedValidators(ctx, dbPath)
	if err != nil {
		return nil, err
	}
	u := newUpdater(uo, cfg)
	res := &UpdateResult{}
	downloads := make([]*download, len(canon))
	defer func() {
		for _, d := range downloads {
			if d != nil && d.file != "" {
				os.Remove(d.file)
			}
		}
	}()
	changed := false
	for i, eco := range canon {
		src := strings.TrimRight(base, "/") + "/" + url.PathEscape(eco) + "/all.zip"
		d, err := u.fetch(ctx, dbPath, eco, src, prev[src])
		if err != nil {
			return nil, fmt.Errorf("update %s: %w", eco, err)
		}
		downloads[i] = d
		res.Ecosystems = append(res.Ecosystems, EcosystemUpdate{
			Ecosystem: eco, URL: src, NotModified: d.notModified, Bytes: d.size, Attempts: d.attempts,
		})
		if d.notModified {
			cfg.logf("%s: not modified since the last update", eco)
		} else {
			changed = true
		}
	}

	now := cfg.now()
	if !changed {
		// Nothing to import: record the check beside the database so its
		// age restarts, without rewriting it.
		checked := checkedFile{Generation: generation, CheckedAt: now.Unix()}
		for _, e := range res.Ecosystems {
			checked.Sources = append(checked.Sources, e.URL)
		}
		if err := writeChecked(dbPath, checked); err != nil {
			return nil, err
		}
		return res, nil
	}

	w, err := beginWrite(ctx, dbPath, lock, now)
	if err != nil {
		return nil, err
	}
	defer w.abort()
	for i, d := range downloads {
		eu := &res.Ecosystems[i]
		if d.notModified {
			if err := w.touchSource(ctx, eu.URL); err != nil {
				return nil, err
			}
			continue
		}
		cfg.logf("importing %s (%d bytes)", eu.Ecosystem, d.size)
		before := w.stats
		src, err := w.beginSource(ctx, eu.URL, SourceExport, eu.Ecosystem)
		if err != nil {
			return nil, err
		}
		if err := importZip(ctx, w, src, d.file, eu.URL); err != nil {
			return nil, fmt.Errorf("update %s: %w", eu.Ecosystem, err)
		}
		if w.stats.Read == before.Read {
			return nil, fmt.Errorf("update %s: %s holds no records; refusing to empty the %s advisories", eu.Ecosystem, eu.URL, eu.Ecosystem)
		}
		if err := w.endSource(ctx, src); err != nil {
			return nil, fmt.Errorf("update %s: %w", eu.Ecosystem, err)
		}
		if err := w.dropOtherExports(ctx, eu.Ecosystem, eu.URL); err != nil {
			return nil, fmt.Errorf("update %s: %w", eu.Ecosystem, err)
		}
		if err := w.setValidators(ctx, eu.URL, d.etag, d.lastModified); err != nil {
			return nil, fmt.Errorf("update %s: %w", eu.Ecosystem, err)
		}
		eu.Stats = ImportStats{
			Read:     w.stats.Read - before.Read,
			Inserted: w.stats.Inserted - before.Inserted,
			Replaced: w.stats.Replaced - before.Replaced,
			Kept:     w.stats.Kept - before.Kept,
			Removed:  w.stats.Removed - before.Removed,
		}
	}
	if err := w.commit(ctx); err != nil {
		return nil, err
	}
	res.Stats = w.stats
	res.Rebuilt = true
	return res, nil
}

// storedValidators reads the validators of the exports the current
// database was built from, and its generation; none when there is no
// database yet (or one this version cannot read, which the update rebuilds).
func storedValidators(ctx context.Context, dbPath string) (map[string]validators, string, error) {
	out := map[string]validators{}
	if _, err := os.Stat(dbPath); errors.Is(err, fs.ErrNotExist) {
		return out, "", nil
	}
	fresh, err := checkExisting(dbPath)
	if err != nil || fresh {
		return out, "", err
	}
	s, err := Open(dbPath)
	if err != nil {
		return nil, "", err
	}
	defer s.Close()
	rows, err := s.db.QueryContext(ctx, `SELECT name, etag, last_modified FROM sources WHERE type = ?`, SourceExport)
	if err != nil {
		return nil, "", fmt.Errorf("advisory database %s: %w", dbPath, err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var v validators
		if err := rows.Scan(&name, &v.etag, &v.lastModified); err != nil {
			return nil, "", err
		}
		out[name] = v
	}
	return out, s.generation, rows.Err()
}

// dropOtherExports removes what other export sources provided for
// ecosystem (the user moved to a mirror): one ecosystem, one export.
func (w *writer) dropOtherExports(ctx context.Context, ecosystem, keep string) error {
	rows, err := w.tx.QueryContext(ctx, `SELECT name FROM sources WHERE type = ? AND ecosystem = ? AND name != ?`, SourceExport, ecosystem, keep)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, n := range names {
		st, err := w.beginSource(ctx, n, SourceExport, ecosystem)
		if err != nil {
			return err
		}
		if err := w.endSource(ctx, st); err != nil {
			return err
		}
		if _, err := w.tx.ExecContext(ctx, `DELETE FROM sources WHERE sid = ? AND NOT EXISTS (SELECT 1 FROM provides WHERE sid = ?)`, st.sid, st.sid); err != nil {
			return writeErr(err)
		}
	}
	return nil
}

type updater struct {
	client      *http.Client
	maxAttempts uint
	retryWait   time.Duration
	maxDownload int64
	userAgent   string
	progress    Progress
	logf        func(string, ...any)
}

func newUpdater(uo UpdateOptions, cfg importConfig) *updater {
	u := &updater{
		client:      uo.Client,
		maxAttempts: 4,
		retryWait:   time.Second,
		maxDownload: DefaultMaxDownload,
		userAgent:   "fnaudit",
		progress:    uo.Progress,
		logf:        cfg.logf,
	}
	if u.client == nil {
		u.client = &http.Client{Timeout: 30 * time.Minute}
	}
	if uo.MaxAttempts > 0 {
		u.maxAttempts = uint(uo.MaxAttempts)
	}
	if uo.RetryWait > 0 {
		u.retryWait = uo.RetryWait
	}
	if uo.MaxDownload > 0 {
		u.maxDownload = uo.MaxDownload
	}
	if uo.UserAgent != "" {
		u.userAgent = uo.UserAgent
	}
	return u
}

// retryable is a failure worth another attempt, optionally after the wait
// the server asked for.
type retryable struct {
	err   error
	after time.Duration
}

func (e *retryable) Error() string { return e.err.Error() }

func (e *retryable) Unwrap() []error {
	if e.after > 0 {
		return []error{e.err, &backoff.RetryAfterError{Duration: e.after}}
	}
	return []error{e.err}
}

// fetch downloads one export into a temporary file next to the database.
func (u *updater) fetch(ctx context.Context, dbPath, eco, src string, prev validators) (*download, error) {
	const maxWait = 30 * time.Second
	attempts := 0
	d, err := backoff.Retry(ctx, func() (*download, error) {
		attempts++
		d, err := u.fetchOnce(ctx, dbPath, eco, src, prev, maxWait)
		var r *retryable
		if err != nil && !errors.As(err, &r) {
			return nil, backoff.Permanent(err)
		}
		return d, err
	},
		backoff.WithBackOff(&backoff.ExponentialBackOff{
			InitialInterval:     u.retryWait,
			RandomizationFactor: 0.5,
			Multiplier:          2,
			MaxInterval:         maxWait,
		}),
		backoff.WithMaxTries(u.maxAttempts),
		backoff.WithMaxElapsedTime(0), // attempts bound the retries, not a clock
		backoff.WithNotify(func(err error, wait time.Duration) {
			u.logf("%s: %v; retrying in %s", eco, err, wait.Round(time.Millisecond))
		}),
	)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("download %s: %w", src, ctx.Err())
		}
		var r *retryable
		if errors.As(err, &r) && attempts > 1 {
			return nil, fmt.Errorf("%w (gave up after %d attempts)", err, attempts)
		}
		return nil, err
	}
	d.attempts = attempts
	return d, nil
}

func (u *updater) fetchOnce(ctx context.Context, dbPath, eco, src string, prev validators, maxWait time.Duration) (*download, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", src, err)
	}
	req.Header.Set("User-Agent", u.userAgent)
	if prev.etag != "" {
		req.Header.Set("If-None-Match", prev.etag)
	}
	if prev.lastModified != "" {
		req.Header.Set("If-Modified-Since", prev.lastModified)
	}
	resp, err := u.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &retryable{err: fmt.Errorf("download %s: %w", src, err)}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		if prev == (validators{}) {
			// A 304 to an unconditional request is a broken server, not
			// permission to keep an export we do not have.
			return nil, fmt.Errorf("download %s: HTTP 304 to a request without validators", src)
		}
		return &download{notModified: true, validators: prev}, nil
	case resp.StatusCode == http.StatusOK:
		if et := resp.Header.Get("ETag"); et != "" && et == prev.etag && !strings.HasPrefix(et, "W/") {
			// A server that ignores If-None-Match but sends the same
			// strong ETag: the same export, no need to read it.
			return &download{notModified: true, validators: prev}, nil
		}
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, &retryable{err: fmt.Errorf("download %s: HTTP %s", src, resp.Status), after: retryAfter(resp, maxWait)}
	default:
		return nil, fmt.Errorf("download %s: HTTP %s", src, resp.Status)
	}
	if resp.ContentLength > u.maxDownload {
		return nil, fmt.Errorf("download %s: %d bytes announced, more than the %d byte limit", src, resp.ContentLength, u.maxDownload)
	}

	name := tempPrefix(dbPath) + "download-" + randomHex(8)
	f, err := createFile(name)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", src, err)
	}
	d := &download{file: name, validators: validators{etag: resp.Header.Get("ETag"), lastModified: resp.Header.Get("Last-Modified")}}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(name)
		}
	}()

	var body io.Reader = resp.Body
	done := func(error) {}
	if u.progress != nil {
		body, done = u.progress.Start(eco, resp.ContentLength, body)
	}
	md5h, crch := md5.New(), crc32.New(crc32.MakeTable(crc32.Castagnoli))
	n, rerr, werr := copyCounted(io.MultiWriter(f, md5h, crch), io.LimitReader(body, u.maxDownload+1))
	d.size = n
	switch {
	case werr != nil:
		// Our side failed (disk full...): retrying would fail the same way.
		done(werr)
		return nil, fmt.Errorf("download %s: write %s: %w", src, name, werr)
	case rerr != nil:
		done(rerr)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &retryable{err: fmt.Errorf("download %s: body cut short after %d bytes: %w", src, n, rerr)}
	case n > u.maxDownload:
		done(errors.New("too large"))
		return nil, fmt.Errorf("download %s: more than the %d byte limit", src, u.maxDownload)
	case resp.ContentLength >= 0 && n != resp.ContentLength:
		done(errors.New("short body"))
		return nil, &retryable{err: fmt.Errorf("download %s: got %d of %d bytes", src, n, resp.ContentLength)}
	}
	if err := checkGoogHash(resp.Header.Values("X-Goog-Hash"), md5h, crch); err != nil {
		done(err)
		return nil, &retryable{err: fmt.Errorf("download %s: %w", src, err)}
	}
	done(nil)
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("download %s: write %s: %w", src, name, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("download %s: write %s: %w", src, name, err)
	}
	// A body that is not a zip (an HTML error page from a proxy, garbage)
	// fails here, before anything is imported; retrying will not fix it.
	if err := checkZip(name); err != nil {
		return nil, fmt.Errorf("download %s: %w", src, err)
	}
	ok = true
	return d, nil
}

// copyCounted copies src to dst, telling read errors from write errors.
func copyCounted(dst io.Writer, src io.Reader) (n int64, rerr, werr error) {
	buf := make([]byte, 256<<10)
	for {
		m, err := src.Read(buf)
		if m > 0 {
			w, e := dst.Write(buf[:m])
			n += int64(w)
			if e == nil && w != m {
				e = io.ErrShortWrite
			}
			if e != nil {
				return n, nil, e
			}
		}
		if err == io.EOF {
			return n, nil, nil
		}
		if err != nil {
			return n, err, nil
		}
	}
}

// checkGoogHash verifies the body against Google Cloud Storage's
// x-goog-hash header ("crc32c=<b64>, md5=<b64>") when the server sends one;
// osv.dev's bucket does. Other servers send nothing and are not checked.
func checkGoogHash(values []string, md5h, crch hash.Hash) error {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			alg, want, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok {
				continue
			}
			var h hash.Hash
			switch alg {
			case "md5":
				h = md5h
			case "crc32c":
				h = crch
			default:
				continue
			}
			if got := base64.StdEncoding.EncodeToString(h.Sum(nil)); got != want {
				return fmt.Errorf("%s of the body is %s, the server announced %s", alg, got, want)
			}
		}
	}
	return nil
}

// retryAfter reads a Retry-After header given in seconds (the HTTP-date
// form is rare for these servers and ignored), capped at max.
func retryAfter(resp *http.Response, max time.Duration) time.Duration {
	s, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After")))
	if err != nil || s <= 0 {
		return 0
	}
	return min(time.Duration(s)*time.Second, max)
}

// checkZip opens a downloaded export to make sure it is a readable zip.
func checkZip(name string) error {
	zr, err := openZip(name)
	if err != nil {
		return err
	}
	return zr.Close()
}
