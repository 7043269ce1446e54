package inventory

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/match"
)

// rematchWith runs Store.Rematch against the advisory database at dbPath,
// every finding failing the gate.
func rematchWith(t *testing.T, s *Store, dbPath string, full bool) RematchResult {
	t.Helper()
	db, err := feeds.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := s.Rematch(context.Background(), FeedsAdvisories(db), full, allFail)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// importedGeneration imports paths into the advisory database at dbPath
// and returns its generation.
func importedGeneration(t *testing.T, dbPath string, paths ...string) string {
	t.Helper()
	if _, err := feeds.Import(context.Background(), dbPath, paths); err != nil {
		t.Fatal(err)
	}
	db, err := feeds.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return db.Generation()
}

func allFail(fs []match.Finding) []string {
	out := make([]string, len(fs))
	for i := range out {
		out[i] = VerdictFail
	}
	return out
}

// TestRematchKeepsUnchanged: an import that edits only a record's summary
// gives the incremental rematch nothing to look at. One that edits what a
// match reads without changing the artifact's findings makes it look at the
// name and leave the rows as they are (no copy under the new generation),
// recording only that it was matched against it: the next rematch has
// nothing to look at. A record that does change the findings adds rows
// for them alone.
func TestRematchKeepsUnchanged(t *testing.T) {
	c := loadCorpus(t)
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := openT(t, dsn)
		mustRecord(t, s, corpusRecord(c, awsFn("api"), "node-app.zip", nil, t0, "gen-0"))
		dbPath := filepath.Join(t.TempDir(), "advisories.db")
		rematch := func(full bool) RematchResult { t.Helper(); return rematchWith(t, s, dbPath, full) }
		if _, err := feeds.Import(ctx, dbPath, []string{"../testdata/osv/npm"}); err != nil {
			t.Fatal(err)
		}
		first := rematch(true)
		if first.Artifacts != 1 || len(first.Changes) != 0 {
			t.Fatalf("full rematch of the recorded findings: %+v", first)
		}
		rows := count(t, s, "findings")

		// Edit one of the records node-app matches: summary and modified only.
		m := c["node-app.zip"].Matches.Against[0]
		raw, err := os.ReadFile(filepath.Join("../testdata/osv", m.Ecosystem, m.Advisories[0]+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var rec map[string]any
		if err := json.Unmarshal(raw, &rec); err != nil {
			t.Fatal(err)
		}
		importEdit := func(modified string) {
			t.Helper()
			rec["modified"] = modified
			edited, _ := json.Marshal(rec)
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, m.Advisories[0]+".json"), edited, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := feeds.Import(ctx, dbPath, []string{dir}); err != nil {
				t.Fatal(err)
			}
		}
		// An edit no match reads is no change: nothing is looked at.
		rec["summary"] = "edited upstream"
		importEdit("2099-01-01T00:00:00Z")
		if res := rematch(false); res.Full || len(res.Changed) != 0 || res.Artifacts != 0 {
			t.Errorf("rematch after a summary edit: %+v", res)
		}
		// One that a match reads but that affects no stored copy differently
		// (a version nobody carries) is looked at, and changes no row.
		affected := rec["affected"].([]any)[0].(map[string]any)
		affected["versions"] = append(slices.Clone(anySlice(affected["versions"])), "0.0.0-carried-by-nobody")
		importEdit("2099-01-02T00:00:00Z")
		res := rematch(false)
		if res.Full || len(res.Changed) != 1 || res.Changed[0].Name != m.Name || res.Artifacts != 1 || len(res.Changes) != 0 {
			t.Errorf("rematch after an edit: %+v", res)
		}
		eq(t, "findings rows after an edit", count(t, s, "findings"), rows)
		if again := rematch(false); again.Full || len(again.Changed) != 0 || again.Artifacts != 0 {
			t.Errorf("second rematch after an edit looked again: %+v", again)
		}

		// A new record on jws 3.2.3 (node-app carries it): a real change.
		jws := filepath.Join(t.TempDir(), "GHSA-test-jws0-0001.json")
		if err := os.WriteFile(jws, []byte(`{"schema_version": "1.3.0", "id": "GHSA-test-jws0-0001", "modified": "2020-01-01T00:00:00Z",
 "summary": "test advisory on jws", "affected": [{"package": {"ecosystem": "npm", "name": "jws"},
 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.2.4"}]}]}]}`), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := feeds.Import(ctx, dbPath, []string{jws}); err != nil {
			t.Fatal(err)
		}
		res = rematch(false)
		if len(res.Changes) != 1 || len(res.Changes[0].New) != 1 || res.Changes[0].New[0].AdvisoryID != "GHSA-test-jws0-0001" {
			t.Fatalf("rematch after a new record: %+v", res)
		}
		if n := count(t, s, "findings"); n <= rows {
			t.Errorf("findings rows %d after a change, were %d: not stored under the new generation", n, rows)
		}
		if again := rematch(false); len(again.Changed) != 0 || again.Artifacts != 0 {
			t.Errorf("rematch after the change looked again: %+v", again)
		}
	})
}

// anySlice is a JSON array as decoded into any (nil when absent).
func anySlice(v any) []any {
	a, _ := v.([]any)
	return a
}
