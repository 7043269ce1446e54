package sbom

import (
	"slices"
	"testing"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/internal/lockfiletest"
)

// realFunction is a real Node function (Sequelize 5, pg, Express, AWS SDK
// v2 and v3, Apollo, Sentry...) installed by npm ci from its lockfile, with
// third-party code emptied (testdata/realfn/README.md).
const realFunction = "../testdata/realfn/orders-api.zip"

// TestRealFunctionListsEveryLockedPackage is issue 9's "the 354-package real
// function lists 354 packages" on our own real function: every package the
// shipped package-lock.json installs is listed, with its version and every
// path it is installed at, and nothing else, toposort-class 1.0.1 (whose
// package.json syft rejects) included.
func TestRealFunctionListsEveryLockedPackage(t *testing.T) {
	t.Parallel()
	want, err := lockfiletest.FromZip(realFunction, "package-lock.json", "/var/task/")
	if err != nil {
		t.Fatal(err)
	}
	if want.Keys < 300 || want.Paths["toposort-class@1.0.1"] == nil {
		t.Fatalf("fixture: %d lockfile entries, toposort-class 1.0.1 %v", want.Keys, want.Paths["toposort-class@1.0.1"])
	}
	s := generateZip(t, realFunction)
	var got []string
	for _, p := range s.Packages {
		if p.Ecosystem != EcosystemNPM || p.Declared || len(p.Paths) != 1 {
			t.Errorf("%s@%s: ecosystem %q declared %v paths %q", p.Name, p.Version, p.Ecosystem, p.Declared, p.Paths)
		}
		for _, path := range p.Paths {
			got = append(got, p.Name+"@"+p.Version+" "+path)
		}
		if p.Name == "toposort-class" && p.Evidence != core.EvidenceLenient {
			t.Errorf("toposort-class evidence %q, want %q", p.Evidence, core.EvidenceLenient)
		}
	}
	slices.Sort(got)
	checkSameEntries(t, got, want.Entries())
}

// checkSameEntries reports every entry missing or extra, then the counts.
func checkSameEntries(t *testing.T, got, want []string) {
	t.Helper()
	for _, w := range want {
		if _, ok := slices.BinarySearch(got, w); !ok {
			t.Errorf("missing %s", w)
		}
	}
	for _, g := range got {
		if _, ok := slices.BinarySearch(want, g); !ok {
			t.Errorf("listed, not in the lockfile: %s", g)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d packages listed, want the lockfile's %d", len(got), len(want))
	}
}
