package match

import (
	"errors"
	"strings"
	"testing"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
)

// rng builds a range from events written "i:1.0" (introduced), "f:"
// (fixed), "l:" (last_affected), "x:" (limit).
func rng(t osvschema.Range_Type, evs ...string) *osvschema.Range {
	r := &osvschema.Range{Type: t}
	for _, e := range evs {
		k, v, _ := strings.Cut(e, ":")
		ev := &osvschema.Event{}
		switch k {
		case "i":
			ev.Introduced = v
		case "f":
			ev.Fixed = v
		case "l":
			ev.LastAffected = v
		case "x":
			ev.Limit = v
		}
		r.Events = append(r.Events, ev)
	}
	return r
}

func affected(eco, name string, versions []string, ranges ...*osvschema.Range) *osvschema.Affected {
	return &osvschema.Affected{Package: &osvschema.Package{Ecosystem: eco, Name: name}, Versions: versions, Ranges: ranges}
}

const (
	semverT = osvschema.Range_SEMVER
	ecoT    = osvschema.Range_ECOSYSTEM
	gitT    = osvschema.Range_GIT
)

func TestAffects(t *testing.T) {
	cases := []struct {
		name    string
		eco     string
		pkg     string
		a       *osvschema.Affected
		version string
		want    bool
	}{
		{"introduced 0", "npm", "x", affected("npm", "x", nil, rng(semverT, "i:0")), "0.0.1", true},
		{"below fix", "npm", "x", affected("npm", "x", nil, rng(semverT, "i:0", "f:1.2.0")), "1.1.9", true},
		{"at fix", "npm", "x", affected("npm", "x", nil, rng(semverT, "i:0", "f:1.2.0")), "1.2.0", false},
		{"pre-release of fix", "npm", "x", affected("npm", "x", nil, rng(semverT, "i:0", "f:1.2.0")), "1.2.0-rc.1", true},
		{"below introduced", "npm", "x", affected("npm", "x", nil, rng(semverT, "i:1.0.0", "f:1.2.0")), "0.9.9", false},
		{"at introduced", "npm", "x", affected("npm", "x", nil, rng(semverT, "i:1.0.0", "f:1.2.0")), "1.0.0", true},
		{"at last_affected", "npm", "x", affected("npm", "x", nil, rng(ecoT, "i:0", "l:2.0.0")), "2.0.0", true},
		{"above last_affected", "npm", "x", affected("npm", "x", nil, rng(ecoT, "i:0", "l:2.0.0")), "2.0.1", false},
		{"two intervals, in second", "npm", "x", affected("npm", "x", nil, rng(semverT, "i:1.0.0", "f:1.0.2", "i:3.0.0", "f:3.2.5")), "3.1.0", true},
		{"two intervals, between", "npm", "x", affected("npm", "x", nil, rng(semverT, "i:1.0.0", "f:1.0.2", "i:3.0.0", "f:3.2.5")), "2.0.0", false},
		{"unsorted events", "npm", "x", affected("npm", "x", nil, rng(semverT, "f:3.2.5", "i:3.0.0", "f:1.0.2", "i:1.0.0")), "1.0.1", true},
		{"unsorted events, between", "npm", "x", affected("npm", "x", nil, rng(semverT, "f:3.2.5", "i:3.0.0", "f:1.0.2", "i:1.0.0")), "2.5.0", false},
		{"second range", "npm", "x", affected("npm", "x", nil, rng(ecoT, "i:0", "f:1.0.0"), rng(ecoT, "i:2.0.0", "f:2.1.0")), "2.0.5", true},
		{"limit above", "npm", "x", affected("npm", "x", nil, rng(semverT, "i:1.0.0", "x:2.0.0")), "1.5.0", true},
		{"limit at", "npm", "x", affected("npm", "x", nil, rng(semverT, "i:1.0.0", "x:2.0.0")), "2.0.0", false},
		{"limit star", "npm", "x", affected("npm", "x", nil, rng(semverT, "i:1.0.0", "x:*")), "9.0.0", true},
		{"versions list", "npm", "x", affected("npm", "x", []string{"6.2.1"}), "6.2.1", true},
		{"versions list, other", "npm", "x", affected("npm", "x", []string{"6.2.1"}), "6.2.0", false},
		{"git range ignored", "PyPI", "x", affected("PyPI", "x", nil, rng(gitT, "i:abc", "f:def")), "1.0", false},
		{"git range then ecosystem", "PyPI", "x", affected("PyPI", "x", nil, rng(gitT, "i:abc", "f:def"), rng(ecoT, "i:0", "f:1.1")), "1.0", true},
		// PEP 440: 1.0rc1 < 1.0 < 1.0.post1; a.b.c strings compare wrongly.
		{"pypi rc before release", "PyPI", "x", affected("PyPI", "x", nil, rng(ecoT, "i:0", "f:1.0")), "1.0rc1", true},
		{"pypi post after release", "PyPI", "x", affected("PyPI", "x", nil, rng(ecoT, "i:0", "f:1.0")), "1.0.post1", false},
		{"pypi numeric calendar", "PyPI", "certifi", affected("PyPI", "certifi", nil, rng(ecoT, "i:0", "f:2022.12.07")), "2022.9.24", true},
		// Maven: 2.13.4 < 2.13.4.1, and -jre qualifiers.
		{"maven four parts", "Maven", "g:a", affected("Maven", "g:a", nil, rng(ecoT, "i:2.13.0", "f:2.13.4.1")), "2.13.4", true},
		{"maven qualifier", "Maven", "g:a", affected("Maven", "g:a", nil, rng(ecoT, "i:1.0", "f:32.0.0-android")), "31.1-jre", true},
		// Go: the SBOM's "v" and the toolchain tag.
		{"go module v", "Go", "golang.org/x/text", affected("Go", "golang.org/x/text", nil, rng(semverT, "i:0", "f:0.3.8")), "v0.3.5", true},
		{"go pseudo-version", "Go", "golang.org/x/net", affected("Go", "golang.org/x/net", nil, rng(semverT, "i:0", "f:0.0.0-20210520170846-37e1c6afe023")), "v0.0.0-20210226172049-e18ecbb05110", true},
		{"go stdlib tag fixed", "Go", "stdlib", affected("Go", "stdlib", nil, rng(semverT, "i:0", "f:1.25.13", "i:1.26.0-0", "f:1.26.6")), "go1.26.8", false},
		{"go stdlib tag affected", "Go", "stdlib", affected("Go", "stdlib", nil, rng(semverT, "i:0", "f:1.25.13", "i:1.26.0-0", "f:1.26.6")), "go1.26.5", true},
		{"go stdlib rc", "Go", "stdlib", affected("Go", "stdlib", nil, rng(semverT, "i:1.27.0-0", "f:1.27.0-rc.3")), "go1.27rc2", true},
		{"nuget", "NuGet", "Newtonsoft.Json", affected("NuGet", "Newtonsoft.Json", nil, rng(ecoT, "i:0", "f:13.0.1")), "12.0.3", true},
		{"rubygems pre", "RubyGems", "nokogiri", affected("RubyGems", "nokogiri", nil, rng(ecoT, "i:0", "f:1.13.4")), "1.13.4.rc1", true},
	}
	for _, c := range cases {
		got, err := affects(c.a, newInstalled(c.eco, c.pkg, c.version))
		if err != nil || got != c.want {
			t.Errorf("%s: %s %s: got %v, %v; want %v", c.name, c.pkg, c.version, got, err, c.want)
		}
	}
}

