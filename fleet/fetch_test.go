package fleet

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func b64(b []byte) string {
	s := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

// recorder replaces the Fetcher's sleep and records each wait.
type recorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (r *recorder) wait(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waits = append(r.waits, d)
	return ctx.Err()
}

func readDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestFetchVerifiesAndCounts(t *testing.T) {
	body := []byte("zip bytes of orders")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	defer srv.Close()
	dir := t.TempDir()
	var f Fetcher
	file, err := f.Fetch(context.Background(), "function orders", srv.URL+"/code?X-Amz-Signature=abc", b64(body), dir, "code-*.zip", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(file.Path)
	if string(got) != string(body) || file.CodeSha256 != b64(body) || file.Size != int64(len(body)) || filepath.Dir(file.Path) != dir {
		t.Fatalf("file %+v holds %q", file, got)
	}
	if st := f.Stats(); st.Downloads != 1 || st.Bytes != int64(len(body)) {
		t.Fatalf("stats %+v", st)
	}
}

func TestFetchMismatchRemovesFileAndNamesFunction(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("tampered")) }))
	defer srv.Close()
	dir := t.TempDir()
	var f Fetcher
	fn := Function{Account: "111111111111", Region: "eu-west-1", Name: "orders", Qualifier: "3", Code: srv.URL + "/x", CodeSha256: b64([]byte("original"))}
	_, err := f.FetchFunction(context.Background(), fn, dir)
	var mm *DigestMismatchError
	if !errors.As(err, &mm) {
		t.Fatalf("err = %v, want a DigestMismatchError", err)
	}
	want := "function 111111111111/eu-west-1/orders:3: downloaded code has sha256 " + b64([]byte("tampered")) + " but the source claims CodeSha256 " + b64([]byte("original")) + "; refused and removed"
	if err.Error() != want {
		t.Fatalf("err = %q\nwant  %q", err, want)
	}
	if names := readDir(t, dir); len(names) != 0 {
		t.Fatalf("left behind: %v", names)
	}
	if f.Stats().Downloads != 0 {
		t.Fatalf("a refused download was counted: %+v", f.Stats())
	}
}

func TestFetchHonoursRetryAfterSecondsAndDate(t *testing.T) {
	body := []byte("ok")
	var calls atomic.Int32
	date := time.Now().Add(40 * time.Second).UTC().Format(http.TimeFormat)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
		case 2:
			w.Header().Set("Retry-After", date)
			w.WriteHeader(http.StatusServiceUnavailable)
		case 3:
			w.WriteHeader(http.StatusBadGateway) // no Retry-After: backoff
		default:
			w.Write(body)
		}
	}))
	defer srv.Close()
	rec := &recorder{}
	f := Fetcher{wait: rec.wait, BaseDelay: 100 * time.Millisecond}
	if _, err := f.Fetch(context.Background(), "function a", srv.URL, b64(body), t.TempDir(), "c-*", nil); err != nil {
		t.Fatal(err)
	}
	if len(rec.waits) != 3 || rec.waits[0] != 7*time.Second {
		t.Fatalf("waits %v", rec.waits)
	}
	if rec.waits[1] < 38*time.Second || rec.waits[1] > 40*time.Second {
		t.Fatalf("HTTP-date Retry-After gave wait %v, want about 39-40s", rec.waits[1])
	}
	// third retry: exponential backoff with jitter, attempt 3 of base 100ms: in [200ms, 400ms]
	if rec.waits[2] < 200*time.Millisecond || rec.waits[2] > 400*time.Millisecond {
		t.Fatalf("backoff wait %v outside [200ms,400ms]", rec.waits[2])
	}
	if calls.Load() != 4 {
		t.Fatalf("calls %d", calls.Load())
	}
}

func TestFetchGivesUpAfterMaxAttemptsAndOnLongRetryAfter(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.Path == "/long" {
			w.Header().Set("Retry-After", "3600")
		}
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	rec := &recorder{}
	dir := t.TempDir()
	f := Fetcher{wait: rec.wait, MaxAttempts: 3}
	_, err := f.Fetch(context.Background(), "function a", srv.URL+"/x", "", dir, "c-*", nil)
	if err == nil || err.Error() != "function a: download answered HTTP 500 (gave up after 3 attempts)" {
		t.Fatalf("err = %v", err)
	}
	if calls.Load() != 3 || len(rec.waits) != 2 {
		t.Fatalf("calls %d waits %v", calls.Load(), rec.waits)
	}
	_, err = f.Fetch(context.Background(), "function a", srv.URL+"/long", "", dir, "c-*", nil)
	if err == nil || !strings.Contains(err.Error(), "Retry-After 1h0m0s is beyond the 2m0s limit") {
		t.Fatalf("err = %v", err)
	}
	if names := readDir(t, dir); len(names) != 0 {
		t.Fatalf("left behind: %v", names)
	}
}

