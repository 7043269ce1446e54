package feeds

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const exampleBlockList = `# ACME's own block list
author: security@acme.example
entries:
  - purl: pkg:npm/flatmap-stream
    reason: malicious code injected through event-stream (2018)
  - purl: pkg:npm/event-stream@3.3.6
    reason: pulled in flatmap-stream
  - ecosystem: pypi
    name: Requests
    introduced: "2.3.0"
    fixed: "2.31.0"
    reason: proxy credential leak, upgrade mandated
    author: alice@acme.example
  - id: BLOCK-ACME-7
    purl: pkg:maven/org.apache.logging.log4j/log4j-core
    last_affected: "2.16.0"
    reason: Log4Shell
`

func TestBlockListImportAndLookup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	bl := writeRecord(t, dir, "blocklist.yaml", exampleBlockList)
	db := importCorpus(t)
	st, err := Import(ctx, db, []string{bl}, WithClock((&fixedClock{t: t0}).now))
	if err != nil {
		t.Fatal(err)
	}
	if st != (ImportStats{Read: 4, Inserted: 4}) {
		t.Errorf("stats %+v", st)
	}
	s, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	vs, _ := s.Lookup(ctx, "npm", "flatmap-stream")
	if len(vs) != 3 || !strings.HasPrefix(vs[0].GetId(), BlockListPrefix) {
		t.Fatalf("flatmap-stream: %v", ids(vs))
	}
	flat := vs[0]
	if Classify(flat) != KindMalicious {
		t.Errorf("block-list record is %s", Classify(flat))
	}
	// Every version: one range introduced at 0, no versions list.
	a := flat.GetAffected()[0]
	if a.GetPackage().GetEcosystem() != "npm" || a.GetPackage().GetName() != "flatmap-stream" ||
		len(a.GetVersions()) != 0 || len(a.GetRanges()) != 1 || a.GetRanges()[0].GetEvents()[0].GetIntroduced() != "0" || len(a.GetRanges()[0].GetEvents()) != 1 {
		t.Errorf("flatmap-stream entry: %v", a)
	}
	if got := flat.GetDatabaseSpecific().GetFields()["fnaudit_block_list"].GetStructValue().GetFields(); got["reason"].GetStringValue() != "malicious code injected through event-stream (2018)" || got["author"].GetStringValue() != "security@acme.example" {
		t.Errorf("reason/author: %v", got)
	}
	vs, _ = s.Lookup(ctx, "npm", "event-stream")
	var es []string
	for _, v := range vs {
		if strings.HasPrefix(v.GetId(), BlockListPrefix) {
			es = v.GetAffected()[0].GetVersions()
			if len(v.GetAffected()[0].GetRanges()) != 0 {
				t.Errorf("event-stream@3.3.6 entry has ranges: %v", v.GetAffected()[0].GetRanges())
			}
		}
	}
	if !reflect.DeepEqual(es, []string{"3.3.6"}) {
		t.Errorf("event-stream versions %v", es)
	}
	vs, _ = s.Lookup(ctx, "PyPI", "requests")
	var req *[]string
	for _, v := range vs {
		if strings.HasPrefix(v.GetId(), BlockListPrefix) {
			ev := v.GetAffected()[0].GetRanges()[0].GetEvents()
			got := []string{ev[0].GetIntroduced(), ev[1].GetFixed(), v.GetCredits()[0].GetName()}
			req = &got
		}
	}
	if req == nil || !reflect.DeepEqual(*req, []string{"2.3.0", "2.31.0", "alice@acme.example"}) {
		t.Errorf("requests entry: %v", req)
	}
	v, _ := s.Get(ctx, "BLOCK-ACME-7")
	if v == nil || v.GetAffected()[0].GetPackage().GetName() != "org.apache.logging.log4j:log4j-core" ||
		v.GetAffected()[0].GetRanges()[0].GetEvents()[1].GetLastAffected() != "2.16.0" {
		t.Errorf("BLOCK-ACME-7: %v", v)
	}
	status, _ := s.Status(ctx, t0)
	s.Close()
	var blk *SourceStatus
	for i := range status.Sources {
		if status.Sources[i].Type == SourceBlockList {
			blk = &status.Sources[i]
		}
	}
	abs, _ := filepath.Abs(bl)
	if blk == nil || blk.Source != "blocklist:"+abs || blk.Totals != (Counts{Malicious: 4, Total: 4}) {
		t.Errorf("block list source: %+v", blk)
	}

	// Ids are stable: importing the same list again replaces, and removing
	// a line unblocks that package.
	writeRecord(t, dir, "blocklist.yaml", strings.Replace(exampleBlockList, `  - purl: pkg:npm/flatmap-stream
    reason: malicious code injected through event-stream (2018)
`, "", 1))
	st, err = Import(ctx, db, []string{bl})
	if err != nil {
		t.Fatal(err)
	}
	if st != (ImportStats{Read: 3, Replaced: 3, Removed: 1}) {
		t.Errorf("re-import stats %+v", st)
	}
	s, _ = Open(db)
	defer s.Close()
	vs, _ = s.Lookup(ctx, "npm", "flatmap-stream")
	if got := ids(vs); !reflect.DeepEqual(got, []string{"GHSA-mh6f-8j2x-4483", "MAL-2025-20690"}) {
		t.Errorf("flatmap-stream after unblocking: %v", got)
	}
}

func TestBlockListErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, err string }{
		{"empty", "", "empty"},
		{"no entries", "author: x\nentries: []\n", "no entries"},
		{"misspelt field", "author: x\nentries:\n  - purl: pkg:npm/a\n    reason: r\n    version: [\"1.0.0\"]\n", `line 5: field version not found`},
		{"no reason", "author: x\nentries:\n  - purl: pkg:npm/a\n", "line 3: entry 1: no reason"},
		{"no author", "entries:\n  - purl: pkg:npm/a\n    reason: r\n", "line 2: entry 1: no author"},
		{"bad purl", "author: x\nentries:\n  - purl: npm/a\n    reason: r\n", `line 3: entry 1: purl "npm/a"`},
		{"purl type without ecosystem", "author: x\nentries:\n  - purl: pkg:docker/alpine\n    reason: r\n", `type "docker" has no OSV ecosystem`},
		{"both purl and name", "author: x\nentries:\n  - purl: pkg:npm/a\n    ecosystem: npm\n    name: a\n    reason: r\n", "either purl or ecosystem and name"},
		{"unknown ecosystem", "author: x\nentries:\n  - ecosystem: cpan\n    name: a\n    reason: r\n", `unknown ecosystem "cpan"`},
		{"fixed and last_affected", "author: x\nentries:\n  - purl: pkg:npm/a\n    fixed: \"2\"\n    last_affected: \"1\"\n    reason: r\n", "fixed or last_affected"},
		{"foreign id", "author: x\nentries:\n  - id: GHSA-1234\n    purl: pkg:npm/a\n    reason: r\n", `must start with BLOCK-`},
		{"duplicate", "author: x\nentries:\n  - purl: pkg:npm/a\n    reason: r\n  - purl: pkg:npm/A\n    reason: again\n", "line 5: entry 2: id BLOCK-"},
		{"not yaml", "entries: [unclosed\n", "block list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseBlockList(strings.NewReader(tc.yaml), "bl.yaml", t0)
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "bl.yaml") {
				t.Errorf("error %v, want one naming bl.yaml and containing %q", err, tc.err)
			}
		})
	}
}

// A broken block list leaves the database as it was, like any bad input.
func TestBlockListBadInputLeavesDatabaseIntact(t *testing.T) {
	db := importCorpus(t)
	before := fileDigest(t, db)
	bl := writeRecord(t, t.TempDir(), "bl.yml", "author: x\nentries:\n  - purl: pkg:npm/a\n")
	if _, err := Import(context.Background(), db, []string{bl}); err == nil || !strings.Contains(err.Error(), "no reason") {
		t.Errorf("error %v", err)
	}
	if fileDigest(t, db) != before {
		t.Error("database changed")
	}
}
