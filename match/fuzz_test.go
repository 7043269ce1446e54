package match

import (
	"strings"
	"testing"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
)

var fuzzEcosystems = []string{"npm", "PyPI", "Maven", "Go", "NuGet", "RubyGems", "crates.io", "Packagist", "Debian", "Alpine"}

// FuzzRangeEvaluator checks the OSV event walk against the interval it
// describes, for any versions in any ecosystem: with introduced a below
// fixed b, a version is affected exactly when a <= v < b, whatever the
// order of the events; with last_affected b, when a <= v <= b; and the
// fixed-in advice for an affected version is b. Nothing may panic.
func FuzzRangeEvaluator(f *testing.F) {
	f.Add(uint8(0), "1.0.0", "1.2.0", "1.1.0", false)
	f.Add(uint8(1), "0", "2022.12.07", "2022.9.24", true)
	f.Add(uint8(1), "1.0rc1", "1.0.post1", "1.0", false)
	f.Add(uint8(2), "2.13.0", "2.13.4.1", "2.13.4", false)
	f.Add(uint8(3), "0", "0.0.0-20210520170846-37e1c6afe023", "v0.0.0-20210226172049-e18ecbb05110", true)
	f.Add(uint8(3), "1.26.0-0", "1.26.6", "go1.26.8", false)
	f.Add(uint8(8), "1:1.0-1", "1:1.2-1", "1:1.1-3", false)
	f.Add(uint8(9), "1.2.3-r0", "1.2.4-r1", "1.2.4_rc1-r0", true)
	f.Fuzz(func(t *testing.T, ecoSel uint8, a, b, v string, lastAffected bool) {
		if strings.TrimSpace(a) == "" || strings.TrimSpace(b) == "" {
			return // an empty event is no event: not the interval under test
		}
		eco := fuzzEcosystems[int(ecoSel)%len(fuzzEcosystems)]
		name := "pkg"
		if eco == "Go" && len(v) > 2 && v[:2] == "go" {
			name = GoStdlib
		}
		iv := newInstalled(eco, name, v)
		closer := "f:" + b
		if lastAffected {
			closer = "l:" + b
		}
		for _, typ := range []osvschema.Range_Type{ecoT, semverT} {
			fwd := affected(eco, name, nil, rng(typ, "i:"+a, closer))
			rev := affected(eco, name, nil, rng(typ, closer, "i:"+a))
			got, err := affects(fwd, iv)
			gotRev, errRev := affects(rev, iv)
			if (err == nil) != (errRev == nil) || got != gotRev {
				t.Fatalf("%s %s: event order changed the answer: %v %v / %v %v", eco, typ, got, err, gotRev, errRev)
			}
			if err != nil {
				continue
			}
			// The oracle: compare v with the bounds directly.
			va, errA := parseVersion(typ, eco, a)
			vb, errB := parseVersion(typ, eco, b)
			vv, errV := iv.version(typ)
			if strings.TrimSpace(a) == "0" {
				va, errA = nil, nil
			}
			if errA != nil || errB != nil || errV != nil {
				continue
			}
			if va != nil && compare(va, vb) >= 0 {
				continue // not an interval
			}
			geA := va == nil || compare(vv, va) >= 0
			var want bool
			if lastAffected {
				want = geA && compare(vv, vb) <= 0
			} else {
				want = geA && compare(vv, vb) < 0
			}
			if got != want {
				t.Fatalf("%s %s [%q, %q) lastAffected=%v, v=%q: got %v, want %v", eco, typ, a, b, lastAffected, v, got, want)
			}
			if typ == ecoT && got && !lastAffected {
				if fix := fixedIn(iv, name, [][]*osvschema.Affected{{fwd}}); fix != strings.TrimSpace(b) {
					t.Fatalf("%s [%q, %q) v=%q: fixedIn %q, want %q", eco, a, b, v, fix, b)
				}
			}
		}
	})
}
