package fleet

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"
)

// Defaults of a zero Fetcher.
const (
	DefaultMaxBytes      int64 = 1 << 30 // 1 GiB, well above Lambda's 250 MB unzipped limit
	DefaultMaxAttempts         = 5
	DefaultBaseDelay           = 500 * time.Millisecond
	DefaultMaxDelay            = 30 * time.Second
	DefaultMaxRetryAfter       = 2 * time.Minute
	DefaultTimeout             = 10 * time.Minute
	maxRefreshes               = 2
)

// Fetcher downloads function zips and layer zips (https/http URLs, or local
// paths it copies) into private directories. Every byte is streamed under
// MaxBytes and hashed; a download whose SHA-256 differs from the CodeSha256
// the source claimed is removed and refused. Throttling (429) and 5xx are
// retried with exponential backoff and jitter, honouring Retry-After; an HTTP
// 403 (an expired presigned URL) asks the Refresher for a fresh location.
//
// A Fetcher is safe for concurrent use; its zero value works. Use one Fetcher
// per run: it remembers the layers it fetched (LayerDir) so a layer version is
// fetched at most once however many functions use it.
type Fetcher struct {
	Client        *http.Client  // default: a client with no overall timeout (Timeout bounds each function)
	MaxBytes      int64         // per file; default DefaultMaxBytes
	MaxAttempts   int           // per location; default DefaultMaxAttempts
	BaseDelay     time.Duration // first backoff; default DefaultBaseDelay
	MaxDelay      time.Duration // backoff cap; default DefaultMaxDelay
	MaxRetryAfter time.Duration // longest Retry-After honoured; default DefaultMaxRetryAfter
	Timeout       time.Duration // per function (code and layers); default DefaultTimeout
	Refresher     Refresher     // nil: a 403 is final
	// LayerDir receives layer zips; they are shared by every function of the
	// run, so it must outlive each function's own directory.
	LayerDir string

	layers    layerCache
	wait      func(context.Context, time.Duration) error // tests record waits; nil: sleep
	downloads atomic.Int64
	bytes     atomic.Int64
}

// Stats counts what a Fetcher transferred.
type Stats struct {
	Downloads int64 // files fetched (URL downloads and local copies), retries not counted twice
	Bytes     int64 // bytes written
}

// Stats returns the counts so far.
func (f *Fetcher) Stats() Stats {
	return Stats{Downloads: f.downloads.Load(), Bytes: f.bytes.Load()}
}

// DigestMismatchError is returned when downloaded bytes do not hash to the
// CodeSha256 the source claimed. The file has been removed.
type DigestMismatchError struct {
	What     string // "function 1111/eu-west-1/orders:3" or "layer arn:..."
	Expected string // base64, as claimed
	Actual   string // base64, of the bytes received
}

func (e *DigestMismatchError) Error() string {
	return fmt.Sprintf("%s: downloaded code has sha256 %s but the source claims CodeSha256 %s; refused and removed", e.What, e.Actual, e.Expected)
}

// TooLargeError is returned when a file exceeds MaxBytes.
type TooLargeError struct {
	What  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: code is larger than the %d-byte limit (raise the limit to scan it)", e.What, e.Limit)
}

// StatusError is a final HTTP answer that was not 200.
type StatusError struct {
	What   string
	Status int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s: download answered HTTP %d", e.What, e.Status)
}

// File is one downloaded zip.
type File struct {
	Path       string
	CodeSha256 string // base64 SHA-256 of the bytes written (equal to the claim when there was one)
	Size       int64
}

// Downloaded is what FetchFunction left on disk.
type Downloaded struct {
	Function Function // as refreshed during the download, if it was
	Code     File     // the function zip; zero for an image function
	Layers   []File   // the layer zips, in Lambda order (shared across functions: do not delete)
}

