package fleet_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/fnaudit/fnaudit/fleet"
	"github.com/fnaudit/fnaudit/fleet/manifest"
	"github.com/fnaudit/fnaudit/policy"
)

// TestFleetEOLRuntimeGate: a deprecated runtime is reported, and counts
// against the gate only with fail_on_eol_runtime: true.
func TestFleetEOLRuntimeGate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	mf := filepath.Join(dir, "m.yaml")
	abs, _ := filepath.Abs(filepath.Join(functionsDir, "python-layer.zip"))
	if err := os.WriteFile(mf, []byte("functions:\n  - name: legacy\n    code: "+abs+"\n    runtime: python3.8\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := openEngine(t)
	st := openStore(t, filepath.Join(t.TempDir(), "inventory.db"))
	sum, _ := fleet.ScanFleet(ctx, manifest.Source{Path: mf}, newPlanner(t, e, st), 1)
	if sum.Errors != 0 || len(sum.EOLRuntimes) != 1 || sum.EOLRuntimes[0].Runtime != "python3.8" {
		t.Fatalf("default policy: %s, eol %+v, errors %+v", counts(sum), sum.EOLRuntimes, sum.Errored())
	}
	base := sum.Functions[0].Failing
	p := newPlanner(t, e, st)
	pol, err := policy.Parse([]byte("fail_on_eol_runtime: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	p.Policy = pol
	sum2, _ := fleet.ScanFleet(ctx, manifest.Source{Path: mf}, p, 1)
	if f := sum2.Functions[0]; f.Failing != base+1 || f.Gate != fleet.GateFail || sum2.Failing != 1 {
		t.Fatalf("fail_on_eol_runtime: %+v (default policy: %d failing)", f, base)
	}
}
