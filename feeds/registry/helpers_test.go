package registry

import (
	"encoding/json"
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

// fixture reads a file of testdata/registry (see its README).
func fixture(t testing.TB, rel string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "registry", rel))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// registryServer serves recorded registry answers by path. Paths not in
// routes get 404, as a registry answers for a package it does not know.
type registryServer struct {
	*httptest.Server
	mu       sync.Mutex
	routes   map[string][]byte
	etags    map[string]string // path -> ETag sent with the answer
	requests atomic.Int64
	notMod   atomic.Int64
	// fail, when set, answers every request with this status.
	fail    atomic.Int64
	latency time.Duration
	accepts []string
}

func newRegistryServer(t testing.TB, routes map[string][]byte) *registryServer {
	s := &registryServer{routes: routes, etags: map[string]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *registryServer) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if s.latency > 0 {
		time.Sleep(s.latency)
	}
	s.mu.Lock()
	s.accepts = append(s.accepts, r.Header.Get("Accept"))
	body, ok := s.routes[r.URL.EscapedPath()]
	etag := s.etags[r.URL.EscapedPath()]
	s.mu.Unlock()
	if code := s.fail.Load(); code != 0 {
		if code == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "0")
		}
		http.Error(w, "down", int(code))
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	if etag != "" {
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			s.notMod.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

// npmRoutes serves the recorded npm answers named (file names without
// .json) under their package names.
func npmRoutes(t testing.TB, names ...string) map[string][]byte {
	routes := map[string][]byte{}
	for _, n := range names {
		routes["/"+n] = fixture(t, "npm/"+n+".json")
	}
	return routes
}

// fastOptions are Options for tests: the server's URL for eco, short
// retry waits, a fixed clock.
func fastOptions(eco, url string) Options {
	return Options{
		BaseURLs:  map[string]string{eco: url},
		RetryWait: time.Millisecond,
		Now:       func() time.Time { return testNow },
	}
}

var testNow = time.Date(2026, 11, 28, 3, 30, 0, 0, time.UTC)

func coords(eco string, nv ...string) []Coord {
	var out []Coord
	for _, s := range nv {
		n, v, _ := strings.Cut(s, "@")
		if strings.HasPrefix(s, "@") { // scoped npm name
			i := strings.LastIndex(s, "@")
			n, v = s[:i], s[i+1:]
		}
		out = append(out, Coord{Ecosystem: eco, Name: n, Version: v})
	}
	return out
}

// functionCoords returns the packages testdata/functions/expected-packages.json
// lists for one corpus function.
func functionCoords(t testing.TB, function string) []Coord {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "functions", "expected-packages.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fns map[string]struct {
		Packages []Coord `json:"packages"`
	}
	if err := json.Unmarshal(data, &fns); err != nil {
		t.Fatal(err)
	}
	fn, ok := fns[function]
	if !ok {
		t.Fatalf("no function %s", function)
	}
	return fn.Packages
}
