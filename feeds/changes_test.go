package feeds

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestChangedSince: an import names exactly the package names of the
// records it inserted, changed or removed; importing the same data again
// names none; an unknown generation is ErrUnknownGeneration.
func TestChangedSince(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	generation := func() string {
		s, err := Open(db)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		return s.Generation()
	}
	changed := func(since string) ([]NameKey, error) {
		s, err := Open(db)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		return s.ChangedSince(ctx, since)
	}
	corpus := filepath.Join("..", "testdata", "osv", "npm")
	if _, err := Import(ctx, db, []string{corpus}); err != nil {
		t.Fatal(err)
	}
	g1 := generation()
	rec := filepath.Join(dir, "GHSA-test-jws0-0001.json")
	os.WriteFile(rec, []byte(`{"id": "GHSA-test-jws0-0001", "modified": "2020-01-01T00:00:00Z",
		"affected": [{"package": {"ecosystem": "npm", "name": "JWS"}, "versions": ["3.2.3"]}]}`), 0o644)
	if _, err := Import(ctx, db, []string{rec}); err != nil {
		t.Fatal(err)
	}
	g2 := generation()
	if got, err := changed(g1); err != nil || !slices.Equal(got, []NameKey{{"npm", "jws"}}) {
		t.Errorf("ChangedSince(first import) = %v, %v; want npm/jws", got, err)
	}
	if _, err := Import(ctx, db, []string{corpus, rec}); err != nil {
		t.Fatal(err)
	}
	if got, err := changed(g2); err != nil || len(got) != 0 {
		t.Errorf("ChangedSince after re-importing the same records = %v, %v; want none", got, err)
	}
	if got, err := changed(generation()); err != nil || len(got) != 0 {
		t.Errorf("ChangedSince(current) = %v, %v", got, err)
	}
	if _, err := changed("0123"); !errors.Is(err, ErrUnknownGeneration) {
		t.Errorf("ChangedSince(unknown) err = %v", err)
	}
}