func TestAffectsUndecidable(t *testing.T) {
	a := affected("npm", "x", nil, rng(semverT, "i:0", "f:1.0.0"))
	if _, err := affects(a, newInstalled("npm", "x", "")); !errors.Is(err, errNoVersion) {
		t.Errorf("no version: err %v, want errNoVersion", err)
	}
	// Every version is decidable without one.
	if got, err := affects(affected("npm", "x", nil, rng(semverT, "i:0")), newInstalled("npm", "x", "")); !got || err != nil {
		t.Errorf("introduced 0 without version: %v %v", got, err)
	}
	// An event that is no version of the ecosystem is the record's fault.
	bad := affected("Debian", "x", nil, rng(ecoT, "i:0", "f:x:1.0"))
	if _, err := affects(bad, newInstalled("Debian", "x", "1.0-1")); err == nil || !strings.Contains(err.Error(), `fixed "x:1.0"`) {
		t.Errorf("bad event: err %v", err)
	}
	// An ecosystem without an ordering: explicit versions still work.
	if got, err := affects(affected("Echo", "x", []string{"1.0"}, rng(ecoT, "i:0", "f:2.0")), newInstalled("Echo", "x", "1.0")); !got || err != nil {
		t.Errorf("versions list in an unordered ecosystem: %v %v", got, err)
	}
	if _, err := affects(affected("Echo", "x", nil, rng(ecoT, "i:0", "f:2.0")), newInstalled("Echo", "x", "1.5")); err == nil {
		t.Error("range in an unordered ecosystem decided")
	}
}