// FetchFunction downloads fn's zip into dir and its layers into LayerDir
// within the per-function Timeout. Nothing is left in dir on error.
// Image functions get no download: their layers only (an image function has
// none on Lambda) and Code "".
func (f *Fetcher) FetchFunction(ctx context.Context, fn Function, dir string) (Downloaded, error) {
	ctx, cancel := context.WithTimeout(ctx, cmpDur(f.Timeout, DefaultTimeout))
	defer cancel()
	out := Downloaded{Function: fn}
	what := "function " + fn.ID()
	if fn.PackageType != PackageImage {
		if fn.Code == "" {
			if f.Refresher == nil {
				return out, fmt.Errorf("%s: the source gave no code location", what)
			}
			fresh, err := f.Refresher.RefreshFunction(ctx, fn)
			if err != nil {
				return out, fmt.Errorf("%s: get code location: %w", what, err)
			}
			if fn.CodeSha256 != "" && fresh.CodeSha256 != fn.CodeSha256 {
				return out, fmt.Errorf("%s: code changed since it was listed (CodeSha256 %s, now %s)", what, fn.CodeSha256, fresh.CodeSha256)
			}
			fn = fresh
			out.Function = fn
		}
		var refresh func(context.Context) (string, error)
		if f.Refresher != nil && isURL(fn.Code) {
			refresh = func(ctx context.Context) (string, error) {
				fresh, err := f.Refresher.RefreshFunction(ctx, fn)
				if err != nil {
					return "", err
				}
				if fresh.CodeSha256 != fn.CodeSha256 {
					// Redeployed since it was listed: the bytes would no
					// longer be the version the plan chose. Rescan next run.
					return "", fmt.Errorf("code changed since it was listed (CodeSha256 %s, now %s)", fn.CodeSha256, fresh.CodeSha256)
				}
				fn = fresh
				out.Function = fresh
				return fresh.Code, nil
			}
		}
		file, err := f.Fetch(ctx, what, fn.Code, fn.CodeSha256, dir, "code-*.zip", refresh)
		if err != nil {
			return out, err
		}
		out.Code = file
	}
	for i, l := range fn.Layers {
		file, err := f.FetchLayer(ctx, fn, l)
		if err != nil {
			if out.Code.Path != "" {
				os.Remove(out.Code.Path)
				out.Code = File{}
			}
			return out, fmt.Errorf("function %s: layer %d: %w", fn.ID(), i+1, err)
		}
		out.Layers = append(out.Layers, file)
	}
	return out, nil
}

// FetchLayer downloads one layer of fn into LayerDir, at most once per
// Fetcher for a given layer ARN and CodeSha256: later callers (also the ones
// waiting while it downloads) get the same file, or the same error.
func (f *Fetcher) FetchLayer(ctx context.Context, fn Function, l Layer) (File, error) {
	if f.LayerDir == "" {
		return File{}, fmt.Errorf("layer %s: the Fetcher has no LayerDir", l.ARN)
	}
	return f.layers.do(ctx, l.ARN+"\x00"+l.CodeSha256, func(ctx context.Context) (File, error) {
		if (l.Location == "" || (l.CodeSha256 == "" && isURL(l.Location))) && f.Refresher != nil {
			// Listed without its details (GetLayerVersionByArn failed then):
			// ask again, so the bytes can still be checked.
			fresh, err := f.Refresher.RefreshLayer(ctx, fn, l)
			if err != nil {
				return File{}, fmt.Errorf("layer %s: get location: %w", l.ARN, err)
			}
			l.Location, l.CodeSha256 = fresh.Location, fresh.CodeSha256
		}
		if l.Location == "" {
			return File{}, fmt.Errorf("layer %s: the source gave no location", l.ARN)
		}
		var refresh func(context.Context) (string, error)
		if f.Refresher != nil && isURL(l.Location) {
			refresh = func(ctx context.Context) (string, error) {
				fresh, err := f.Refresher.RefreshLayer(ctx, fn, l)
				if err != nil {
					return "", err
				}
				if fresh.CodeSha256 != l.CodeSha256 {
					return "", fmt.Errorf("layer changed since it was listed (CodeSha256 %s, now %s)", l.CodeSha256, fresh.CodeSha256)
				}
				return fresh.Location, nil
			}
		}
		return f.Fetch(ctx, "layer "+l.ARN, l.Location, l.CodeSha256, f.LayerDir, "layer-*.zip", refresh)
	})
}

// Fetch downloads (URL) or copies (local path) location into a new file in
// dir named after pattern (os.CreateTemp), checking the bytes against
// sha256B64 when it is not empty. refresh, when not nil, is asked for a fresh
// location after an HTTP 403. It returns the file's path; on error no file is
// left. what names the object in errors.
func (f *Fetcher) Fetch(ctx context.Context, what, location, sha256B64, dir, pattern string, refresh func(context.Context) (string, error)) (File, error) {
	var want []byte
	if sha256B64 != "" {
		var err error
		if want, err = base64.StdEncoding.DecodeString(sha256B64); err != nil || len(want) != sha256.Size {
			return File{}, fmt.Errorf("%s: CodeSha256 %q is not a base64 SHA-256", what, sha256B64)
		}
	}
	file, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", what, err)
	}
	path := file.Name()
	ok := false
	defer func() {
		if !ok {
			file.Close()
			os.Remove(path)
		}
	}()

	var sum []byte
	var n int64
	if isURL(location) {
		sum, n, err = f.download(ctx, what, location, file, refresh)
	} else {
		sum, n, err = f.copyLocal(what, location, file)
	}
	if err != nil {
		return File{}, err
	}
	if err := file.Close(); err != nil {
		return File{}, fmt.Errorf("%s: write %s: %w", what, path, err)
	}
	got := base64.StdEncoding.EncodeToString(sum)
	if want != nil && !bytes.Equal(sum, want) {
		return File{}, &DigestMismatchError{What: what, Expected: sha256B64, Actual: got}
	}
	f.downloads.Add(1)
	f.bytes.Add(n)
	ok = true
	return File{Path: path, CodeSha256: got, Size: n}, nil
}