// refresher hands out a fresh URL, as a new GetFunction would.
type refresher struct {
	fresh     string
	functions atomic.Int32
	layers    atomic.Int32
}

func (r *refresher) RefreshFunction(ctx context.Context, f Function) (Function, error) {
	r.functions.Add(1)
	f.Code = r.fresh
	return f, nil
}

func (r *refresher) RefreshLayer(ctx context.Context, f Function, l Layer) (Layer, error) {
	r.layers.Add(1)
	l.Location = r.fresh
	return l, nil
}

func TestFetchExpiredLocationIsRefreshed(t *testing.T) {
	body := []byte("fresh bytes")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("token") != "new" {
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte("<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"))
			return
		}
		w.Write(body)
	}))
	defer srv.Close()
	ref := &refresher{fresh: srv.URL + "/c?token=new"}
	f := Fetcher{Refresher: ref}
	fn := Function{Name: "orders", Code: srv.URL + "/c?token=old", CodeSha256: b64(body)}
	d, err := f.FetchFunction(context.Background(), fn, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if ref.functions.Load() != 1 || d.Function.Code != ref.fresh {
		t.Fatalf("refreshes %d, code %q", ref.functions.Load(), d.Function.Code)
	}
	// Without a refresher, a 403 is final and names the function.
	_, err = (&Fetcher{}).FetchFunction(context.Background(), fn, t.TempDir())
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 403 || err.Error() != "function orders: download answered HTTP 403" {
		t.Fatalf("err = %v", err)
	}
}

func TestFetchSizeLimit(t *testing.T) {
	big := strings.Repeat("x", 1000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/chunked" {
			w.Header().Set("Transfer-Encoding", "chunked")
			w.Write([]byte(big[:500]))
			w.(http.Flusher).Flush()
			w.Write([]byte(big[500:]))
			return
		}
		w.Write([]byte(big))
	}))
	defer srv.Close()
	dir := t.TempDir()
	f := Fetcher{MaxBytes: 999}
	for _, p := range []string{"/length", "/chunked"} {
		_, err := f.Fetch(context.Background(), "layer L", srv.URL+p, "", dir, "l-*", nil)
		var tl *TooLargeError
		if !errors.As(err, &tl) || err.Error() != "layer L: code is larger than the 999-byte limit (raise the limit to scan it)" {
			t.Fatalf("%s: err = %v", p, err)
		}
	}
	local := filepath.Join(t.TempDir(), "big.zip")
	os.WriteFile(local, []byte(big), 0o600)
	if _, err := f.Fetch(context.Background(), "function F", local, "", dir, "l-*", nil); err == nil {
		t.Fatal("a local file over the limit was copied")
	}
	if names := readDir(t, dir); len(names) != 0 {
		t.Fatalf("left behind: %v", names)
	}
	f.MaxBytes = 1000
	if _, err := f.Fetch(context.Background(), "function F", local, b64([]byte(big)), dir, "l-*", nil); err != nil {
		t.Fatalf("exactly at the limit: %v", err)
	}
}

func TestFetchFunctionTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	dir := t.TempDir()
	f := Fetcher{Timeout: 150 * time.Millisecond}
	start := time.Now()
	_, err := f.FetchFunction(context.Background(), Function{Name: "slow", Code: srv.URL}, dir)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), "function slow: download: ") {
		t.Fatalf("err = %v", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("took %v", el)
	}
	if names := readDir(t, dir); len(names) != 0 {
		t.Fatalf("left behind: %v", names)
	}
}

func TestLayerFetchedOnceAcrossFunctions(t *testing.T) {
	layer := []byte("shared layer")
	code := []byte("function code")
	var layerHits atomic.Int32
	gate := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/layer" {
			layerHits.Add(1)
			<-gate // hold it so the other functions wait on the same fetch
			w.Write(layer)
			return
		}
		w.Write(code)
	}))
	defer srv.Close()
	f := Fetcher{LayerDir: t.TempDir()}
	l := Layer{ARN: "arn:aws:lambda:eu-west-1:111111111111:layer:deps:4", CodeSha256: b64(layer), Location: srv.URL + "/layer"}
	fns := make([]Function, 12)
	for i := range fns {
		fns[i] = Function{Name: "f" + string(rune('a'+i)), Code: srv.URL + "/code", CodeSha256: b64(code), Layers: []Layer{l}}
	}
	go func() { time.Sleep(100 * time.Millisecond); close(gate) }()
	dir := t.TempDir()
	var paths sync.Map
	errs := ForEach(context.Background(), fns, 4, func(ctx context.Context, i int, fn Function) error {
		d, err := f.FetchFunction(ctx, fn, dir)
		if err == nil {
			paths.Store(d.Layers[0].Path, true)
		}
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("function %d: %v", i, err)
		}
	}
	n := 0
	paths.Range(func(any, any) bool { n++; return true })
	if layerHits.Load() != 1 || n != 1 {
		t.Fatalf("layer fetched %d times into %d files", layerHits.Load(), n)
	}
	if st := f.Stats(); st.Downloads != 13 {
		t.Fatalf("downloads %d, want 12 codes + 1 layer", st.Downloads)
	}
}

