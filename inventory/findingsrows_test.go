package inventory

import (
	"context"
	"testing"
)

// TestReplaceBatchStaleSnapshot: a rematch reads a batch's findings before
// its writing transaction; a scan recorded in between (here: one finding
// fixed) bumps the artifact's revision, so the write reads it again and
// diffs against what is really stored, not the stale read.
func TestReplaceBatchStaleSnapshot(t *testing.T) {
	c := loadCorpus(t)
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := openT(t, dsn)
		rec := corpusRecord(c, awsFn("es-fn"), "event-stream-reconstruction.zip", nil, t0, "gen-1")
		if len(rec.Findings) < 3 {
			t.Fatalf("fixture has %d findings, want 3 or more", len(rec.Findings))
		}
		mustRecord(t, s, rec)
		d := rec.Artifact.Digest

		b, err := prepareBatch([]FindingsUpdate{{ArtifactDigest: d, Generation: "gen-2", Findings: rec.Findings[1:]}})
		if err != nil {
			t.Fatal(err)
		}
		snap, err := s.readCurrent(ctx, s.db, b.digests, b.names)
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "snapshot rows", len(snap.rows[d]), len(rec.Findings))

		// Meanwhile a scan of the same artifact fixes the second finding.
		later := rec
		later.Run.At = t0.Add(1)
		later.Findings = append([]FindingRow{rec.Findings[0]}, rec.Findings[2:]...)
		mustRecord(t, s, later)

		diffs, err := s.replaceBatch(ctx, b, &snap)
		if err != nil {
			t.Fatal(err)
		}
		// Against what is stored now, the update brings back the second
		// finding and fixes the first; against the stale read it would
		// have fixed the first only.
		var added, fixed []string
		for _, f := range diffs[0].New {
			added = append(added, f.AdvisoryID+" "+f.Name)
		}
		for _, f := range diffs[0].Fixed {
			fixed = append(fixed, f.AdvisoryID+" "+f.Name)
		}
		eq(t, "new", added, []string{rec.Findings[1].AdvisoryID + " " + rec.Findings[1].Name})
		eq(t, "fixed", fixed, []string{rec.Findings[0].AdvisoryID + " " + rec.Findings[0].Name})
		got, err := s.readFindings(ctx, s.db, d)
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "current findings", len(got), len(rec.Findings)-1)
		for _, f := range got {
			if keyOf(f) == keyOf(rec.Findings[0]) {
				t.Errorf("fixed finding still current: %+v", f)
			}
		}
	})
}
