package registry

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/feeds"
)

// newAdvisoryDB imports one real OSV record into a new database and
// returns its path.
func newAdvisoryDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "advisories.db")
	imported := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	if _, err := feeds.Import(context.Background(), db, []string{filepath.Join("..", "..", "testdata", "osv", "npm", "GHSA-35jh-r3h4-6jhm.json")},
		feeds.WithClock(func() time.Time { return imported })); err != nil {
		t.Fatal(err)
	}
	return db
}

func loadFromDB(t *testing.T, db string, cs []Coord) Snapshot {
	t.Helper()
	s, err := feeds.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	snap, err := Load(context.Background(), s, cs)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

var eventStream = coords(NPM, "event-stream@3.3.6", "flatmap-stream@0.1.1", "lodash@4.17.15", "@acme/private@1.0.0")

// The snapshot saved in the advisory database gives the same findings
// offline, carries its fetch time, and leaves the advisory data's age alone.
func TestSnapshotRoundTripThroughAdvisoryDB(t *testing.T) {
	ctx := context.Background()
	db := newAdvisoryDB(t)
	srv := newRegistryServer(t, npmRoutes(t, "event-stream", "flatmap-stream", "lodash"))
	snap, err := Lookup(ctx, eventStream, fastOptions("npm", srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	saved := time.Date(2026, 11, 28, 3, 31, 0, 0, time.UTC)
	if err := Save(ctx, db, snap, saved); err != nil {
		t.Fatal(err)
	}
	srv.Close() // offline from here on
	cached := loadFromDB(t, db, eventStream)
	if !reflect.DeepEqual(cached, snap) {
		t.Fatalf("cached snapshot differs:\n got %+v\nwant %+v", cached, snap)
	}
	if got, want := Assess(cached, eventStream), Assess(snap, eventStream); len(got) != 2 || !reflect.DeepEqual(got, want) {
		t.Fatalf("offline findings %+v, want %+v", got, want)
	}
	s, err := feeds.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at, ok, err := s.RegistryUpdated(ctx)
	if err != nil || !ok || !at.Equal(saved) {
		t.Fatalf("registry snapshot time %v %v %v, want %v", at, ok, err, saved)
	}
	if n, err := s.RegistryCount(ctx); err != nil || n != 4 {
		t.Fatalf("registry count %d %v, want 4", n, err)
	}
	last, err := s.LastUpdated(ctx)
	if err != nil || !last.Equal(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)) {
		t.Fatalf("advisory LastUpdated %v %v: a registry snapshot must not refresh it", last, err)
	}
	ids, err := s.IDs(ctx, "", "")
	if err != nil || len(ids) != 1 || ids[0] != "GHSA-35jh-r3h4-6jhm" {
		t.Fatalf("advisory records %v %v", ids, err)
	}
	if o := OldestFetch(cached, eventStream); !o.Equal(testNow) {
		t.Fatalf("oldest fetch %v", o)
	}
}

// A database that never saved a snapshot has none: nothing loaded, every
// package unchecked, no error.
func TestNoSnapshotYet(t *testing.T) {
	db := newAdvisoryDB(t)
	snap := loadFromDB(t, db, eventStream)
	if len(snap.Packages) != 0 || len(Unchecked(snap, eventStream)) != 4 {
		t.Fatalf("snapshot %+v", snap)
	}
	s, _ := feeds.Open(db)
	defer s.Close()
	if _, ok, err := s.RegistryUpdated(context.Background()); ok || err != nil {
		t.Fatalf("RegistryUpdated ok=%v err=%v", ok, err)
	}
}

func TestSaveNeedsAnAdvisoryDB(t *testing.T) {
	err := Save(context.Background(), filepath.Join(t.TempDir(), "none.db"), Snapshot{}, testNow)
	if !errors.Is(err, feeds.ErrNoDatabase) {
		t.Fatalf("err = %v", err)
	}
}

// A registry that is down (HTTP 500 on every attempt) fails the lookup
// after MaxAttempts, and the cached snapshot stays as it was.
func TestRegistryDownKeepsSnapshot(t *testing.T) {
	ctx := context.Background()
	db := newAdvisoryDB(t)
	srv := newRegistryServer(t, npmRoutes(t, "event-stream", "flatmap-stream", "lodash"))
	snap, err := Lookup(ctx, eventStream, fastOptions("npm", srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(ctx, db, snap, testNow); err != nil {
		t.Fatal(err)
	}
	srv.fail.Store(http.StatusInternalServerError)
	srv.requests.Store(0)
	opts := fastOptions("npm", srv.URL)
	opts.MaxAttempts = 3
	opts.Concurrency = 1
	opts.Previous = snap
	_, err = Lookup(ctx, eventStream[:1], opts)
	want := `npm registry, package "event-stream": GET ` + srv.URL + `/event-stream: HTTP 500 Internal Server Error (gave up after 3 attempts)`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
	if n := srv.requests.Load(); n != 3 {
		t.Fatalf("%d requests, want 3 attempts", n)
	}
	if got := loadFromDB(t, db, eventStream); !reflect.DeepEqual(got, snap) {
		t.Fatalf("snapshot changed after a failed lookup")
	}
}

func TestRegistryClosedPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	opts := fastOptions("npm", "http://"+addr)
	opts.MaxAttempts = 2
	_, err = Lookup(context.Background(), eventStream, opts)
	if err == nil || !strings.Contains(err.Error(), "connection refused") || !strings.Contains(err.Error(), "(gave up after 2 attempts)") {
		t.Fatalf("err = %v", err)
	}
}

// 429 with Retry-After, then an answer: retried, and the answer is used.
func TestRetryOn429(t *testing.T) {
	srv := newRegistryServer(t, npmRoutes(t, "lodash"))
	srv.fail.Store(http.StatusTooManyRequests)
	var calls atomic.Int64
	opts := fastOptions("npm", srv.URL)
	opts.Logf = func(string, ...any) {
		if calls.Add(1) == 1 {
			srv.fail.Store(0)
		}
	}
	snap, err := Lookup(context.Background(), coords(NPM, "lodash@4.17.15"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if p := snap.Get(NPM, "lodash"); p == nil || !p.Known || srv.requests.Load() != 2 {
		t.Fatalf("lodash %+v after %d requests", p, srv.requests.Load())
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 11, 28, 3, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		v    string
		want time.Duration
	}{{"7", 7 * time.Second}, {"Sat, 28 Nov 2026 03:30:05 GMT", 5 * time.Second}, {"3600", maxRetryWait}, {"soon", 0}, {"", 0}} {
		resp := &http.Response{Header: http.Header{"Retry-After": {c.v}}}
		if got := retryAfter(resp, now); got != c.want {
			t.Errorf("Retry-After %q: %s, want %s", c.v, got, c.want)
		}
	}
}

// With the previous snapshot, requests carry its ETag; a 304 reuses the
// cached answer (with a new fetch time) without reading a body.
func TestETagNotModifiedReusesCache(t *testing.T) {
	srv := newRegistryServer(t, npmRoutes(t, "event-stream", "flatmap-stream"))
	srv.etags["/event-stream"] = `"es-1"`
	srv.etags["/flatmap-stream"] = `"fs-1"`
	cs := eventStream[:2]
	first, err := Lookup(context.Background(), cs, fastOptions("npm", srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if e := first.Get(NPM, "event-stream").ETag; e != `"es-1"` {
		t.Fatalf("ETag %q not kept", e)
	}
	later := testNow.Add(time.Hour)
	opts := fastOptions("npm", srv.URL)
	opts.Previous = first
	opts.Now = func() time.Time { return later }
	second, err := Lookup(context.Background(), cs, opts)
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.notMod.Load(); n != 2 {
		t.Fatalf("%d answers were 304, want 2", n)
	}
	for _, name := range []string{"event-stream", "flatmap-stream"} {
		a, b := *first.Get(NPM, name), *second.Get(NPM, name)
		if !b.FetchedAt.Equal(later) {
			t.Errorf("%s fetched at %v, want %v", name, b.FetchedAt, later)
		}
		b.FetchedAt = a.FetchedAt
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: 304 did not reuse the cached answer", name)
		}
	}
	if got := Assess(second, cs); len(got) != 2 || got[0].Status != Unpublished || got[1].Status != TakenDown {
		t.Fatalf("findings after 304: %+v", got)
	}
}

func TestResponseSizeCap(t *testing.T) {
	srv := newRegistryServer(t, npmRoutes(t, "lodash"))
	opts := fastOptions("npm", srv.URL)
	opts.MaxResponse = 1000
	_, err := Lookup(context.Background(), coords(NPM, "lodash@4.17.15"), opts)
	if err == nil || !strings.Contains(err.Error(), "/lodash: answer larger than the 1000 byte limit") {
		t.Fatalf("err = %v", err)
	}
}

// A slow registry hits the per-request timeout, retried, then fails.
func TestPerRequestTimeout(t *testing.T) {
	srv := newRegistryServer(t, npmRoutes(t, "lodash"))
	srv.latency = 200 * time.Millisecond
	opts := fastOptions("npm", srv.URL)
	opts.Timeout = 20 * time.Millisecond
	opts.MaxAttempts = 2
	_, err := Lookup(context.Background(), coords(NPM, "lodash@4.17.15"), opts)
	if err == nil || !strings.Contains(err.Error(), "context deadline exceeded") || !strings.Contains(err.Error(), "gave up after 2 attempts") {
		t.Fatalf("err = %v", err)
	}
}

// A save that fails half-way leaves the previous snapshot and no
// temporary file.
func TestFailedSaveKeepsSnapshot(t *testing.T) {
	ctx := context.Background()
	db := newAdvisoryDB(t)
	srv := newRegistryServer(t, npmRoutes(t, "event-stream", "flatmap-stream", "lodash"))
	snap, err := Lookup(ctx, eventStream, fastOptions("npm", srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(ctx, db, snap, testNow); err != nil {
		t.Fatal(err)
	}
	bad := Snapshot{Packages: map[string]*Package{}}
	for k, p := range snap.Packages {
		q := *p
		q.Versions = nil
		bad.Packages[k] = &q
	}
	bad.Packages["broken"] = &Package{Ecosystem: NPM} // no name: refused
	if err := Save(ctx, db, bad, testNow.Add(time.Hour)); err == nil {
		t.Fatal("saving an entry without a name succeeded")
	}
	if got := loadFromDB(t, db, eventStream); !reflect.DeepEqual(got, snap) {
		t.Fatal("a failed save changed the snapshot")
	}
	left, _ := filepath.Glob(db + ".tmp-*")
	if len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}
