package match

import (
	"context"
	"encoding/json"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/fnaudit/fnaudit/core"
)

func npm(name, version, path string) core.Package {
	return core.Package{Ecosystem: "npm", Name: name, Version: version, Paths: []string{path},
		Origin: core.Origin{Kind: core.OriginFunction}, Loaded: true}
}

func pkgOf(eco, name, version string) core.Package {
	return core.Package{Ecosystem: eco, Name: name, Version: version, Paths: []string{"/var/task/" + name}}
}

// The done-when: flatmap-stream 0.1.1 is named malicious by
// GHSA-mh6f-8j2x-4483 and MAL-2025-20690, event-stream 3.3.6 by
// GHSA-mh6f-8j2x-4483, each at its node_modules path. The two records do not
// alias each other, so they are two findings on flatmap-stream.
func TestEventStreamReconstruction(t *testing.T) {
	fn := expectedPackages(t)["event-stream-reconstruction.zip"]
	fs := matchFunction(t, corpusSource(t), "event-stream-reconstruction.zip", fn)

	type want struct {
		path, name, version string
		ids                 []string
		score               float64
		fixedIn             string
	}
	wants := []want{
		{"node_modules/event-stream", "event-stream", "3.3.6", []string{"GHSA-mh6f-8j2x-4483"}, 9.8, "4.0.0"},
		{"node_modules/flatmap-stream", "flatmap-stream", "0.1.1", []string{"GHSA-mh6f-8j2x-4483"}, 9.8, ""},
		{"node_modules/flatmap-stream", "flatmap-stream", "0.1.1", []string{"MAL-2025-20690"}, 0, ""},
	}
	if len(fs) != len(wants) {
		t.Fatalf("got %d findings, want %d: %v", len(fs), len(wants), summarize(fs))
	}
	for i, w := range wants {
		f := fs[i]
		if f.Package.Path() != w.path || f.Package.Name != w.name || f.Package.Version != w.version ||
			!slices.Equal(f.IDs, w.ids) || f.Kind != core.KindMalicious || f.Severity != SeverityCritical ||
			f.SeveritySource != "malicious" || f.Score != w.score || f.FixedIn != w.fixedIn || len(f.Aliases) != 0 {
			t.Errorf("finding %d = %s, want %+v malicious critical", i, describe(f), w)
		}
	}
}

