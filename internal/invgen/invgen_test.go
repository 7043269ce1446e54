package invgen

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/fnaudit/fnaudit/inventory"
)

func build(t *testing.T) (*inventory.Store, Stats) {
	t.Helper()
	corpus, err := CorpusNames("../../testdata/functions/expected-packages.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := inventory.Open(context.Background(), filepath.Join(t.TempDir(), "inv.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	st, err := Build(context.Background(), s, corpus, Options{Versions: 30, PackagesPerVersion: 120, Layers: 4, NamePool: 300, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	return s, st
}

func dump(t *testing.T, s *inventory.Store) []inventory.ArtifactPackages {
	var all []inventory.ArtifactPackages
	if err := s.RematchPackages(context.Background(), nil, func(a inventory.ArtifactPackages) error {
		all = append(all, a)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return all
}

func TestBuildDeterministic(t *testing.T) {
	s1, st := build(t)
	s2, _ := build(t)
	if st.Versions != 30 || st.Functions != 27 {
		t.Fatalf("stats %+v", st)
	}
	a, b := dump(t, s1), dump(t, s2)
	if len(a) != 27 { // the last three versions replaced three functions' first
		t.Errorf("%d deployed artifacts, want 27", len(a))
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("two builds with the same seed differ")
	}
	for _, art := range a {
		if n := len(art.Packages); n < 120 || n > 240 {
			t.Errorf("artifact %s: %d packages", art.Digest, n)
		}
	}
	corpus, _ := CorpusNames("../../testdata/functions/expected-packages.json")
	if len(corpus) < 100 || corpus[0].Ecosystem != "Go" {
		t.Errorf("corpus names: %d, first %+v", len(corpus), corpus[0])
	}
	if p := Pool(corpus, 300); len(p) != 300 || p[len(corpus)].Name != corpus[0].Name+"-1" {
		t.Errorf("pool: %d names, first variant %+v", len(p), p[len(corpus)])
	}
}
