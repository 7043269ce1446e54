package feeds

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
)

// manifestCounts are the per-ecosystem, per-kind counts CORPUS-MANIFEST.md
// §1 gives for testdata/osv: Go 21; PyPI 40 (17 PYSEC + 7 GHSA, 16 MAL);
// npm 34 (23 GHSA of which 5 malware GHSA, 11 MAL); Maven 5; NuGet 1;
// RubyGems 1; Ubuntu 1 (UBUNTU-CVE-2025-32463, added for issue 10 point 10,
// listed in testdata/README.md).
var manifestCounts = map[string]Counts{
	"Go":       {Vulnerability: 21, Total: 21},
	"Maven":    {Vulnerability: 5, Total: 5},
	"NuGet":    {Vulnerability: 1, Total: 1},
	"PyPI":     {Vulnerability: 24, Malicious: 16, Total: 40},
	"RubyGems": {Vulnerability: 1, Total: 1},
	"Ubuntu":   {Vulnerability: 1, Total: 1},
	"npm":      {Vulnerability: 18, Malicious: 16, Total: 34},
}

func TestImportCorpusStatusCounts(t *testing.T) {
	db := importCorpus(t)
	s, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := s.Status(context.Background(), t0.Add(90*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	got := countsByEcosystem(st)
	if !reflect.DeepEqual(got, manifestCounts) {
		t.Errorf("per-ecosystem counts:\n got %+v\nwant %+v", got, manifestCounts)
	}
	// The files themselves: one folder per ecosystem, one record per file.
	for _, eco := range corpusEcosystems {
		if n := len(corpusFiles(t, eco)); got[eco].Total != n {
			t.Errorf("%s: %d records in the database, %d files", eco, got[eco].Total, n)
		}
	}
	if want := (Counts{Vulnerability: 71, Malicious: 32, Total: 103}); st.Totals != want {
		t.Errorf("totals %+v, want %+v", st.Totals, want)
	}
	abs, _ := filepath.Abs(corpusDir)
	if len(st.Sources) != 1 || st.Sources[0].Source != "file:"+abs || st.Sources[0].Type != SourceFile || st.Sources[0].Totals.Total != 103 {
		t.Errorf("sources: %s", mustJSON(t, st.Sources))
	}
	if !st.LastUpdated.Equal(t0) || st.AgeSeconds != 5400 || st.Age != "1h30m" {
		t.Errorf("last updated %s, age %d (%s); want %s, 5400 (1h30m)", st.LastUpdated, st.AgeSeconds, st.Age, t0)
	}
}

func TestLookupCorpus(t *testing.T) {
	db := importCorpus(t)
	s, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, tc := range []struct {
		eco, name string
		want      []string
	}{
		// The event-stream incident: the GitHub malware advisory names both
		// packages, OpenSSF has a MAL record for flatmap-stream only.
		{"npm", "flatmap-stream", []string{"GHSA-mh6f-8j2x-4483", "MAL-2025-20690"}},
		{"npm", "event-stream", []string{"GHSA-mh6f-8j2x-4483"}},
		{"npm", "Flatmap-Stream", []string{"GHSA-mh6f-8j2x-4483", "MAL-2025-20690"}}, // npm: case-insensitive
		{"npm", "debug", []string{"MAL-2025-46974"}},
		// PyPI names are PEP 503-normalized on both sides.
		{"PyPI", "PyYAML", []string{"PYSEC-2021-142"}},
		{"pypi", "pyyaml", []string{"PYSEC-2021-142"}},
		{"PyPI", "urllib3", []string{"GHSA-34jh-p97f-mpxf", "PYSEC-2021-108", "PYSEC-2023-192", "PYSEC-2023-212"}},
		// Maven group:artifact, Go module paths as-is.
		{"Maven", "org.apache.logging.log4j:log4j-core", []string{"GHSA-p6xc-xr62-6r2g"}},
		{"Maven", "org.apache.logging.log4j/log4j-core", []string{"GHSA-p6xc-xr62-6r2g"}},
		{"Go", "golang.org/x/text", []string{"GO-2020-0015", "GO-2021-0113", "GO-2022-1059", "GO-2026-5970"}},
		{"Go", "golang.org/X/text", []string{}},
		{"npm", "no-such-package", []string{}},
	} {
		vs, err := s.Lookup(ctx, tc.eco, tc.name)
		if err != nil {
			t.Fatalf("Lookup(%s, %s): %v", tc.eco, tc.name, err)
		}
		if got := ids(vs); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Lookup(%s, %s) = %v, want %v", tc.eco, tc.name, got, tc.want)
		}
	}
	if _, err := s.Lookup(ctx, "NotAnEcosystem", "x"); err == nil || !strings.Contains(err.Error(), `unknown ecosystem "NotAnEcosystem"`) {
		t.Errorf("Lookup with unknown ecosystem: %v", err)
	}
}

// Every record comes back from the database exactly as its file holds it,
// and under every package it names.
func TestLookupReturnsRecordsVerbatim(t *testing.T) {
	db := importCorpus(t)
	s, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, eco := range corpusEcosystems {
		for _, f := range corpusFiles(t, eco) {
			want := readRecord(t, f)
			for _, a := range want.GetAffected() {
				vs, err := s.Lookup(ctx, a.GetPackage().GetEcosystem(), a.GetPackage().GetName())
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, v := range vs {
					if v.GetId() == want.GetId() {
						found = true
						if !proto.Equal(v, want) {
							t.Errorf("%s: stored record differs from %s", want.GetId(), f)
						}
					}
				}
				if !found {
					t.Errorf("%s not found under %s/%s", want.GetId(), a.GetPackage().GetEcosystem(), a.GetPackage().GetName())
				}
			}
		}
	}
}

func TestAllAndIDs(t *testing.T) {
	db := importCorpus(t)
	s, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var wantGo []string
	for _, f := range corpusFiles(t, "Go") {
		wantGo = append(wantGo, strings.TrimSuffix(filepath.Base(f), ".json"))
	}
	all, err := s.All(ctx, "Go")
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(all); !reflect.DeepEqual(got, wantGo) {
		t.Errorf("All(Go) = %v, want %v", got, wantGo)
	}
	mal, err := s.IDs(ctx, "npm", KindMalicious)
	if err != nil {
		t.Fatal(err)
	}
	wantMal := []string{
		"GHSA-73qr-pfmq-6rp8", "GHSA-g2q5-5433-rhrf", "GHSA-hxxf-q3w9-4xgw", "GHSA-mh6f-8j2x-4483", "GHSA-pjwm-rvh2-c87w",
		"MAL-2024-11183", "MAL-2025-15245", "MAL-2025-20690", "MAL-2025-25502", "MAL-2025-46966", "MAL-2025-46969",
		"MAL-2025-46974", "MAL-2025-47141", "MAL-2025-6020", "MAL-2025-6022", "MAL-2026-3744",
	}
	if !reflect.DeepEqual(mal, wantMal) {
		t.Errorf("IDs(npm, malicious) = %v, want %v", mal, wantMal)
	}
	every, err := s.IDs(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(every) != 103 {
		t.Errorf("IDs() has %d ids, want 103", len(every))
	}
	v, err := s.Get(ctx, "GO-2022-0969")
	if err != nil || v.GetId() != "GO-2022-0969" {
		t.Errorf("Get(GO-2022-0969) = %v, %v", v.GetId(), err)
	}
	if v, err := s.Get(ctx, "GO-0000-0000"); v != nil || err != nil {
		t.Errorf("Get(missing) = %v, %v; want nil, nil", v, err)
	}
}

// writeRecord writes raw JSON into dir/name.
func writeRecord(t *testing.T, dir, name, raw string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// withModified returns the corpus record at path with "modified" and
// "details" replaced.
func withModified(t *testing.T, path, modified, details string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	v := readRecord(t, path)
	old := v.GetModified().AsTime().Format(time.RFC3339)
	s2 := strings.Replace(s, `"modified": "`+old+`"`, `"modified": "`+modified+`"`, 1)
	if s2 == s {
		t.Fatalf("%s: could not find modified %s", path, old)
	}
	return strings.Replace(s2, `"details": "`, `"details": "`+details+` `, 1)
}

func TestNewerModifiedWins(t *testing.T) {
	db := importCorpus(t)
	ctx := context.Background()
	src := filepath.Join(corpusDir, "npm", "MAL-2025-20690.json") // modified 2025-08-14T18:52:04Z
	older := filepath.Join(t.TempDir(), "older")
	writeRecord(t, older, "MAL-2025-20690.json", withModified(t, src, "2025-01-01T00:00:00Z", "OLDER"))
	st, err := Import(ctx, db, []string{older})
	if err != nil {
		t.Fatal(err)
	}
	if want := (ImportStats{Read: 1, Kept: 1}); st != want {
		t.Errorf("older copy: stats %+v, want %+v", st, want)
	}
	details := func() string {
		s, err := Open(db)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		v, err := s.Get(ctx, "MAL-2025-20690")
		if err != nil {
			t.Fatal(err)
		}
		return v.GetDetails()
	}
	if d := details(); strings.HasPrefix(d, "OLDER") {
		t.Errorf("older copy replaced the stored one: %q", d)
	}
	newer := filepath.Join(t.TempDir(), "newer")
	writeRecord(t, newer, "MAL-2025-20690.json", withModified(t, src, "2026-01-01T00:00:00Z", "NEWER"))
	st, err = Import(ctx, db, []string{newer})
	if err != nil {
		t.Fatal(err)
	}
	if want := (ImportStats{Read: 1, Replaced: 1}); st != want {
		t.Errorf("newer copy: stats %+v, want %+v", st, want)
	}
	if d := details(); !strings.HasPrefix(d, "NEWER") {
		t.Errorf("newer copy did not replace the stored one: %q", d)
	}
	// Importing the same data again changes nothing but attribution.
	st, err = Import(ctx, db, []string{newer})
	if err != nil {
		t.Fatal(err)
	}
	if want := (ImportStats{Read: 1, Replaced: 1}); st != want {
		t.Errorf("same copy again: stats %+v, want %+v", st, want)
	}
}

// A source imported again replaces what it provided: a record gone from it
// is gone from the database, a record changed in place loses its old index
// keys.
func TestReimportReplacesSource(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "feed")
	for _, f := range corpusFiles(t, "npm") {
		raw, _ := os.ReadFile(f)
		writeRecord(t, src, filepath.Base(f), string(raw))
	}
	db := filepath.Join(dir, "a.db")
	// Same clock reading for both imports: nothing may depend on time
	// moving forward.
	clock := WithClock((&fixedClock{t: t0}).now)
	if _, err := Import(ctx, db, []string{src}, clock); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(src, "MAL-2025-20690.json"))
	// GHSA-mh6f now only names event-stream (a newer modified, as a real
	// edit would have).
	ghsa := filepath.Join(src, "GHSA-mh6f-8j2x-4483.json")
	raw := withModified(t, ghsa, "2026-02-02T00:00:00Z", "EDITED")
	i := strings.Index(raw, `{
      "package": {
        "ecosystem": "npm",
        "name": "flatmap-stream"`)
	j := strings.Index(raw, `"references"`)
	if i < 0 || j < 0 {
		t.Fatal("unexpected layout of GHSA-mh6f-8j2x-4483.json")
	}
	raw = strings.TrimRight(raw[:i], " \n,") + "\n  ],\n  " + raw[j:]
	writeRecord(t, src, "GHSA-mh6f-8j2x-4483.json", raw)
	st, err := Import(ctx, db, []string{src}, clock)
	if err != nil {
		t.Fatal(err)
	}
	if want := (ImportStats{Read: 33, Replaced: 33, Removed: 1}); st != want {
		t.Errorf("stats %+v, want %+v", st, want)
	}
	s, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	vs, err := s.Lookup(ctx, "npm", "flatmap-stream")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 0 {
		t.Errorf("flatmap-stream still matched by %v", ids(vs))
	}
	vs, _ = s.Lookup(ctx, "npm", "event-stream")
	if got := ids(vs); !reflect.DeepEqual(got, []string{"GHSA-mh6f-8j2x-4483"}) {
		t.Errorf("event-stream: %v", got)
	}
}

func TestImportExportZip(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	zipPath := filepath.Join(dir, "all.zip")
	if err := os.WriteFile(zipPath, exportZip(t, corpusFiles(t, "PyPI")), 0o644); err != nil {
		t.Fatal(err)
	}
	// An export downloaded by hand often loses its name: content decides.
	renamed := filepath.Join(dir, "pypi-export")
	os.Link(zipPath, renamed)
	db := filepath.Join(dir, "a.db")
	st, err := Import(ctx, db, []string{renamed})
	if err != nil {
		t.Fatal(err)
	}
	if st.Read != 40 || st.Inserted != 40 {
		t.Errorf("stats %+v, want 40 read and inserted", st)
	}
	s, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mal, _ := s.IDs(ctx, "PyPI", KindMalicious)
	vul, _ := s.IDs(ctx, "PyPI", KindVulnerability)
	if len(mal) != 16 || len(vul) != 24 {
		t.Errorf("PyPI: %d malicious, %d vulnerabilities; want 16 and 24", len(mal), len(vul))
	}
}

func TestWithdrawnKeptNeverMatched(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	raw, _ := os.ReadFile(filepath.Join(corpusDir, "npm", "MAL-2025-20690.json"))
	w := strings.Replace(string(raw), `"id": "MAL-2025-20690",`, `"id": "MAL-2025-20690",
  "withdrawn": "2025-09-01T00:00:00Z",`, 1)
	writeRecord(t, dir, "MAL-2025-20690.json", w)
	// A withdrawn record that lost its affected list is still accepted.
	writeRecord(t, dir, "GHSA-xxxx-xxxx-xxxx.json", `{"id": "GHSA-xxxx-xxxx-xxxx", "modified": "2024-01-01T00:00:00Z", "withdrawn": "2024-01-01T00:00:00Z", "summary": "Withdrawn"}`)
	db := filepath.Join(dir, "a.db")
	if _, err := Import(ctx, db, []string{dir}); err != nil {
		t.Fatal(err)
	}
	s, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	vs, _ := s.Lookup(ctx, "npm", "flatmap-stream")
	if len(vs) != 0 {
		t.Errorf("withdrawn record matched: %v", ids(vs))
	}
	all, _ := s.All(ctx, "npm")
	if len(all) != 0 {
		t.Errorf("All returned withdrawn records: %v", ids(all))
	}
	wd, _ := s.IDs(ctx, "", KindWithdrawn)
	if !reflect.DeepEqual(wd, []string{"GHSA-xxxx-xxxx-xxxx", "MAL-2025-20690"}) {
		t.Errorf("withdrawn ids %v", wd)
	}
	st, _ := s.Status(ctx, t0)
	if st.Totals != (Counts{Withdrawn: 2, Total: 2}) {
		t.Errorf("totals %+v", st.Totals)
	}
	want := []EcosystemCounts{{Ecosystem: "", Counts: Counts{Withdrawn: 1, Total: 1}}, {Ecosystem: "npm", Counts: Counts{Withdrawn: 1, Total: 1}}}
	if !reflect.DeepEqual(st.Ecosystems, want) {
		t.Errorf("ecosystems %+v, want %+v", st.Ecosystems, want)
	}
}

// badInputCase is one kind of bad input to import on top of the corpus.
type badInputCase struct {
	name   string
	write  func(t *testing.T, dir string) string // returns the path to import
	errHas []string
}

func badInputCases() []badInputCase {
	validNPM := func(t *testing.T) []byte {
		raw, _ := os.ReadFile(filepath.Join(corpusDir, "npm", "MAL-2025-20690.json"))
		return raw
	}
	return []badInputCase{
		{
			name: "malformed JSON",
			write: func(t *testing.T, dir string) string {
				writeRecord(t, filepath.Join(dir, "feed"), "GHSA-good.json", string(validNPM(t)))
				return filepath.Dir(writeRecord(t, filepath.Join(dir, "feed"), "MAL-2099-1.json", `{"id": "MAL-2099-1", "modified": "2025-01-01T00:00:00Z", "affected": [`))
			},
			errHas: []string{`entry "MAL-2099-1.json"`, `record "MAL-2099-1"`, "not a valid OSV record"},
		},
		{
			name: "record without affected",
			write: func(t *testing.T, dir string) string {
				return writeRecord(t, dir, "GHSA-aaaa-bbbb-cccc.json", `{"id": "GHSA-aaaa-bbbb-cccc", "modified": "2025-01-01T00:00:00Z", "summary": "nothing affected"}`)
			},
			errHas: []string{"GHSA-aaaa-bbbb-cccc.json", `record "GHSA-aaaa-bbbb-cccc"`, `no "affected" package`},
		},
		{
			name: "unknown ecosystem",
			write: func(t *testing.T, dir string) string {
				return writeRecord(t, dir, "X.json", `{"id": "MAL-2099-2", "modified": "2025-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "npmjs", "name": "left-pad"}}]}`)
			},
			errHas: []string{"X.json", `record "MAL-2099-2"`, `unknown ecosystem "npmjs"`},
		},
		{
			name: "wrong field type",
			write: func(t *testing.T, dir string) string {
				return writeRecord(t, dir, "X.json", `{"id": "PYSEC-2099-1", "modified": "2025-01-01T00:00:00Z", "aliases": "CVE-1", "affected": [{"package": {"ecosystem": "PyPI", "name": "x"}}]}`)
			},
			errHas: []string{"X.json", `record "PYSEC-2099-1"`, `unexpected token "CVE-1"`},
		},
		{
			name: "missing modified",
			write: func(t *testing.T, dir string) string {
				return writeRecord(t, dir, "X.json", `{"id": "MAL-2099-3", "affected": [{"package": {"ecosystem": "npm", "name": "x"}}]}`)
			},
			errHas: []string{"X.json", `record "MAL-2099-3"`, `missing "modified"`},
		},
		{
			name: "block-list id from a public feed",
			write: func(t *testing.T, dir string) string {
				return writeRecord(t, dir, "X.json", `{"id": "BLOCK-0001", "modified": "2099-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "npm", "name": "x"}}]}`)
			},
			errHas: []string{"X.json", `record "BLOCK-0001"`, "reserved for the organisation's block list"},
		},
		{
			name: "truncated zip",
			write: func(t *testing.T, dir string) string {
				z := exportZip(t, corpusFiles(t, "npm"))
				return writeRecord(t, dir, "all.zip", string(z[:len(z)*2/3]))
			},
			errHas: []string{"all.zip", "not a readable zip"},
		},
		{
			name: "zip member cut short",
			write: func(t *testing.T, dir string) string {
				// Central directory intact, one member's data corrupted:
				// archive/zip notices when the member's checksum fails.
				z := exportZip(t, corpusFiles(t, "npm"))
				zr, _ := zip.NewReader(bytes.NewReader(z), int64(len(z)))
				off, _ := zr.File[3].DataOffset()
				z[off+10] ^= 0xff
				return writeRecord(t, dir, "all.zip", string(z))
			},
			errHas: []string{"all.zip", `entry "GHSA-6fc8-4gx4-v693.json"`},
		},
		{
			name: "not an OSV file",
			write: func(t *testing.T, dir string) string {
				return writeRecord(t, dir, "notes.txt", "hello")
			},
			errHas: []string{"notes.txt", "not an OSV JSON file"},
		},
	}
}

// Bad input: a clear error naming the source and record, the database file
// unchanged, lookups answering as before.
func TestImportBadInputLeavesDatabaseIntact(t *testing.T) {
	for _, tc := range badInputCases() {
		t.Run(tc.name, func(t *testing.T) {
			db := importCorpus(t)
			before, snap := fileDigest(t, db), lookupSnapshot(t, db)
			path := tc.write(t, t.TempDir())
			_, err := Import(context.Background(), db, []string{path})
			if err == nil {
				t.Fatal("import succeeded")
			}
			checkOneLineError(t, err, tc.errHas...)
			if fileDigest(t, db) != before {
				t.Error("database file changed")
			}
			if lookupSnapshot(t, db) != snap {
				t.Error("lookups changed")
			}
			if left, _ := filepath.Glob(db + ".tmp-*"); len(left) != 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}

// failAfter is a file whose writes fail once limit bytes were written, as
// on a disk that fills up.
type failAfter struct {
	writeFile
	limit int
}

var errDiskFull = errors.New("no space left on device (simulated)")

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.limit {
		n, _ := f.writeFile.Write(p[:f.limit])
		f.limit = 0
		return n, errDiskFull
	}
	f.limit -= len(p)
	return f.writeFile.Write(p)
}

func failingDisk(t *testing.T, limit int) {
	t.Helper()
	orig := createFile
	createFile = func(name string) (writeFile, error) {
		f, err := orig(name)
		if err != nil {
			return nil, err
		}
		return &failAfter{writeFile: f, limit: limit}, nil
	}
	t.Cleanup(func() { createFile = orig })
}

func TestImportDiskFullLeavesDatabaseIntact(t *testing.T) {
	db := importCorpus(t)
	before, snap := fileDigest(t, db), lookupSnapshot(t, db)
	failingDisk(t, 100_000) // the copy of the database fails part-way
	_, err := Import(context.Background(), db, []string{filepath.Join(corpusDir, "Go")})
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("error %v, want the disk-full error", err)
	}
	if !strings.Contains(err.Error(), db+".tmp-") {
		t.Errorf("error %q does not name the file being written", err)
	}
	if fileDigest(t, db) != before || lookupSnapshot(t, db) != snap {
		t.Error("database changed")
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(filepath.Join(dir, "missing.db"))
	if !errors.Is(err, ErrNoDatabase) || !strings.Contains(err.Error(), "fnaudit db update") {
		t.Errorf("missing database: %v", err)
	}
	junk := writeRecord(t, dir, "junk.db", strings.Repeat("not sqlite ", 100))
	if _, err := Open(junk); err == nil || !strings.Contains(err.Error(), "not an fnaudit advisory database") {
		t.Errorf("junk file: %v", err)
	}
	// Import refuses to overwrite a file that is not an advisory database.
	_, err = Import(context.Background(), junk, []string{filepath.Join(corpusDir, "Go")})
	if err == nil || !strings.Contains(err.Error(), "remove it or choose another --db") {
		t.Errorf("import over a junk file: %v", err)
	}
	if got, _ := os.ReadFile(junk); !strings.HasPrefix(string(got), "not sqlite") {
		t.Error("junk file overwritten")
	}
}