// The deliberate negatives of CORPUS-MANIFEST.md §1: each record is about
// the package (the Source returns it), but not about that version. Where
// the corpus has no copy of the package, the versions around the record's
// boundary are checked both ways.
func TestDeliberateNegatives(t *testing.T) {
	src := corpusSource(t)
	cases := []struct {
		id      string
		pkg     core.Package
		matches bool
	}{
		{"GHSA-c2qf-rxjj-qqgw", pkgOf("npm", "semver", "5.7.3"), false},
		{"GHSA-c2qf-rxjj-qqgw", pkgOf("npm", "semver", "5.7.1"), true},
		{"GHSA-74fj-2j2h-c42q", pkgOf("npm", "follow-redirects", "1.16.3"), false},
		{"MAL-2025-46974", pkgOf("npm", "debug", "2.6.9"), false},
		{"MAL-2025-46974", pkgOf("npm", "debug", "4.4.2"), true},
		{"MAL-2025-46974", pkgOf("npm", "debug", "4.4.3"), false},
		{"MAL-2025-46966", pkgOf("npm", "ansi-regex", "6.2.1"), true},
		{"MAL-2025-46966", pkgOf("npm", "ansi-regex", "6.2.0"), false},
		{"MAL-2025-46966", pkgOf("npm", "ansi-regex", "5.0.1"), false},
		{"GHSA-599f-7c49-w659", pkgOf("Maven", "org.apache.commons:commons-text", "1.10.0"), false},
		{"GHSA-599f-7c49-w659", pkgOf("Maven", "org.apache.commons:commons-text", "1.9"), true},
		{"GHSA-jjjh-jjxp-wpff", pkgOf("Maven", "com.fasterxml.jackson.core:jackson-databind", "2.14.0"), false},
		{"GHSA-jjjh-jjxp-wpff", pkgOf("Maven", "com.fasterxml.jackson.core:jackson-databind", "2.13.4"), true},
		// 2.13.4.1 is the fix; Maven orders 2.13.4 < 2.13.4.1.
		{"GHSA-jjjh-jjxp-wpff", pkgOf("Maven", "com.fasterxml.jackson.core:jackson-databind", "2.13.4.1"), false},
		{"GHSA-p6xc-xr62-6r2g", pkgOf("Maven", "org.apache.logging.log4j:log4j-core", "2.19.0"), false},
		{"GHSA-p6xc-xr62-6r2g", pkgOf("Maven", "org.apache.logging.log4j:log4j-core", "2.16.0"), true},
		{"PYSEC-2021-142", pkgOf("PyPI", "PyYAML", "6.0"), false},
		{"PYSEC-2021-142", pkgOf("PyPI", "PyYAML", "5.3.1"), true},
		{"PYSEC-2021-108", pkgOf("PyPI", "urllib3", "1.26.12"), false},
		{"PYSEC-2021-108", pkgOf("PyPI", "urllib3", "1.26.4"), true},
		{"PYSEC-2023-112", pkgOf("PyPI", "cryptography", "38.0.4"), false},
		{"PYSEC-2023-112", pkgOf("PyPI", "cryptography", "41.0.1"), true},
		{"PYSEC-2022-43012", pkgOf("PyPI", "setuptools", "65.5.1"), false},
		{"PYSEC-2022-43012", pkgOf("PyPI", "setuptools", "65.5.0"), true},
		{"GO-2020-0014", pkgOf("Go", "golang.org/x/net", "v0.0.0-20210226172049-e18ecbb05110"), false},
		{"GO-2020-0014", pkgOf("Go", "golang.org/x/net", "v0.0.0-20190125002852-4b62a64f59f7"), true},
		{"GO-2020-0015", pkgOf("Go", "golang.org/x/text", "v0.3.5"), false},
		{"GO-2020-0015", pkgOf("Go", "golang.org/x/text", "v0.3.2"), true},
	}
	for _, c := range cases {
		recs, _ := src.Lookup(context.Background(), c.pkg.Ecosystem, c.pkg.Name)
		if !slices.ContainsFunc(recs, func(v *osvschema.Vulnerability) bool { return v.GetId() == c.id }) {
			t.Errorf("%s: the Source does not return it for %s; the case tests nothing", c.id, c.pkg.Name)
			continue
		}
		fs, err := Match(context.Background(), src, []core.Package{c.pkg})
		if err != nil {
			t.Errorf("%s %s: %v", c.pkg.Name, c.pkg.Version, err)
			continue
		}
		got := slices.ContainsFunc(fs, func(f Finding) bool { return slices.Contains(f.IDs, c.id) })
		if got != c.matches {
			t.Errorf("%s %s %s: matched %v, want %v", c.id, c.pkg.Name, c.pkg.Version, got, c.matches)
		}
	}
}

// expected-packages.json carries "informational advisory matches" computed
// by the corpus builder's simple evaluator. fnaudit agrees on every package
// of every function: the listed ids exactly, and nothing on the others.
func TestExpectedAdvisoryMatches(t *testing.T) {
	src := corpusSource(t)
	for zip, fn := range expectedPackages(t) {
		got := idsByPath(matchFunction(t, src, zip, fn))
		want := map[string][]string{}
		for _, m := range fn.ExpectedAdvisoryMatches.AgainstSharedOSV {
			ids := slices.Clone(m.Advisories)
			slices.Sort(ids)
			want[m.Path+" "+m.Name] = ids
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", zip, got, want)
		}
	}
}

