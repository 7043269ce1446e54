package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// Default registry base URLs (Options.BaseURLs overrides them per
// ecosystem: a private mirror, or a test server).
var DefaultBaseURLs = map[string]string{
	NPM:      "https://registry.npmjs.org",
	PyPI:     "https://pypi.org",
	Go:       "https://proxy.golang.org",
	NuGet:    "https://api.nuget.org/v3/registration5-gz-semver2",
	RubyGems: "https://rubygems.org",
}

// Defaults of Options.
const (
	DefaultConcurrency = 16
	DefaultTimeout     = 30 * time.Second
	DefaultMaxAttempts = 4
	DefaultRetryWait   = 500 * time.Millisecond
	// DefaultMaxResponse bounds one answer. The abbreviated packument of a
	// package with thousands of versions runs to a few MiB.
	DefaultMaxResponse = 64 << 20
	maxRetryWait       = 30 * time.Second
)

// Options configures Lookup.
type Options struct {
	// BaseURLs maps an ecosystem (any spelling CanonicalEcosystem knows)
	// to its registry's base URL; missing ones use DefaultBaseURLs.
	BaseURLs map[string]string
	// Concurrency bounds the requests in flight (DefaultConcurrency).
	Concurrency int
	// Previous is the last snapshot: its ETags make the requests
	// conditional, and a 304 reuses its answer.
	Previous Snapshot
	// Client sends the requests (http.DefaultClient's transport when nil).
	Client *http.Client
	// Timeout bounds each request, retries apart (DefaultTimeout).
	Timeout time.Duration
	// MaxAttempts bounds the attempts per request (DefaultMaxAttempts).
	MaxAttempts int
	// RetryWait is the first backoff wait (DefaultRetryWait); it doubles,
	// with jitter, at each retry. A Retry-After header wins (at most 30s).
	RetryWait time.Duration
	// MaxResponse bounds the size of one answer (DefaultMaxResponse).
	MaxResponse int64
	UserAgent   string
	Now         func() time.Time
	Logf        func(format string, args ...any)
}