func (f *Fetcher) copyLocal(what, path string, dst *os.File) ([]byte, int64, error) {
	src, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", what, err)
	}
	defer src.Close()
	return f.stream(what, src, dst)
}

// stream copies at most MaxBytes from r into dst, hashing as it goes.
func (f *Fetcher) stream(what string, r io.Reader, dst *os.File) ([]byte, int64, error) {
	limit := cmpInt64(f.MaxBytes, DefaultMaxBytes)
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(dst, h), io.LimitReader(r, limit+1))
	if err != nil {
		return nil, n, err
	}
	if n > limit {
		return nil, n, &TooLargeError{What: what, Limit: limit}
	}
	return h.Sum(nil), n, nil
}

func (f *Fetcher) download(ctx context.Context, what, location string, dst *os.File, refresh func(context.Context) (string, error)) ([]byte, int64, error) {
	client := f.Client
	if client == nil {
		client = defaultClient
	}
	attempts := cmpInt(f.MaxAttempts, DefaultMaxAttempts)
	refreshes := 0
	var lastErr error
	for attempt := 1; ; attempt++ {
		if _, err := dst.Seek(0, io.SeekStart); err != nil {
			return nil, 0, err
		}
		if err := dst.Truncate(0); err != nil {
			return nil, 0, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, location, nil)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", what, err)
		}
		resp, err := client.Do(req)
		var wait time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, 0, fmt.Errorf("%s: download: %w", what, ctx.Err())
			}
			lastErr = fmt.Errorf("%s: download: %w", what, redact(err))
		case resp.StatusCode == http.StatusOK:
			if resp.ContentLength > cmpInt64(f.MaxBytes, DefaultMaxBytes) {
				resp.Body.Close()
				return nil, 0, &TooLargeError{What: what, Limit: cmpInt64(f.MaxBytes, DefaultMaxBytes)}
			}
			sum, n, err := f.stream(what, resp.Body, dst)
			resp.Body.Close()
			if err == nil {
				return sum, n, nil
			}
			var tl *TooLargeError
			if errors.As(err, &tl) || ctx.Err() != nil {
				return nil, 0, err
			}
			lastErr = fmt.Errorf("%s: download: %w", what, redact(err)) // cut mid-body: retry
		case resp.StatusCode == http.StatusForbidden && refresh != nil && refreshes < maxRefreshes:
			drain(resp)
			refreshes++
			fresh, err := refresh(ctx)
			if err != nil {
				return nil, 0, fmt.Errorf("%s: location expired (HTTP 403) and refreshing it failed: %w", what, err)
			}
			location = fresh
			attempt-- // a refresh is not a failed attempt
			continue
		case retryable(resp.StatusCode):
			d, has := retryAfter(resp.Header, time.Now())
			drain(resp)
			lastErr = &StatusError{What: what, Status: resp.StatusCode}
			if has {
				if d > cmpDur(f.MaxRetryAfter, DefaultMaxRetryAfter) {
					return nil, 0, fmt.Errorf("%w (Retry-After %s is beyond the %s limit)", lastErr, d, cmpDur(f.MaxRetryAfter, DefaultMaxRetryAfter))
				}
				wait = d
			}
		default:
			drain(resp)
			return nil, 0, &StatusError{What: what, Status: resp.StatusCode}
		}
		if attempt >= attempts {
			return nil, 0, fmt.Errorf("%w (gave up after %d attempts)", lastErr, attempt)
		}
		if wait == 0 {
			wait = backoff(attempt, cmpDur(f.BaseDelay, DefaultBaseDelay), cmpDur(f.MaxDelay, DefaultMaxDelay))
		}
		pause := f.wait
		if pause == nil {
			pause = sleep
		}
		if err := pause(ctx, wait); err != nil {
			return nil, 0, fmt.Errorf("%w (while waiting to retry: %w)", lastErr, err)
		}
	}
}

// defaultClient keeps enough idle connections per host for concurrent
// downloads from one S3 endpoint (net/http keeps 2 by default, so every
// further download would pay a new TLS handshake).
var defaultClient = func() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: t}
}()

// redact drops the query string of URLs inside transport errors: presigned
// URLs carry credentials in it.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		u, perr := url.Parse(ue.URL)
		if perr == nil {
			u.RawQuery = ""
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
	}
	return err
}

func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

func cmpDur(v, def time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return def
}

func cmpInt(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

func cmpInt64(v, def int64) int64 {
	if v > 0 {
		return v
	}
	return def
}