func TestFindingDetails(t *testing.T) {
	src := corpusSource(t)
	fs, err := Match(context.Background(), src, []core.Package{
		npm("express", "4.17.1", "nodejs/node_modules/express"),
		npm("qs", "6.7.0", "nodejs/node_modules/qs"),
		npm("jsonwebtoken", "8.5.1", "node_modules/jsonwebtoken"),
		npm("body-parser", "1.19.0", "nodejs/node_modules/body-parser"),
		pkgOf("PyPI", "certifi", "2022.9.24"),
		pkgOf("Go", "golang.org/x/text", "v0.3.5"),
	})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		id, sev, source, vector, fixed string
		score                          float64
		aliases                        string
	}
	got := map[string]row{}
	for _, f := range fs {
		got[f.PrimaryID()] = row{f.PrimaryID(), string(f.Severity), f.SeveritySource, f.Vector, f.FixedIn, f.Score, strings.Join(f.Aliases, ",")}
	}
	want := []row{
		// Two vectors: CVSS 3.1 5.0 beats CVSS 4.0 2.3; fixed in the first
		// range (4.x), not the 5.0.0 of the other.
		{"GHSA-qw6h-vgh9-j6wx", "medium", "CVSS:3.1", "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:L", "4.20.0", 5.0, "CVE-2024-43796"},
		// Nine ranges, one per minor; 6.7.0 sits in [6.7.0, 6.7.3).
		{"GHSA-hrpp-h998-j3pp", "high", "CVSS:3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "6.7.3", 7.5, "CVE-2022-24999"},
		// No vector: GitHub's own label.
		{"GHSA-8cf7-32gw-wr33", "medium", "label", "", "9.0.0", 0, "CVE-2022-23539"},
		{"GHSA-27h2-hvpr-p74q", "high", "CVSS:3.1", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:H/A:L", "9.0.0", 7.6, "CVE-2022-23529"},
		// CVSS 4.0 only scored.
		{"GHSA-qwcr-r2fm-qrc7", "high", "CVSS:4.0", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N", "1.20.3", 8.7, "CVE-2024-45590"},
		// PYSEC without severity: unknown. PEP 440 orders 2022.12.7 after
		// 2022.9.24 (a string comparison would not).
		{"PYSEC-2022-42986", "unknown", "", "", "2022.12.7", 0, "CVE-2022-23491,GHSA-43fp-rhv2-5gv8"},
		{"PYSEC-2023-135", "unknown", "", "", "2023.7.22", 0, "CVE-2023-37920,GHSA-xqr8-7jwr-rhp7"},
		{"GHSA-248v-346w-9cwc", "high", "CVSS:3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N", "2024.07.04", 7.5, "CVE-2024-39689"},
		// Go: fixed-in spelled like the installed version, with its "v".
		{"GO-2021-0113", "unknown", "", "", "v0.3.7", 0, "CVE-2021-38561,GHSA-ppp9-7jff-5vj2"},
		{"GO-2022-1059", "unknown", "", "", "v0.3.8", 0, "CVE-2022-32149,GHSA-69ch-w2m2-3vjp"},
		{"GO-2026-5970", "unknown", "", "", "v0.39.0", 0, "CVE-2026-56852"},
		{"GHSA-rv95-896h-c2vc", "medium", "CVSS:3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", "4.19.2", 6.1, "CVE-2024-29041"},
	}
	if len(fs) != len(want) {
		t.Fatalf("got %d findings, want %d: %v", len(fs), len(want), summarize(fs))
	}
	for _, w := range want {
		if g, ok := got[w.id]; !ok || g != w {
			t.Errorf("%s:\n got %+v\nwant %+v", w.id, g, w)
		}
	}
}

// A record the publisher withdrew never matches, malicious or not.
func TestWithdrawnNeverMatches(t *testing.T) {
	src := corpusSource(t)
	var recs []*osvschema.Vulnerability
	for _, id := range []string{"MAL-2025-20690", "GHSA-mh6f-8j2x-4483"} {
		v := proto.Clone(src.byID(t, id)).(*osvschema.Vulnerability)
		v.Withdrawn = timestamppb.Now()
		recs = append(recs, v)
	}
	fs, err := Match(context.Background(), newMemSource(recs), []core.Package{npm("flatmap-stream", "0.1.1", "node_modules/flatmap-stream")})
	if err != nil || len(fs) != 0 {
		t.Fatalf("withdrawn records matched: %v, %v", summarize(fs), err)
	}
}

// Names compare under the ecosystem's normalisation, on both sides: the
// GHSA record says "Jinja2", the PYSEC and the other GHSA "jinja2".
func TestNameNormalisation(t *testing.T) {
	src := corpusSource(t)
	for _, name := range []string{"Jinja2", "jinja2", "JINJA2"} {
		fs, err := Match(context.Background(), src, []core.Package{pkgOf("PyPI", name, "3.1.2")})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, f := range fs {
			ids = append(ids, f.IDs...)
		}
		if want := []string{"GHSA-h5c8-rqwp-cp95", "GHSA-h75v-3vvj-5mfj"}; !slices.Equal(ids, want) {
			t.Errorf("%s 3.1.2: %v, want %v", name, ids, want)
		}
	}
	// Package URLs: PYSEC records carry one ("pkg:pypi/cryptography"); a
	// copy of PYSEC-2023-11 without the name still matches through it.
	rec := proto.Clone(src.byID(t, "PYSEC-2023-11")).(*osvschema.Vulnerability)
	rec.Affected[0].Package.Name = ""
	p := pkgOf("PyPI", "cryptography", "38.0.4")
	p.PURL = "pkg:pypi/Cryptography@38.0.4"
	fs, err := Match(context.Background(), fixedSource{"PyPI cryptography": {rec}}, []core.Package{p})
	if err != nil || len(fs) != 1 || fs[0].PrimaryID() != "PYSEC-2023-11" {
		t.Errorf("purl match: %v %v", summarize(fs), err)
	}
	p.PURL = "pkg:pypi/cryptography-vectors@38.0.4"
	if fs, _ := Match(context.Background(), fixedSource{"PyPI cryptography": {rec}}, []core.Package{p}); len(fs) != 0 {
		t.Errorf("other purl matched: %v", summarize(fs))
	}

	// Go module paths are case-sensitive.
	fs, _ = Match(context.Background(), src, []core.Package{pkgOf("Go", "golang.org/x/Text", "v0.3.5")})
	if len(fs) != 0 {
		t.Errorf("golang.org/x/Text matched %v", summarize(fs))
	}
}

// A package whose version cannot be compared is not silently clean: the
// records that need a version are reported as an error naming record and
// package, and records that affect every version still match.
func TestUndecidableVersion(t *testing.T) {
	src := corpusSource(t)
	fs, err := Match(context.Background(), src, []core.Package{
		npm("flatmap-stream", "", "node_modules/flatmap-stream"),
		npm("event-stream", "", "node_modules/event-stream"),
		npm("lodash", "4.17.15", "node_modules/lodash"),
	})
	// GHSA-mh6f-8j2x-4483 says event-stream [3.3.6, 4.0.0): undecidable
	// without a version.
	if err == nil || !strings.Contains(err.Error(), "record GHSA-mh6f-8j2x-4483: package npm event-stream  at node_modules/event-stream") {
		t.Errorf("error %v, want one naming GHSA-mh6f-8j2x-4483 and event-stream", err)
	}
	// Seen inside a bundle, the same packages are not refused: the records
	// that need a version are left undecided (the report counts the
	// package), and those about every version still match.
	bundled := func(p core.Package) core.Package { p.Evidence = core.EvidenceBundleComment; return p }
	fsB, err := Match(context.Background(), src, []core.Package{
		bundled(npm("flatmap-stream", "", "/var/task/index.js")),
		bundled(npm("event-stream", "", "/var/task/index.js")),
	})
	var idsB []string
	for _, f := range fsB {
		idsB = append(idsB, f.Package.Name+" "+f.PrimaryID())
	}
	if err != nil || !slices.Equal(idsB, []string{"flatmap-stream GHSA-mh6f-8j2x-4483", "flatmap-stream MAL-2025-20690"}) {
		t.Errorf("bundled: findings %v, err %v", idsB, err)
	}
	// For flatmap-stream both records say introduced 0 and nothing else:
	// every version, so no version is needed.
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.Package.Name+" "+f.PrimaryID())
	}
	want := []string{"flatmap-stream GHSA-mh6f-8j2x-4483", "flatmap-stream MAL-2025-20690", "lodash GHSA-35jh-r3h4-6jhm", "lodash GHSA-p6mc-m468-83gw"}
	if !slices.Equal(ids, want) {
		t.Errorf("findings %v, want %v", ids, want)
	}

	// A Go main module built from a checkout, "(devel)", against a record
	// about it: an error, not a match of every range.
	rec := proto.Clone(src.byID(t, "GO-2022-1059")).(*osvschema.Vulnerability)
	rec.Affected[0].Package.Name = "example.com/corpus/gobootstrap"
	fs, err = Match(context.Background(), newMemSource([]*osvschema.Vulnerability{rec}),
		[]core.Package{pkgOf("Go", "example.com/corpus/gobootstrap", "(devel)")})
	if len(fs) != 0 || err == nil || !strings.Contains(err.Error(), "record GO-2022-1059") ||
		!strings.Contains(err.Error(), "example.com/corpus/gobootstrap (devel)") {
		t.Errorf("(devel): findings %v, err %v", summarize(fs), err)
	}
}

