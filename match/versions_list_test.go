package match

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/sbom"
)

// storeOf imports OSV folders into a fresh feeds.Store.
func storeOf(t *testing.T, dirs ...string) *feeds.Store {
	t.Helper()
	db := filepath.Join(t.TempDir(), "advisories.db")
	if _, err := feeds.Import(context.Background(), db, dirs); err != nil {
		t.Fatal(err)
	}
	s, err := feeds.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Issue 10.5: chalk 5.6.1 is in MAL-2025-46969's versions list; every
// spelling npm reads as 5.6.1 is caught too, through the real store.
func TestVersionsListSpellings(t *testing.T) {
	src := storeOf(t, filepath.Join(corpusDir, "npm"))
	for _, v := range []string{"5.6.1", "v5.6.1", "5.6.1+build.1", "=5.6.1", "V5.6.1", " 5.6.1 ", "=v5.6.1"} {
		fs, err := Match(context.Background(), src, []sbom.Package{npm("chalk", v, "node_modules/chalk")})
		if err != nil {
			t.Fatalf("chalk %q: %v", v, err)
		}
		if len(fs) != 1 || !slices.Equal(fs[0].IDs, []string{"MAL-2025-46969"}) || fs[0].Kind != feeds.KindMalicious {
			t.Errorf("chalk %q: %v, want MAL-2025-46969 malicious", v, summarize(fs))
		}
	}
	for _, v := range []string{"5.6.0", "5.6.2", "5.6.1-beta.1"} {
		fs, err := Match(context.Background(), src, []sbom.Package{npm("chalk", v, "node_modules/chalk")})
		if err != nil || len(fs) != 0 {
			t.Errorf("chalk %q: %v, %v; want no finding", v, summarize(fs), err)
		}
	}
}

// Issue 10.5: a versions entry equals the installed version when the
// ecosystem's own parser says so, for every ecosystem's parser.
func TestVersionsListThroughEcosystemParser(t *testing.T) {
	cases := []struct {
		eco, listed, hit, miss string
	}{
		{"npm", "v1.5.0", "1.5.0", "1.5.1"},
		{"npm", "1.5.0", "=1.5.0", "1.5.0-rc.1"},
		{"PyPI", "1.5", "1.5.0", "1.5.0.post1"},
		{"PyPI", "v1.5.0", "1.5.0", "1.5.1"},
		{"Maven", "1.5", "1.5.0", "1.5.1"},
		{"Go", "v1.5.0", "v1.5.0", "v1.5.1"},
		{"Go", "1.5.0", "v1.5.0", "v1.5.0-pre"},
		{"NuGet", "1.5", "1.5.0.0", "1.5.0.1"},
		{"NuGet", "v1.5.0", "1.5.0", "1.5.1"},
		{"RubyGems", "1.5", "1.5.0", "1.5.0.1"},
		{"crates.io", "v1.5.0", "1.5.0", "1.5.1"},
		{"Packagist", "v1.5.0", "1.5.0", "1.5.1"},
		{"Pub", "v1.5.0", "1.5.0", "1.5.1"},
		{"Hex", "v1.5.0", "1.5.0", "1.5.1"},
		{"Debian:12", "0:1.5.0-1", "1.5.0-1", "1.5.0-2"},
		{"Ubuntu:22.04:LTS", "0:3.0.2-0ubuntu1.10", "3.0.2-0ubuntu1.10", "3.0.2-0ubuntu1.12"},
		{"Alpine:v3.19", "1.5.0-r1", "1.5.0-r1", "1.5.0-r2"},
		{"Red Hat:enterprise_linux:9", "0:1.5.0-1.el9", "1.5.0-1.el9", "1.5.0-2.el9"},
		{"Rocky Linux:9", "0:1.5.0-1.el9", "1.5.0-1.el9", "1.5.0-2.el9"},
		{"AlmaLinux:9", "0:1.5.0-1.el9", "1.5.0-1.el9", "1.5.0-2.el9"},
		{"Wolfi", "1.5.0-r1", "1.5.0-r1", "1.5.0-r2"},
		{"Chainguard", "1.5.0-r1", "1.5.0-r1", "1.5.0-r2"},
	}
	for _, c := range cases {
		rec := &osvschema.Vulnerability{Id: "TEST-" + c.eco, Modified: timestamppb.Now(), Affected: []*osvschema.Affected{{
			Package:  &osvschema.Package{Ecosystem: c.eco, Name: "pkg"},
			Versions: []string{"0.1.0", c.listed},
		}}}
		src := fixedSource{c.eco + " pkg": {rec}}
		for _, v := range []struct {
			installed string
			want      bool
		}{{c.hit, true}, {c.miss, false}} {
			fs, err := Match(context.Background(), src, []sbom.Package{pkgOf(c.eco, "pkg", v.installed)})
			if err != nil {
				t.Errorf("%s %s: %v", c.eco, v.installed, err)
			}
			if got := len(fs) == 1; got != v.want {
				t.Errorf("%s: installed %q against versions [%q]: matched %v, want %v", c.eco, v.installed, c.listed, got, v.want)
			}
		}
	}
}

// Issue 10.10: osv.dev's distribution records reach image packages
// labelled as sbom labels them, through the real store.
func TestDistroRecordsMatch(t *testing.T) {
	dir := t.TempDir()
	for id, eco := range map[string]string{
		"UBUNTU-CVE-2024-0001": "Ubuntu:22.04:LTS",
		"UBUNTU-CVE-2024-0002": "Ubuntu:Pro:22.04:LTS",
		"UBUNTU-CVE-2024-0003": "Ubuntu:20.04:LTS",
		"RHSA-2024:0001":       "Red Hat:enterprise_linux:9::appstream",
		"RHSA-2024:0002":       "Red Hat:enterprise_linux:8::appstream",
		"DSA-0001-1":           "Debian:12",
		"ALPINE-CVE-2024-0001": "Alpine:v3.19",
		"CGA-0001":             "Chainguard",
		"CGA-0002":             "Wolfi",
	} {
		writeRecordFile(t, filepath.Join(dir, id+".json"), `{"id": "`+id+`", "modified": "2024-01-01T00:00:00Z",
			"affected": [{"package": {"ecosystem": "`+eco+`", "name": "openssl"},
				"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "9:9.9.9-9"}]}]}]}`)
	}
	src := storeOf(t, dir)
	for _, c := range []struct {
		eco  string
		want []string
	}{
		{"Ubuntu:22.04:LTS", []string{"UBUNTU-CVE-2024-0001", "UBUNTU-CVE-2024-0002"}},
		{"Red Hat:enterprise_linux:9", []string{"RHSA-2024:0001"}},
		{"Debian:12", []string{"DSA-0001-1"}},
		{"Alpine:v3.19", []string{"ALPINE-CVE-2024-0001"}},
		{"Chainguard", []string{"CGA-0001"}},
		{"Wolfi", []string{"CGA-0002"}},
	} {
		fs, err := Match(context.Background(), src, []sbom.Package{pkgOf(c.eco, "openssl", "3.0.2-1")})
		if err != nil {
			t.Fatalf("%s: %v", c.eco, err)
		}
		var got []string
		for _, f := range fs {
			got = append(got, f.IDs...)
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s openssl: %v, want %v", c.eco, got, c.want)
		}
	}
}

// Issue 10.16: a record withdrawn in the future still matches today; an
// ecosystem written " npm " is matched as npm.
func TestFutureWithdrawalAndPaddedEcosystem(t *testing.T) {
	dir := t.TempDir()
	future := time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)
	writeRecordFile(t, filepath.Join(dir, "MAL-2026-0001.json"), `{"id": "MAL-2026-0001", "modified": "2026-01-01T00:00:00Z", "withdrawn": "`+future+`",
		"affected": [{"package": {"ecosystem": "npm", "name": "evil-pkg"}, "versions": ["1.0.0"]}]}`)
	writeRecordFile(t, filepath.Join(dir, "MAL-2026-0002.json"), `{"id": "MAL-2026-0002", "modified": "2026-01-01T00:00:00Z",
		"affected": [{"package": {"ecosystem": " npm ", "name": "padded-pkg"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]}`)
	src := storeOf(t, dir)
	fs, err := Match(context.Background(), src, []sbom.Package{npm("evil-pkg", "1.0.0", "node_modules/evil-pkg"), npm("padded-pkg", "2.0.0", "node_modules/padded-pkg")})
	if err != nil {
		t.Fatal(err)
	}
	if got := summarize(fs); len(fs) != 2 || fs[0].Kind != feeds.KindMalicious || fs[1].Kind != feeds.KindMalicious {
		t.Errorf("findings %v, want both malicious records", got)
	}
}

// corpusDir holds the real OSV records (testdata/CORPUS-MANIFEST.md §1).
var corpusDir = filepath.Join("..", "testdata", "osv")

func writeRecordFile(t *testing.T, path, raw string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
}