func TestOSVVersion(t *testing.T) {
	cases := []struct {
		eco, name, in, out string
		ok                 bool
	}{
		{"Go", "golang.org/x/net", "v0.0.0-20210226172049-e18ecbb05110", "0.0.0-20210226172049-e18ecbb05110", true},
		{"Go", "golang.org/x/text", "0.3.5", "0.3.5", true},
		{"Go", "example.com/m", "(devel)", "(devel)", false},
		{"Go", "stdlib", "go1.26.8", "1.26.8", true},
		{"Go", "stdlib", "go1.21", "1.21.0", true},
		{"Go", "stdlib", "go1.21rc2", "1.21.0-rc.2", true},
		{"Go", "stdlib", "go1.19beta1", "1.19.0-beta.1", true},
		{"Go", "stdlib", "go1.26.8 X:boringcrypto", "1.26.8", true},
		{"Go", "stdlib", "devel +abc", "devel", false},
		{"npm", "x", " 1.0.0 ", "1.0.0", true},
		{"npm", "x", "", "", false},
	}
	for _, c := range cases {
		out, ok := osvVersion(c.eco, c.name, c.in)
		if out != c.out || ok != c.ok {
			t.Errorf("osvVersion(%s %s %q) = %q %v, want %q %v", c.eco, c.name, c.in, out, ok, c.out, c.ok)
		}
	}
}

func TestFixedIn(t *testing.T) {
	cases := []struct {
		name, eco, pkg, version string
		records                 [][]*osvschema.Affected
		want                    string
	}{
		{"lowest above", "npm", "x", "1.1.0", [][]*osvschema.Affected{{affected("npm", "x", nil, rng(semverT, "i:0", "f:1.0.5", "i:1.1.0", "f:1.1.3"))}}, "1.1.3"},
		{"reopened later", "npm", "x", "1.1.0", [][]*osvschema.Affected{{affected("npm", "x", nil, rng(semverT, "i:0", "f:1.2.0"), rng(semverT, "i:1.2.0", "f:1.3.0"))}}, "1.3.0"},
		// Grouped records disagree: the lowest version neither affects.
		{"group", "PyPI", "urllib3", "1.26.12", [][]*osvschema.Affected{
			{affected("PyPI", "urllib3", nil, rng(ecoT, "i:0", "f:1.26.17"))},
			{affected("PyPI", "urllib3", nil, rng(ecoT, "i:0", "f:1.26.18"))},
		}, "1.26.18"},
		{"no fix", "npm", "x", "1.0.0", [][]*osvschema.Affected{{affected("npm", "x", nil, rng(semverT, "i:0"))}}, ""},
		{"last_affected only", "npm", "x", "1.0.0", [][]*osvschema.Affected{{affected("npm", "x", nil, rng(ecoT, "i:0", "l:1.0.0"))}}, ""},
		{"group with an unfixed record", "npm", "x", "1.0.0", [][]*osvschema.Affected{
			{affected("npm", "x", nil, rng(semverT, "i:0", "f:1.1.0"))},
			{affected("npm", "x", nil, rng(semverT, "i:0"))},
		}, ""},
	}
	for _, c := range cases {
		if got := fixedIn(newInstalled(c.eco, c.pkg, c.version), c.pkg, c.records); got != c.want {
			t.Errorf("%s: fixedIn = %q, want %q", c.name, got, c.want)
		}
	}
}
