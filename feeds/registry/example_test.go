package registry_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/feeds/registry"
)

// How scan and db update use the package: look up online (conditional on
// the cached snapshot), cache the answers, assess, apply the gate rule.
// Offline, Load replaces Lookup.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "registry-example")
	defer os.RemoveAll(dir)
	db := filepath.Join(dir, "advisories.db")
	osv := filepath.Join("..", "..", "testdata", "osv", "npm", "GHSA-35jh-r3h4-6jhm.json")
	if _, err := feeds.Import(ctx, db, []string{osv}); err != nil {
		fmt.Println(err)
		return
	}
	// A local registry answering the bytes npm gave on 2026-11-28.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "registry", "npm", r.URL.Path[1:]+".json"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	defer srv.Close()

	deployed := []registry.Coord{
		{Ecosystem: "npm", Name: "event-stream", Version: "3.3.6"},
		{Ecosystem: "npm", Name: "flatmap-stream", Version: "0.1.1"},
		{Ecosystem: "npm", Name: "lodash", Version: "4.17.15"},
	}
	store, _ := feeds.Open(db)
	previous, _ := registry.Load(ctx, store, deployed) // ETags for conditional requests
	store.Close()
	snap, err := registry.Lookup(ctx, deployed, registry.Options{
		BaseURLs: map[string]string{"npm": srv.URL}, // --registry npm=URL
		Previous: previous,
	})
	if err != nil {
		fmt.Println("exit 2:", err) // the cached snapshot stays as it was
		return
	}
	if err := registry.Save(ctx, db, snap, time.Now()); err != nil {
		fmt.Println("exit 2:", err)
		return
	}
	failOnRegistry := false
	for _, f := range registry.Assess(snap, deployed) {
		fmt.Printf("%s %s@%s %s (fails: %v): %s\n", f.Ecosystem, f.Name, f.Version, f.Status, f.Status.Fails(failOnRegistry), f.Message)
	}
	// Output:
	// npm event-stream@3.3.6 unpublished (fails: false): the version is no longer in the registry's version list (unpublished or deleted)
	// npm flatmap-stream@0.1.1 taken-down (fails: true): npm lists no version of this package any more (every version was removed)
}
