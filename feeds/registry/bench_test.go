package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// benchCoords returns 354 npm coordinates: every npm package of the corpus
// functions (testdata/functions/expected-packages.json), then generated
// names up to the size of a large Node.js function.
func benchCoords(b *testing.B) []Coord {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "functions", "expected-packages.json"))
	if err != nil {
		b.Fatal(err)
	}
	var fns map[string]struct {
		Packages []Coord `json:"packages"`
	}
	if err := json.Unmarshal(data, &fns); err != nil {
		b.Fatal(err)
	}
	seen := map[string]bool{}
	var cs []Coord
	for _, fn := range fns {
		for _, p := range fn.Packages {
			if p.Ecosystem == NPM && !seen[p.Name] {
				seen[p.Name] = true
				cs = append(cs, Coord{Ecosystem: NPM, Name: p.Name, Version: p.Version})
			}
		}
	}
	for i := 0; len(cs) < 354; i++ {
		cs = append(cs, Coord{Ecosystem: NPM, Name: fmt.Sprintf("bench-pkg-%03d", i), Version: "1.3.0"})
	}
	return cs
}

// BenchmarkLookupNPM354 asks a local registry with 50 ms of latency per
// request about 354 npm packages, with the default concurrency. Every
// package gets left-pad's recorded packument (11 KB). Target: < 2 s/op.
//
//	go test -run '^$' -bench LookupNPM354 -benchtime 3x ./feeds/registry/
func BenchmarkLookupNPM354(b *testing.B) {
	cs := benchCoords(b)
	body := fixture(b, "npm/left-pad.json")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	defer srv.Close()
	opts := Options{BaseURLs: map[string]string{NPM: srv.URL}}
	for b.Loop() {
		snap, err := Lookup(context.Background(), cs, opts)
		if err != nil {
			b.Fatal(err)
		}
		if len(snap.Packages) != 354 {
			b.Fatalf("%d packages", len(snap.Packages))
		}
	}
}
