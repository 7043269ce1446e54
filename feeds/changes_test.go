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
// records it inserted, changed (in what a match reads) or removed;
// importing the same data again, or an edit only of summary, details,
// references and modified time, names none; an unknown generation is
// ErrUnknownGeneration.
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
	// An edit no match can see (summary, details, references, a newer
	// modified time) names none; one that changes what is affected, or the
	// severity, names the package.
	for _, c := range []struct {
		what, record string
		want         []NameKey
	}{
		{"summary, details, references and modified", `{"id": "GHSA-test-jws0-0001", "modified": "2021-01-01T00:00:00Z",
			"summary": "reworded", "details": "more", "references": [{"type": "WEB", "url": "https://example.com/a"}],
			"affected": [{"package": {"ecosystem": "npm", "name": "JWS"}, "versions": ["3.2.3"]}]}`, nil},
		{"affected versions", `{"id": "GHSA-test-jws0-0001", "modified": "2022-01-01T00:00:00Z", "summary": "reworded",
			"affected": [{"package": {"ecosystem": "npm", "name": "JWS"}, "versions": ["3.2.3", "3.2.4"]}]}`, []NameKey{{"npm", "jws"}}},
		{"severity label", `{"id": "GHSA-test-jws0-0001", "modified": "2023-01-01T00:00:00Z", "summary": "reworded",
			"database_specific": {"severity": "HIGH"},
			"affected": [{"package": {"ecosystem": "npm", "name": "JWS"}, "versions": ["3.2.3", "3.2.4"]}]}`, []NameKey{{"npm", "jws"}}},
		{"aliases", `{"id": "GHSA-test-jws0-0001", "modified": "2024-01-01T00:00:00Z", "summary": "reworded",
			"aliases": ["CVE-2099-0001"], "database_specific": {"severity": "HIGH"},
			"affected": [{"package": {"ecosystem": "npm", "name": "JWS"}, "versions": ["3.2.3", "3.2.4"]}]}`, []NameKey{{"npm", "jws"}}},
	} {
		before := generation()
		os.WriteFile(rec, []byte(c.record), 0o644)
		st, err := Import(ctx, db, []string{rec})
		if err != nil {
			t.Fatal(err)
		}
		if st.Replaced != 1 {
			t.Fatalf("%s: import %+v, want the record replaced", c.what, st)
		}
		if got, err := changed(before); err != nil || !slices.Equal(got, c.want) && len(got)+len(c.want) > 0 {
			t.Errorf("ChangedSince after an edit of %s = %v, %v; want %v", c.what, got, err, c.want)
		}
	}
	if got, err := changed(generation()); err != nil || len(got) != 0 {
		t.Errorf("ChangedSince(current) = %v, %v", got, err)
	}
	if _, err := changed("0123"); !errors.Is(err, ErrUnknownGeneration) {
		t.Errorf("ChangedSince(unknown) err = %v", err)
	}
}
