package feeds

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// Lookup is safe for concurrent use and answers the same under load.
func TestLookupConcurrent(t *testing.T) {
	db := importCorpus(t)
	s, err := Open(db, WithMaxConns(4))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	pkgs := corpusPackages(t)
	want := map[[2]string][]string{}
	for _, p := range pkgs {
		vs, err := s.Lookup(ctx, p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		want[p] = ids(vs)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 3 * len(pkgs) {
				p := pkgs[(i+g*7)%len(pkgs)]
				vs, err := s.Lookup(ctx, p[0], p[1])
				if err != nil {
					errs <- err.Error()
					return
				}
				if got := ids(vs); !reflect.DeepEqual(got, want[p]) {
					errs <- p[1] + ": " + reflect.ValueOf(got).String()
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// A store opened before an import keeps answering from the file it opened;
// a store opened after sees the new data.
func TestOpenStoreSurvivesReplacement(t *testing.T) {
	db := importCorpus(t)
	ctx := context.Background()
	old, err := Open(db, WithMaxConns(4))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	bl := writeRecord(t, t.TempDir(), "bl.yaml", "author: sec\nentries:\n  - purl: pkg:npm/debug\n    reason: test\n")
	if _, err := Import(ctx, db, []string{bl}); err != nil {
		t.Fatal(err)
	}
	// Concurrent lookups use all four connections: every one must still
	// be on the file the store opened.
	var wg sync.WaitGroup
	answers := make(chan string, 64)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			vs, err := old.Lookup(ctx, "npm", "debug")
			if err != nil {
				answers <- err.Error()
				return
			}
			answers <- strings.Join(ids(vs), ",")
		}()
	}
	wg.Wait()
	close(answers)
	for a := range answers {
		if a != "MAL-2025-46974" {
			t.Errorf("old store answered %q", a)
		}
	}
	cur, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close()
	vs, _ := cur.Lookup(ctx, "npm", "debug")
	if len(vs) != 2 {
		t.Errorf("new store: %v", ids(vs))
	}
	if filepath.Base(cur.Path()) != "advisories.db" || !filepath.IsAbs(cur.Path()) {
		t.Errorf("Path() = %s", cur.Path())
	}
}