// The same packages and records in any order give the same findings.
func TestDeterministicOrder(t *testing.T) {
	src := corpusSource(t)
	var all []core.Package
	for zip, fn := range expectedPackages(t) {
		all = append(all, functionPackages(zip, fn)...)
	}
	first, err := Match(context.Background(), src, all)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 5; i++ {
		shuffled := slices.Clone(all)
		r.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		recs := slices.Clone(src.all)
		r.Shuffle(len(recs), func(a, b int) { recs[a], recs[b] = recs[b], recs[a] })
		again, err := Match(context.Background(), newMemSource(recs), shuffled)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(summarize(first), summarize(again)) {
			t.Fatalf("order changed:\n%v\n%v", summarize(first), summarize(again))
		}
	}
}

// One lookup per distinct (ecosystem, normalised name).
func TestLookupOncePerName(t *testing.T) {
	src := corpusSource(t)
	_, err := Match(context.Background(), src, []core.Package{
		npm("ms", "2.0.0", "a/node_modules/ms"), npm("ms", "2.1.1", "b/node_modules/ms"),
		npm("MS", "2.1.3", "c/node_modules/ms"), pkgOf("PyPI", "MarkupSafe", "2.1.2"),
		pkgOf("PyPI", "markupsafe", "2.1.2"),
	})
	if err != nil || src.calls != 2 {
		t.Errorf("%d lookups (err %v), want 2", src.calls, err)
	}
}