func TestLayerCacheRetriesAfterCallerTimeout(t *testing.T) {
	var c layerCache
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.do(ctx, "k", func(ctx context.Context) (File, error) { return File{}, ctx.Err() })
	if !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	got, err := c.do(context.Background(), "k", func(ctx context.Context) (File, error) { return File{Path: "p"}, nil })
	if err != nil || got.Path != "p" {
		t.Fatalf("a cancelled fetch was cached: %v %v", got, err)
	}
	// a real failure is cached: fetched at most once
	calls := 0
	for range 3 {
		c.do(context.Background(), "bad", func(ctx context.Context) (File, error) { calls++; return File{}, errors.New("mismatch") })
	}
	if calls != 1 {
		t.Fatalf("failing fetch ran %d times", calls)
	}
}

func TestForEachBoundsConcurrency(t *testing.T) {
	var cur, peak atomic.Int32
	items := make([]int, 40)
	errs := ForEach(context.Background(), items, 0, func(ctx context.Context, i int, _ int) error {
		n := cur.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		cur.Add(-1)
		if i == 7 {
			return errors.New("seven")
		}
		return nil
	})
	if peak.Load() != DefaultConcurrency {
		t.Fatalf("peak %d, want %d", peak.Load(), DefaultConcurrency)
	}
	for i, err := range errs {
		if (i == 7) != (err != nil) {
			t.Fatalf("item %d: %v", i, err)
		}
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 11, 28, 4, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"", 0, false}, {"12", 12 * time.Second, true}, {"-1", 0, false}, {"soon", 0, false},
		{"Sat, 28 Nov 2026 04:00:30 GMT", 30 * time.Second, true},
		{"Sat, 28 Nov 2026 03:00:00 GMT", 0, true},
	} {
		h := http.Header{}
		if c.v != "" {
			h.Set("Retry-After", c.v)
		}
		d, ok := retryAfter(h, now)
		if d != c.want || ok != c.ok {
			t.Errorf("%q: %v %v, want %v %v", c.v, d, ok, c.want, c.ok)
		}
	}
}

func TestFunctionDigestAndID(t *testing.T) {
	f := Function{Account: "111111111111", Region: "us-east-1", Name: "api", Qualifier: "$LATEST", CodeSha256: b64([]byte("x"))}
	d, err := f.Digest()
	if err != nil || d != "sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881" {
		t.Fatalf("%q %v", d, err)
	}
	if f.ID() != "111111111111/us-east-1/api:$LATEST" {
		t.Fatal(f.ID())
	}
	f.CodeSha256 = "not base64!"
	if _, err := f.Digest(); err == nil {
		t.Fatal("bad CodeSha256 accepted")
	}
}

// changing hands out a location for code that was redeployed after listing.
type changing struct{ refresher }

func (c *changing) RefreshFunction(ctx context.Context, f Function) (Function, error) {
	f.Code = c.fresh
	f.CodeSha256 = b64([]byte("redeployed"))
	return f, nil
}

func TestFetchRefusesCodeRedeployedSinceListing(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusForbidden) }))
	defer srv.Close()
	listed := b64([]byte("listed"))
	f := Fetcher{Refresher: &changing{refresher{fresh: srv.URL + "/new"}}}
	dir := t.TempDir()
	want := "function orders: code changed since it was listed (CodeSha256 " + listed + ", now " + b64([]byte("redeployed")) + ")"
	// listed without a location (ListOnly), and listed with one that expired
	for _, code := range []string{"", srv.URL + "/old"} {
		_, err := f.FetchFunction(context.Background(), Function{Name: "orders", Code: code, CodeSha256: listed}, dir)
		if err == nil || !strings.Contains(err.Error(), want[len("function orders: "):]) || !strings.HasPrefix(err.Error(), "function orders: ") {
			t.Fatalf("code %q: err = %v", code, err)
		}
	}
	if names := readDir(t, dir); len(names) != 0 {
		t.Fatalf("left behind: %v", names)
	}
}
