package scan

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/feeds/registry"
	"github.com/fnaudit/fnaudit/match"
	"github.com/fnaudit/fnaudit/policy"
	"github.com/fnaudit/fnaudit/report"
)

// npmRegistry serves the npm answers recorded in testdata/registry/npm
// (404 for any other package), counting requests.
func npmRegistry(t testing.TB) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		data, err := os.ReadFile(filepath.Join("..", "testdata", "registry", "npm", filepath.Base(r.URL.Path)+".json"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// pypiOnlyEngine opens an engine on a private database holding the PyPI
// advisories and one npm record (jsonwebtoken's, so that the database
// covers npm): no record for any package of the event-stream
// reconstruction, and a file the registry step may replace.
func pypiOnlyEngine(t testing.TB) (*Engine, string) {
	t.Helper()
	db := filepath.Join(t.TempDir(), "advisories.db")
	if _, err := feeds.Import(context.Background(), db, []string{filepath.Join(osvDir, "PyPI"), filepath.Join(osvDir, "npm", "GHSA-27h2-hvpr-p74q.json")}); err != nil {
		t.Fatal(err)
	}
	e, err := Open(context.Background(), Config{DBPath: db, TempRoot: t.TempDir(), AcceptStale: true,
		Tool: report.Tool{Name: "fnaudit", Version: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, db
}

type regResult struct{ id, name, version, reason string }

func registryResults(res *Result) []regResult {
	var out []regResult
	for _, r := range res.Decision.Results {
		if r.Finding.Kind == core.KindRegistry {
			out = append(out, regResult{r.Finding.PrimaryID(), r.Finding.Package.Name, r.Finding.Package.Version, r.Reason})
		}
	}
	return out
}

func TestRegistryEventStreamOnlineThenCached(t *testing.T) {
	t.Parallel()
	srv, requests := npmRegistry(t)
	e, _ := pypiOnlyEngine(t)
	ctx := context.Background()
	res, err := e.Scan(ctx, Request{Target: fn("event-stream-reconstruction.zip"), CheckRegistry: true,
		Registries: map[string]string{"npm": srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	want := []regResult{
		{"REGISTRY-UNPUBLISHED", "event-stream", "3.3.6", policy.ReasonRegistry},
		{"REGISTRY-TAKEN-DOWN", "flatmap-stream", "0.1.1", policy.ReasonRegistryTakenDown},
	}
	got := registryResults(res)
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("registry results %+v, want %+v", got, want)
	}
	if len(res.Findings) != 2 {
		t.Errorf("%d findings, want only the 2 registry ones (the database has no record for these packages)", len(res.Findings))
	}
	if res.Pass() || res.Decision.Failing() != 1 {
		t.Errorf("pass %v, failing %d: want the taken-down package alone to fail", res.Pass(), res.Decision.Failing())
	}
	for _, f := range res.Findings {
		if f.Package.Name == "flatmap-stream" && (f.Severity != match.SeverityCritical || !strings.Contains(f.Summary, "npm lists no version of this package")) {
			t.Errorf("flatmap-stream finding: severity %s, summary %q", f.Severity, f.Summary)
		}
	}
	if n := requests.Load(); n != 9 {
		t.Errorf("%d registry requests, want 9 (one per package)", n)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings %q", res.Warnings)
	}

	// The same engine, no lookup: the snapshot just saved is what the
	// scan assesses (the engine reopened the replaced database file).
	res, err = e.Scan(ctx, Request{Target: fn("event-stream-reconstruction.zip")})
	if err != nil {
		t.Fatal(err)
	}
	if got := registryResults(res); len(got) != 2 || got[1] != want[1] || res.Pass() {
		t.Errorf("cached snapshot: %+v pass %v", got, res.Pass())
	}
	if requests.Load() != 9 {
		t.Errorf("a scan without CheckRegistry asked the registry")
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings %q", res.Warnings)
	}

	// With fail_on_registry the unpublished version fails too.
	pol := policy.Default()
	pol.FailOnRegistry = true
	res, err = e.Scan(ctx, Request{Target: fn("event-stream-reconstruction.zip"), Policy: pol})
	if err != nil {
		t.Fatal(err)
	}
	if res.Decision.Failing() != 2 {
		t.Errorf("fail_on_registry: %d failing, want 2", res.Decision.Failing())
	}

	// An old snapshot is used, with a warning; so is a package it lacks.
	res, err = e.Scan(ctx, Request{Target: fn("node-app.zip"), Now: time.Now().Add(30 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(res.Warnings, "\n")
	if !strings.Contains(joined, "has no answer for") {
		t.Errorf("node-app has packages the snapshot lacks; warnings %q", res.Warnings)
	}
	res, err = e.Scan(ctx, Request{Target: fn("event-stream-reconstruction.zip"), Now: time.Now().Add(30 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if joined := strings.Join(res.Warnings, "\n"); !strings.Contains(joined, "registry snapshot is") || !strings.Contains(joined, "older than --db-max-allowed-age") {
		t.Errorf("30-day-old snapshot: warnings %q", res.Warnings)
	}
	if got := registryResults(res); len(got) != 2 {
		t.Errorf("old snapshot still assessed: %+v", got)
	}
}

func TestRegistryDownFailsScan(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusForbidden) // permanent: no retries
	}))
	defer srv.Close()
	e, _ := pypiOnlyEngine(t)
	_, err := e.Scan(context.Background(), Request{Target: fn("event-stream-reconstruction.zip"), CheckRegistry: true,
		Registries: map[string]string{"npm": srv.URL}})
	if err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("err %v, want the registry's 403", err)
	}
	// Nothing was cached.
	ok, err := func() (bool, error) { _, ok, err := e.Store().RegistryUpdated(context.Background()); return ok, err }()
	if err != nil || ok {
		t.Errorf("snapshot saved after a failed lookup (ok %v, err %v)", ok, err)
	}
}

func TestRegistryOfflineEngineRefusesLookup(t *testing.T) {
	t.Parallel()
	db, err := corpusDB()
	if err != nil {
		t.Fatal(err)
	}
	e, err := Open(context.Background(), Config{DBPath: db, TempRoot: t.TempDir(), AcceptStale: true, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.Scan(context.Background(), Request{Target: fn("event-stream-reconstruction.zip"), CheckRegistry: true}); err == nil || !strings.Contains(err.Error(), "offline") {
		t.Fatalf("err %v", err)
	}
}

// Concurrent online scans each replace the database file; every scan
// must finish on the store it started with, and the engine end on the
// newest file.
func TestRegistryConcurrentLookupsSwapStore(t *testing.T) {
	t.Parallel()
	srv, _ := npmRegistry(t)
	e, _ := pypiOnlyEngine(t)
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := e.Scan(context.Background(), Request{Target: fn("event-stream-reconstruction.zip"), CheckRegistry: i%2 == 0,
				Registries: map[string]string{"npm": srv.URL}})
			if err != nil {
				errs <- err
				return
			}
			if i%2 == 0 && len(registryResults(res)) != 2 {
				t.Errorf("scan %d: %+v", i, registryResults(res))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	n, err := e.Store().RegistryCount(context.Background())
	if err != nil || n != 9 {
		t.Errorf("engine's store holds %d registry answers (%v), want 9", n, err)
	}
}

// The findings' gate must be the one feeds/registry states for each
// status (policy restates it to stay free of the store).
func TestRegistryGateMatchesStatusFails(t *testing.T) {
	t.Parallel()
	pkg := core.Package{Ecosystem: "npm", Name: "x", Version: "1.0.0", PURL: "pkg:npm/x@1.0.0", Paths: []string{"/var/task/node_modules/x"}, Loaded: true}
	for _, st := range []registry.Status{registry.TakenDown, registry.Unpublished, registry.Yanked, registry.Retracted, registry.Unlisted, registry.Deprecated} {
		for _, failOn := range []bool{false, true} {
			fs := RegistryFindings([]registry.Finding{{Ecosystem: "npm", Name: "x", Version: "1.0.0", Status: st}}, []core.Package{pkg, pkg})
			if len(fs) != 2 || fs[0].PrimaryID() != policy.RegistryID(string(st)) || fs[0].Kind != core.KindRegistry {
				t.Fatalf("%s: findings %+v", st, fs)
			}
			p := policy.Default()
			p.FailOnRegistry = failOn
			d := p.Evaluate(policy.Input{Findings: fs[:1], Now: time.Now()})
			if d.Results[0].Fails != st.Fails(failOn) {
				t.Errorf("%s fail_on_registry=%v: policy fails %v, registry.Status.Fails %v", st, failOn, d.Results[0].Fails, st.Fails(failOn))
			}
		}
	}
}
