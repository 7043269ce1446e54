package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/inventory"
	"github.com/fnaudit/fnaudit/report"
)

// TestInvestigateNoProvenance: `investigate --no-provenance` keeps only the
// function versions whose provenance was not verified. Two functions deploy
// the event-stream reconstruction: "plain" recorded by `scan --record`
// (provenance not checked), "signed" recorded from the same scan's report
// with its provenance verified (what `scan --provenance` records for a
// signed artifact). Both by package and by advisory.
func TestInvestigateNoProvenance(t *testing.T) {
	t.Parallel()
	db := corpusDB(t)
	dsn := freshInventory(t, "sqlite")
	es := filepath.Join(functionsDir, "event-stream-reconstruction.zip")
	recordScans(t, db, dsn, map[string][]string{"plain": {es}}, map[string]int{"plain": 1})

	code, out, errs := runCLI(t, append(append([]string{}, db...), "scan", "-o", "json", es)...)
	var rep report.Report
	if code != 1 || json.Unmarshal([]byte(out), &rep) != nil {
		t.Fatalf("scan: exit %d %s", code, errs)
	}
	rep.Provenance = &report.Provenance{Required: true, Verified: true, Detail: "verified"}
	fdb, err := feeds.Open(db[1])
	if err != nil {
		t.Fatal(err)
	}
	gen := fdb.Generation()
	fdb.Close()
	ctx := context.Background()
	s, err := inventory.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	rec := inventory.FromReport(&rep, inventory.Identity{Function: inventory.Function{FunctionRef: inventory.FunctionRef{
		Source: "local", Name: "signed"}}, At: time.Now()}, gen)
	if rec.Version.Provenance != inventory.ProvenanceVerified {
		t.Fatalf("record provenance %q", rec.Version.Provenance)
	}
	if _, err := s.RecordScan(ctx, rec); err != nil {
		t.Fatal(err)
	}
	s.Close()

	names := func(hits []hitJSON) []string {
		var out []string
		for _, h := range hits {
			out = append(out, h.Name+" "+h.Path)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	const path = "/var/task/node_modules/flatmap-stream"
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"npm/flatmap-stream"}, []string{"plain " + path, "signed " + path}},
		{[]string{"npm/flatmap-stream", "--no-provenance"}, []string{"plain " + path}},
		{[]string{"--advisory", "GHSA-mh6f-8j2x-4483"}, []string{"plain " + path, "plain /var/task/node_modules/event-stream",
			"signed " + path, "signed /var/task/node_modules/event-stream"}},
		{[]string{"--advisory", "GHSA-mh6f-8j2x-4483", "--no-provenance"},
			[]string{"plain " + path, "plain /var/task/node_modules/event-stream"}},
	} {
		code, hits, errs := investigateJSON(t, db, dsn, c.args...)
		want := slices.Sorted(slices.Values(c.want))
		if code != 1 || !slices.Equal(names(hits), want) {
			t.Errorf("investigate %v: exit %d, %v, want %v %s", c.args, code, names(hits), want, errs)
		}
	}
}
