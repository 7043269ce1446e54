package inventory

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestRecordScansBatch: records of one batch share a transaction, but one
// that fails is rolled back alone (its savepoint) and the others commit; a
// run already recorded, even earlier in the same batch, is a duplicate.
func TestRecordScansBatch(t *testing.T) {
	c := loadCorpus(t)
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openT(t, dsn)
		api := corpusRecord(c, awsFn("api"), "node-app.zip", []string{"node-layer.zip"}, t0, "gen-1")
		es := corpusRecord(c, awsFn("es-fn"), "event-stream-reconstruction.zip", nil, t0, "gen-1")
		invalid := corpusRecord(c, awsFn("bad"), "python-app.zip", nil, t0, "gen-1")
		invalid.Run.Result = "maybe"
		// PostgreSQL refuses a NUL in text: a failure inside the transaction.
		nul := corpusRecord(c, awsFn("nul"), "python-app.zip", nil, t0, "gen-1")
		nul.Function.ARN = "arn:\x00"
		out, errs, err := s.RecordScans(context.Background(), []ScanRecord{api, invalid, es, api, nul})
		if err != nil {
			t.Fatal(err)
		}
		if errs[0] != nil || errs[2] != nil || errs[3] != nil || !errors.Is(errs[1], ErrInvalidRecord) {
			t.Fatalf("errs %v", errs)
		}
		if out[0].Duplicate || out[2].Duplicate || !out[3].Duplicate || out[3].RunKey != out[0].RunKey {
			t.Errorf("recorded %+v", out)
		}
		runs := 2
		if s.backend == BackendPostgres {
			if errs[4] == nil {
				t.Error("a NUL in PostgreSQL text was stored")
			}
		} else if errs[4] == nil {
			runs = 3
		}
		eq(t, "scan runs", count(t, s, "scan_runs"), runs)
		eq(t, "functions", count(t, s, "functions"), runs)
		// The batch is the same as recording one by one.
		if r := mustRecord(t, s, es); !r.Duplicate {
			t.Error("es recorded twice")
		}
	})
}

// TestUnchangedFindingsNotRewritten: a later run of the same artifact and
// generation with the same findings leaves the stored rows as they are (on
// PostgreSQL: the rows' inserting transaction, xmin, does not change); one
// with other findings replaces them.
func TestUnchangedFindingsNotRewritten(t *testing.T) {
	c := loadCorpus(t)
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openT(t, dsn)
		ctx := context.Background()
		rec := corpusRecord(c, awsFn("es-fn"), "event-stream-reconstruction.zip", nil, t0, "gen-1")
		if len(rec.Findings) < 2 {
			t.Fatalf("fixture has %d findings, want 2 or more", len(rec.Findings))
		}
		mustRecord(t, s, rec)
		xmin := func() string {
			if s.backend != BackendPostgres {
				return ""
			}
			var x string
			if err := s.db.QueryRowContext(ctx, `SELECT string_agg(xmin::text, ',' ORDER BY advisory_id) FROM findings`).Scan(&x); err != nil {
				t.Fatal(err)
			}
			return x
		}
		before, n := xmin(), count(t, s, "findings")
		rec.Run.At = t0.Add(time.Hour) // another run, same artifact, generation and findings
		mustRecord(t, s, rec)
		eq(t, "findings rows", count(t, s, "findings"), n)
		eq(t, "findings rows' transactions", xmin(), before)

		rec.Run.At = t0.Add(2 * time.Hour)
		rec.Findings = rec.Findings[1:]
		mustRecord(t, s, rec)
		eq(t, "findings after one was fixed", count(t, s, "findings"), n-1)
		got, err := s.readFindings(ctx, s.db, rec.Artifact.Digest)
		if err != nil {
			t.Fatal(err)
		}
		want := append([]FindingRow{}, rec.Findings...)
		sortFindings(want)
		for i := range want {
			want[i].Aliases = storedAliases(want[i].Aliases)
		}
		eq(t, "stored findings", len(got), len(want))
		for i := range got {
			if storedFindingKey(got[i]) != storedFindingKey(want[i]) {
				t.Errorf("finding %d: %+v, want %+v", i, got[i], want[i])
			}
		}
	})
}

// TestRecordScanThen: then runs inside the recording transaction; its
// error rolls the record back; after a duplicate it still runs.
func TestRecordScanThen(t *testing.T) {
	c := loadCorpus(t)
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openT(t, dsn)
		ctx := context.Background()
		rec := corpusRecord(c, awsFn("api"), "node-app.zip", []string{"node-layer.zip"}, t0, "gen-1")
		boom := errors.New("boom")
		if _, err := s.RecordScanThen(ctx, rec, func(context.Context, any) error { return boom }); err == nil {
			t.Fatal("then's error was not returned")
		}
		eq(t, "scan runs after then failed", count(t, s, "scan_runs"), 0)
		eq(t, "artifacts after then failed", count(t, s, "artifacts"), 0)
		calls := 0
		then := func(_ context.Context, dc any) error {
			if dc == nil {
				t.Error("no driver connection")
			}
			calls++
			return nil
		}
		if r, err := s.RecordScanThen(ctx, rec, then); err != nil || r.Duplicate {
			t.Fatalf("%+v %v", r, err)
		}
		if r, err := s.RecordScanThen(ctx, rec, then); err != nil || !r.Duplicate {
			t.Fatalf("%+v %v", r, err)
		}
		eq(t, "then calls", calls, 2)
		eq(t, "scan runs", count(t, s, "scan_runs"), 1)
	})
}