// The JSON shape the report package serialises.
func TestFindingJSON(t *testing.T) {
	fs, err := Match(context.Background(), corpusSource(t), []core.Package{npm("event-stream", "3.3.6", "node_modules/event-stream")})
	if err != nil || len(fs) != 1 {
		t.Fatalf("%v %v", summarize(fs), err)
	}
	b, err := json.Marshal(fs[0])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"fixedIn", "ids", "kind", "package", "records", "score", "severity", "severitySource", "summary", "vector"}
	if !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	rec := m["records"].([]any)[0].(map[string]any)
	if rec["id"] != "GHSA-mh6f-8j2x-4483" || rec["modified"] != "2021-09-15T20:08:26Z" || rec["published"] != "2018-11-26T23:58:21Z" ||
		rec["kind"] != "malicious" || rec["severity"] != "critical" || rec["fixedIn"] != "4.0.0" {
		t.Errorf("record JSON %v", rec)
	}
}

// fixedSource returns the same records for a package whatever their
// affected[] say, as a store indexing them by purl could.
type fixedSource map[string][]*osvschema.Vulnerability

func (s fixedSource) Lookup(_ context.Context, eco, name string) ([]*osvschema.Vulnerability, error) {
	return s[eco+" "+name], nil
}

func summarize(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, describe(f))
	}
	return out
}

func describe(f Finding) string {
	b, _ := json.Marshal(struct {
		Path, Name, Version string
		IDs                 []string
		Kind                core.Kind
		Severity            Severity
		Score               float64
		Source, FixedIn     string
	}{f.Package.Path(), f.Package.Name, f.Package.Version, f.IDs, f.Kind, f.Severity, f.Score, f.SeveritySource, f.FixedIn})
	return string(b)
}