// Lookup asks each package's registry about the packages coords name (once
// per package) and returns their answers. Coordinates of ecosystems it does
// not support are skipped. It fails if any registry could not answer (after
// retries): a partial snapshot must not replace a complete one, and a
// missing answer must not read as "nothing to report".
func Lookup(ctx context.Context, coords []Coord, opts Options) (Snapshot, error) {
	c, err := newClient(opts)
	if err != nil {
		return Snapshot{}, err
	}
	defer c.close()
	type job struct{ eco, name string }
	var jobs []job
	seen := map[string]bool{}
	for _, co := range coords {
		eco, ok := CanonicalEcosystem(co.Ecosystem)
		if !ok || co.Name == "" {
			continue
		}
		k := Key(eco, co.Name)
		if !seen[k] {
			seen[k] = true
			jobs = append(jobs, job{eco, co.Name})
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		snap     = Snapshot{Packages: map[string]*Package{}}
		firstErr error
		wg       sync.WaitGroup
	)
	work := make(chan job)
	for range min(c.concurrency, max(len(jobs), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				p, err := c.lookup(ctx, j.eco, j.name, opts.Previous.Get(j.eco, j.name))
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				if err == nil {
					snap.put(p)
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, j := range jobs {
		select {
		case work <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return Snapshot{}, firstErr
	}
	if err := ctx.Err(); err != nil {
		return Snapshot{}, err
	}
	return snap, nil
}

type client struct {
	http         *http.Client
	ownTransport *http.Transport
	base         map[string]*url.URL
	concurrency  int
	timeout      time.Duration
	attempts     uint
	retryWait    time.Duration
	maxResponse  int64
	userAgent    string
	now          func() time.Time
	logf         func(string, ...any)
}

func newClient(o Options) (*client, error) {
	c := &client{
		http:        o.Client,
		base:        map[string]*url.URL{},
		concurrency: o.Concurrency,
		timeout:     o.Timeout,
		attempts:    uint(max(o.MaxAttempts, 0)),
		retryWait:   o.RetryWait,
		maxResponse: o.MaxResponse,
		userAgent:   o.UserAgent,
		now:         o.Now,
		logf:        o.Logf,
	}
	if c.concurrency <= 0 {
		c.concurrency = DefaultConcurrency
	}
	if c.http == nil {
		// Keep a connection per worker: the default transport keeps two
		// idle connections per host and would reconnect for most requests.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = c.concurrency
		c.http = &http.Client{Transport: t}
		c.ownTransport = t
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.attempts == 0 {
		c.attempts = DefaultMaxAttempts
	}
	if c.retryWait <= 0 {
		c.retryWait = DefaultRetryWait
	}
	if c.maxResponse <= 0 {
		c.maxResponse = DefaultMaxResponse
	}
	if c.userAgent == "" {
		c.userAgent = "fnaudit"
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.logf == nil {
		c.logf = func(string, ...any) {}
	}
	raw := map[string]string{}
	for k, v := range DefaultBaseURLs {
		raw[k] = v
	}
	for k, v := range o.BaseURLs {
		eco, ok := CanonicalEcosystem(k)
		if !ok {
			return nil, fmt.Errorf("registry URL %s=%s: unsupported ecosystem (supported: npm, pypi, go, nuget, rubygems)", k, v)
		}
		raw[eco] = v
	}
	for eco, v := range raw {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("registry URL %s=%s: not an http(s) URL", eco, v)
		}
		c.base[eco] = u
	}
	return c, nil
}

// close releases the idle connections of a transport newClient made.
func (c *client) close() {
	if c.ownTransport != nil {
		c.ownTransport.CloseIdleConnections()
	}
}

// lookup asks one registry about one package.
func (c *client) lookup(ctx context.Context, eco, name string, prev *Package) (*Package, error) {
	var (
		p   *Package
		err error
	)
	switch eco {
	case NPM:
		p, err = c.npm(ctx, name, prev)
	case PyPI:
		p, err = c.pypi(ctx, name, prev)
	case Go:
		p, err = c.golang(ctx, name, prev)
	case NuGet:
		p, err = c.nuget(ctx, name, prev)
	case RubyGems:
		p, err = c.rubygems(ctx, name, prev)
	default:
		return nil, fmt.Errorf("registry: unsupported ecosystem %s", eco)
	}
	if err != nil {
		return nil, fmt.Errorf("%s registry, package %q: %w", eco, name, err)
	}
	p.Ecosystem, p.Name = eco, name
	return p, nil
}

// endpoint joins a path (already escaped as the registry wants it) to the
// ecosystem's base URL.
func (c *client) endpoint(eco, escapedPath string) string {
	return strings.TrimRight(c.base[eco].String(), "/") + "/" + escapedPath
}

// answer is one HTTP response the registries' parsers read.
type answer struct {
	status      int // 200, 304 or 404 (410 reported as 404)
	body        []byte
	etag        string
	notModified bool
}

// errNotModifiedWithoutValidator: a 304 to a request that had no ETag.
var errNotModifiedWithoutValidator = errors.New("HTTP 304 to a request without validators")

// get fetches url with retries. etag, when set, makes the request
// conditional. 404 and 410 are answers (the registry does not know the
// package), not errors; other non-2xx statuses are errors, retried when
// they are transient (408, 429, 5xx, network errors).
func (c *client) get(ctx context.Context, rawURL, accept, etag string) (*answer, error) {
	attempts := 0
	a, err := backoff.Retry(ctx, func() (*answer, error) {
		attempts++
		a, err := c.getOnce(ctx, rawURL, accept, etag)
		var r *retryable
		if err != nil && !errors.As(err, &r) {
			return nil, backoff.Permanent(err)
		}
		return a, err
	},
		backoff.WithBackOff(&backoff.ExponentialBackOff{
			InitialInterval:     c.retryWait,
			RandomizationFactor: 0.5,
			Multiplier:          2,
			MaxInterval:         maxRetryWait,
		}),
		backoff.WithMaxTries(c.attempts),
		backoff.WithMaxElapsedTime(0), // attempts bound the retries, not a clock
		backoff.WithNotify(func(err error, wait time.Duration) {
			c.logf("%v; retrying in %s", err, wait.Round(time.Millisecond))
		}),
	)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("GET %s: %w", rawURL, ctx.Err())
		}
		var r *retryable
		if errors.As(err, &r) && attempts > 1 {
			return nil, fmt.Errorf("%w (gave up after %d attempts)", err, attempts)
		}
		return nil, err
	}
	return a, nil
}

func (c *client) getOnce(ctx context.Context, rawURL, accept, etag string) (*answer, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", rawURL, err)
	}
	req.Header.Set("User-Agent", c.userAgent)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil && ctx.Err() != context.DeadlineExceeded {
			return nil, err
		}
		return nil, &retryable{err: fmt.Errorf("GET %s: %w", rawURL, err)}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified:
		if etag == "" {
			return nil, fmt.Errorf("GET %s: %w", rawURL, errNotModifiedWithoutValidator)
		}
		return &answer{status: http.StatusNotModified, notModified: true, etag: etag}, nil
	case resp.StatusCode == http.StatusNotFound, resp.StatusCode == http.StatusGone:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return &answer{status: http.StatusNotFound}, nil
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, &retryable{err: fmt.Errorf("GET %s: HTTP %s", rawURL, resp.Status), after: retryAfter(resp, c.now())}
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("GET %s: HTTP %s", rawURL, resp.Status)
	}
	if resp.ContentLength > c.maxResponse {
		return nil, fmt.Errorf("GET %s: %d bytes announced, more than the %d byte limit", rawURL, resp.ContentLength, c.maxResponse)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxResponse+1))
	if err != nil {
		return nil, &retryable{err: fmt.Errorf("GET %s: read: %w", rawURL, err)}
	}
	if int64(len(body)) > c.maxResponse {
		return nil, fmt.Errorf("GET %s: answer larger than the %d byte limit", rawURL, c.maxResponse)
	}
	return &answer{status: http.StatusOK, body: body, etag: resp.Header.Get("ETag")}, nil
}

// retryable is a failure worth another attempt, after the wait the server
// asked for when it did.
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

// retryAfter reads Retry-After (seconds or an HTTP date), capped.
func retryAfter(resp *http.Response, now time.Time) time.Duration {
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0
	}
	var d time.Duration
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		d = time.Duration(s) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxRetryWait)
}

// reuse returns prev's answer, fetched again now (a 304).
func (c *client) reuse(prev *Package) *Package {
	p := *prev
	p.FetchedAt = c.now().UTC()
	return &p
}
