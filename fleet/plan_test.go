package fleet_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fnaudit/fnaudit/fleet"
	"github.com/fnaudit/fnaudit/fleet/fleettest"
	"github.com/fnaudit/fnaudit/fleet/manifest"
)

func findingIDs(fs []fleet.FindingLine) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Function+" "+f.AdvisoryID+" "+f.Package+"@"+f.Version)
	}
	slices.Sort(out)
	return out
}

// TestFleetEmbedded: a manifest fleet on the embedded store; the second run
// downloads nothing and re-matches every stored SBOM; replacing one zip
// rescans only that function and lists exactly its new and fixed findings.
func TestFleetEmbedded(t *testing.T) {
	ctx := context.Background()
	n := fleetSize(200)
	fl := buildFleet(t, n)
	e := openEngine(t)
	st := openStore(t, filepath.Join(t.TempDir(), "inventory.db"))
	src := manifest.Source{Path: fl.Manifest}

	p1 := newPlanner(t, e, st)
	sum1, _ := fleet.ScanFleet(ctx, src, p1, 4)
	if sum1.Errors != 0 || sum1.Listed != n || sum1.Scanned != n || sum1.Unchanged != 0 {
		t.Fatalf("first run: %+v; errors: %+v", counts(sum1), sum1.Errored())
	}
	// n code zips, and each layer used (20, or n when fewer) fetched once.
	if got, want := p1.Fetcher.Stats().Downloads, int64(n+min(n, 20)); got != want {
		t.Fatalf("first run fetched %d files, want %d", got, want)
	}
	if len(sum1.New) == 0 || len(sum1.Fixed) != 0 || len(sum1.StillOpen) != 0 {
		t.Fatalf("first run findings: %d new, %d fixed, %d still open", len(sum1.New), len(sum1.Fixed), len(sum1.StillOpen))
	}

	p2 := newPlanner(t, e, st)
	sum2, _ := fleet.ScanFleet(ctx, src, p2, 4)
	if sum2.Errors != 0 || sum2.Unchanged != n || sum2.Scanned != 0 {
		t.Fatalf("second run: %+v", counts(sum2))
	}
	if got := p2.Fetcher.Stats().Downloads; got != 0 {
		t.Fatalf("second run fetched %d files, want 0", got)
	}
	if len(sum2.New) != 0 || len(sum2.Fixed) != 0 || len(sum2.StillOpen) != len(sum1.New) {
		t.Fatalf("second run findings: %d new, %d fixed, %d still open (first run had %d)", len(sum2.New), len(sum2.Fixed), len(sum2.StillOpen), len(sum1.New))
	}
	if sum2.Failing != sum1.Failing {
		t.Fatalf("gate: first run %d failing, second %d", sum1.Failing, sum2.Failing)
	}

	// Replace fn-000 (node-app variant): lodash 4.17.15 → 4.17.21 fixes the
	// lodash advisories; nothing else changes.
	target := fl.Code[0]
	if err := fleettest.Rewrite(filepath.Join(functionsDir, "node-app.zip"), target,
		map[string][2]string{"node_modules/lodash/package.json": {`"version": "4.17.15"`, `"version": "4.17.21"`}},
		map[string]string{"fleet-variant.txt": "replaced"}); err != nil {
		t.Fatal(err)
	}
	p3 := newPlanner(t, e, st)
	sum3, _ := fleet.ScanFleet(ctx, src, p3, 4)
	if sum3.Errors != 0 || sum3.Scanned != 1 || sum3.Unchanged != n-1 {
		t.Fatalf("third run: %+v", counts(sum3))
	}
	if got := p3.Fetcher.Stats().Downloads; got != 2 { // the new zip and its layer
		t.Fatalf("third run fetched %d files, want 2", got)
	}
	wantFixed := []string{}
	for _, f := range sum1.New {
		if f.Function == fl.Names[0] || f.Function == "123456789012/eu-west-1/"+fl.Names[0] {
			if f.Package == "lodash" {
				wantFixed = append(wantFixed, f.Function+" "+f.AdvisoryID+" "+f.Package+"@"+f.Version)
			}
		}
	}
	slices.Sort(wantFixed)
	// The corpus advisories on lodash 4.17.15 that 4.17.21 fixes.
	if want := []string{
		"123456789012/eu-west-1/fn-000 GHSA-35jh-r3h4-6jhm lodash@4.17.15",
		"123456789012/eu-west-1/fn-000 GHSA-p6mc-m468-83gw lodash@4.17.15",
	}; !slices.Equal(wantFixed, want) {
		t.Fatalf("fn-000's lodash findings in the first run = %q, want %q", wantFixed, want)
	}
	if got := findingIDs(sum3.Fixed); !slices.Equal(got, wantFixed) {
		t.Fatalf("fixed = %q, want %q", got, wantFixed)
	}
	if len(sum3.New) != 0 {
		t.Fatalf("new = %q, want none", findingIDs(sum3.New))
	}
	t.Logf("run 1: %s", counts(sum1))
	t.Logf("run 3 fixed: %q", findingIDs(sum3.Fixed))
}

func counts(s *fleet.Summary) string {
	var b []byte
	b = append(b, []byte(
		"listed="+itoa(s.Listed)+" unchanged="+itoa(s.Unchanged)+" scanned="+itoa(s.Scanned)+
			" failing="+itoa(s.Failing)+" errors="+itoa(s.Errors)+" new="+itoa(len(s.New))+" fixed="+itoa(len(s.Fixed))+
			" still="+itoa(len(s.StillOpen)))...)
	return string(b)
}

func itoa(i int) string { return fmtInt(i) }
