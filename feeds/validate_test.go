package feeds

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Issue 10.16: bad advisory data is refused or repaired at import.
func TestBadAdvisoryData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "advisories.db")
	importAt(t, db, t0, filepath.Join(corpusDir, "Go"))

	// A SEMVER event that is no version would close the range.
	for _, ev := range []string{`{"fixed": "not.a.version"}`, `{"last_affected": "1.2.x"}`, `{"introduced": "banana"}`, `{"limit": "latest"}`} {
		bad := writeRecord(t, filepath.Join(dir, "semver"), "GHSA-bad.json", `{"id": "GHSA-bad1-bad2-bad3", "modified": "2025-01-01T00:00:00Z",
			"affected": [{"package": {"ecosystem": "npm", "name": "left-pad"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, `+ev+`]}]}]}`)
		_, err := Import(ctx, db, []string{bad})
		if err == nil {
			t.Fatalf("SEMVER event %s accepted", ev)
		}
		checkOneLineError(t, err, bad, `record "GHSA-bad1-bad2-bad3"`, "is not a semantic version")
	}
	// Good SEMVER spellings still import.
	good := writeRecord(t, filepath.Join(dir, "good"), "GHSA-good.json", `{"id": "GHSA-good-good-good", "modified": "2025-01-01T00:00:00Z",
		"affected": [{"package": {"ecosystem": " npm ", "name": "left-pad"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.0-rc.1+build.5"}, {"limit": "*"}]}]}]}`)
	importAt(t, db, t0, good)

	// " npm " is stored as "npm": the lookup finds it and the stored
	// record's ecosystem is the canonical one the matcher compares.
	s := openT(t, db)
	vs, err := s.Lookup(ctx, "npm", "left-pad")
	if err != nil || len(vs) != 1 {
		t.Fatalf("lookup left-pad: %v, %v", ids(vs), err)
	}
	if eco := vs[0].GetAffected()[0].GetPackage().GetEcosystem(); eco != "npm" {
		t.Errorf("stored ecosystem %q, want npm", eco)
	}
}

// Issue 10.16: a record is withdrawn only once its withdrawal time has come.
func TestWithdrawnInTheFuture(t *testing.T) {
	now := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	v := &osvschema.Vulnerability{Id: "MAL-2026-1", Withdrawn: timestamppb.New(now.Add(24 * time.Hour))}
	if k := ClassifyAt(v, now); k != KindMalicious {
		t.Errorf("withdrawn tomorrow: %s, want malicious today", k)
	}
	if k := ClassifyAt(v, now.Add(25*time.Hour)); k != KindWithdrawn {
		t.Errorf("withdrawn yesterday: %s", k)
	}
	if k := ClassifyAt(v, now.Add(24*time.Hour)); k != KindWithdrawn {
		t.Errorf("at the withdrawal time: %s", k)
	}
	// Imported before the date, it stays matchable (the store only drops
	// records that were withdrawn when imported).
	dir := t.TempDir()
	db := filepath.Join(dir, "advisories.db")
	future := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	rec := writeRecord(t, dir, "MAL-2026-1.json", `{"id": "MAL-2026-1", "modified": "2026-01-01T00:00:00Z", "withdrawn": "`+future+`",
		"affected": [{"package": {"ecosystem": "npm", "name": "evil-pkg"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]}`)
	importAt(t, db, time.Now(), rec)
	s := openT(t, db)
	vs, err := s.Lookup(context.Background(), "npm", "evil-pkg")
	if err != nil || len(vs) != 1 || Classify(vs[0]) != KindMalicious {
		t.Errorf("record withdrawn in two days: %v, %v", ids(vs), err)
	}
	if !strings.HasPrefix(vs[0].GetId(), "MAL-") {
		t.Error(vs[0].GetId())
	}
}
