package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/fnaudit/fnaudit/feeds"
)

func digest(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// statusCounts runs `db status -o json` and returns the per-ecosystem
// counts.
func statusCounts(t *testing.T, db string) map[string]feeds.Counts {
	t.Helper()
	code, out, errs := runCLI(t, "db", "status", "--db", db, "-o", "json")
	if code != 0 {
		t.Fatalf("db status: exit %d: %s", code, errs)
	}
	var st feeds.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("db status -o json: %v\n%s", err, out)
	}
	got := map[string]feeds.Counts{}
	for _, e := range st.Ecosystems {
		got[e.Ecosystem] = e.Counts
	}
	return got
}

// TestDBImportCorpusStatus: importing the corpus folder, then status -o
// json reports exactly what the files hold (CORPUS-MANIFEST.md §1).
func TestDBImportCorpusStatus(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "advisories.db")
	code, out, errs := runCLI(t, "db", "import", "--db", db, osvDir)
	if code != 0 {
		t.Fatalf("db import: exit %d: %s", code, errs)
	}
	if out != "" || !strings.Contains(errs, "imported 103 records into "+db+": 103 new, 0 replaced") {
		t.Errorf("stdout %q, stderr %q", out, errs)
	}
	want := map[string]feeds.Counts{
		"Go":       {Vulnerability: 21, Total: 21},
		"Maven":    {Vulnerability: 5, Total: 5},
		"NuGet":    {Vulnerability: 1, Total: 1},
		"PyPI":     {Vulnerability: 24, Malicious: 16, Total: 40},
		"RubyGems": {Vulnerability: 1, Total: 1},
		"Ubuntu":   {Vulnerability: 1, Total: 1},
		"npm":      {Vulnerability: 18, Malicious: 16, Total: 34},
	}
	got := statusCounts(t, db)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("status counts\n got %+v\nwant %+v", got, want)
	}
	// Cross-check against the folder: one record per file, one folder per
	// ecosystem.
	for eco, c := range got {
		files, _ := filepath.Glob(filepath.Join(osvDir, eco, "*.json"))
		if c.Total != len(files) {
			t.Errorf("%s: %d records, %d files", eco, c.Total, len(files))
		}
	}
	code, out, errs = runCLI(t, "db", "status", "--db", db)
	if code != 0 || !strings.Contains(out, "TOTAL") || !strings.Contains(out, "npm") {
		t.Errorf("status table: exit %d\n%s%s", code, out, errs)
	}
	// -q: nothing but errors.
	code, out, errs = runCLI(t, "-q", "db", "import", "--db", db, filepath.Join(osvDir, "Go"))
	if code != 0 || out != "" || errs != "" {
		t.Errorf("-q import: exit %d, %q, %q", code, out, errs)
	}
}

func TestDBBadInputExit2(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "advisories.db")
	if code, _, errs := runCLI(t, "db", "import", "--db", db, osvDir); code != 0 {
		t.Fatal(errs)
	}
	before := digest(t, db)
	countsBefore := statusCounts(t, db)
	bad := filepath.Join(dir, "MAL-2099-1.json")
	os.WriteFile(bad, []byte(`{"id": "MAL-2099-1", "modified": "2025-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "npmjs", "name": "x"}}]}`), 0o644)
	code, out, errs := runCLI(t, "db", "import", "--db", db, filepath.Join(osvDir, "npm"), bad)
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	wantErr := "fnaudit: " + bad + `: record "MAL-2099-1": affected[0]: unknown ecosystem "npmjs"` + "\n"
	if !strings.HasSuffix(errs, wantErr) || out != "" {
		t.Errorf("stderr %q, want it to end with %q", errs, wantErr)
	}
	if digest(t, db) != before || !reflect.DeepEqual(statusCounts(t, db), countsBefore) {
		t.Error("database changed")
	}
	// No database at all: status and import of nothing both exit 2.
	code, _, errs = runCLI(t, "db", "status", "--db", filepath.Join(dir, "none.db"))
	if code != 2 || !strings.Contains(errs, "no advisory database") || !strings.Contains(errs, "fnaudit db update") {
		t.Errorf("status without database: exit %d, %q", code, errs)
	}
	if code, _, _ := runCLI(t, "db", "import", "--db", db); code != 2 {
		t.Errorf("import without paths: exit %d", code)
	}
	if code, _, errs := runCLI(t, "db", "status", "--db", db, "-o", "xml"); code != 2 || !strings.Contains(errs, `unknown format "xml"`) {
		t.Errorf("status -o xml: exit %d, %q", code, errs)
	}
}

// exportServer serves all.zip exports built from the corpus, with ETags,
// answering 304 to a matching If-None-Match. stall, when set, is called
// for npm instead.
type exportServer struct {
	*httptest.Server
	mu     sync.Mutex
	zips   map[string][]byte
	etag   string
	counts map[string]int
	stall  func(w http.ResponseWriter, r *http.Request, body []byte)
}

func newExportServer(t *testing.T) *exportServer {
	s := &exportServer{zips: map[string][]byte{}, etag: `"v1"`, counts: map[string]int{}}
	dirs, _ := os.ReadDir(osvDir)
	for _, d := range dirs {
		files, _ := filepath.Glob(filepath.Join(osvDir, d.Name(), "*.json"))
		sort.Strings(files)
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, f := range files {
			raw, _ := os.ReadFile(f)
			w, _ := zw.Create(filepath.Base(f))
			w.Write(raw)
		}
		zw.Close()
		s.zips[d.Name()] = buf.Bytes()
	}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		eco := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/all.zip")
		s.mu.Lock()
		body, etag, stall := s.zips[eco], s.etag, s.stall
		s.counts[eco]++
		s.mu.Unlock()
		if body == nil {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		if eco == "npm" && stall != nil {
			stall(w, r, body)
			return
		}
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

var corpusEcosystemArgs = []string{"-e", "Go", "-e", "Maven", "-e", "NuGet", "-e", "PyPI", "-e", "RubyGems", "-e", "npm"}

// TestDBUpdateThen304: the second update is answered 304 for every
// ecosystem and does no import work: one request each, the file untouched.
func TestDBUpdateThen304(t *testing.T) {
	t.Parallel()
	srv := newExportServer(t)
	db := filepath.Join(t.TempDir(), "advisories.db")
	args := append([]string{"db", "update", "--db", db, "--source", srv.URL}, corpusEcosystemArgs...)
	code, out, errs := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("first update: exit %d: %s", code, errs)
	}
	if out != "" || !strings.Contains(errs, "KiB downloaded, 34 records: 34 new, 0 replaced") {
		t.Errorf("first update stderr %q", errs)
	}
	fi, _ := os.Stat(db)
	before := digest(t, db)
	code, _, errs = runCLI(t, args...)
	if code != 0 {
		t.Fatalf("second update: exit %d: %s", code, errs)
	}
	for _, eco := range []string{"Go", "Maven", "NuGet", "PyPI", "RubyGems", "npm"} {
		if !strings.Contains(errs, eco+": not modified\n") {
			t.Errorf("second update: no %q in %q", eco+": not modified", errs)
		}
		srv.mu.Lock()
		n := srv.counts[eco]
		srv.mu.Unlock()
		if n != 2 {
			t.Errorf("%s: %d requests in two updates, want 2", eco, n)
		}
	}
	if !strings.Contains(errs, "is up to date") || strings.Contains(errs, "records") {
		t.Errorf("second update stderr %q", errs)
	}
	fi2, _ := os.Stat(db)
	if digest(t, db) != before || !fi2.ModTime().Equal(fi.ModTime()) || !os.SameFile(fi, fi2) {
		t.Error("second update rewrote the database")
	}
	// --offline forbids it outright.
	code, _, errs = runCLI(t, append([]string{"--offline"}, args...)...)
	if code != 2 || !strings.Contains(errs, "--offline") {
		t.Errorf("--offline update: exit %d, %q", code, errs)
	}
	// A server failing: exit 2, database untouched.
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	defer broken.Close()
	code, _, errs = runCLI(t, "db", "update", "--db", db, "--source", broken.URL, "-e", "npm", "--max-attempts", "1")
	if code != 2 || !strings.Contains(errs, "fnaudit: update npm: download "+broken.URL+"/npm/all.zip: HTTP 500 Internal Server Error") {
		t.Errorf("failing server: exit %d, %q", code, errs)
	}
	if digest(t, db) != before {
		t.Error("failed update changed the database")
	}
}

// childArgsEnv carries the command line of the child process
// TestDBUpdateKilledMidDownload starts and kills.
const childArgsEnv = "FNAUDIT_TEST_CHILD_ARGS"

// TestDBChildProcess is not a test: it is the child process of
// TestDBUpdateKilledMidDownload, the fnaudit command line run by the test
// binary itself (no separate build needed).
func TestDBChildProcess(t *testing.T) {
	t.Parallel()
	raw := os.Getenv(childArgsEnv)
	if raw == "" {
		t.Skip("child process helper")
	}
	var args []string
	json.Unmarshal([]byte(raw), &args)
	os.Exit(run(context.Background(), args, os.Stdout, os.Stderr))
}

// lookupAll renders the database's answer for every package of the
// corpus, for exact before/after comparison.
func lookupAll(t *testing.T, db string) string {
	t.Helper()
	s, err := feeds.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var b strings.Builder
	files, _ := filepath.Glob(filepath.Join(osvDir, "*", "*.json"))
	seen := map[string]bool{}
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		var rec struct {
			Affected []struct {
				Package struct{ Ecosystem, Name string }
			}
		}
		json.Unmarshal(raw, &rec)
		for _, a := range rec.Affected {
			key := a.Package.Ecosystem + "/" + a.Package.Name
			if seen[key] {
				continue
			}
			seen[key] = true
			vs, err := s.Lookup(context.Background(), a.Package.Ecosystem, a.Package.Name)
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString(key + ":")
			for _, v := range vs {
				out, _ := protojson.Marshal(v)
				b.Write(out)
			}
			b.WriteString("\n")
		}
	}
	if len(seen) < 50 { // the corpus names 70 packages
		t.Fatalf("only %d packages looked up", len(seen))
	}
	return b.String()
}

// TestDBUpdateKilledMidDownload: SIGKILL to a `fnaudit db update` child in
// the middle of a download leaves the previous database answering every
// lookup identically, and the next update works.
func TestDBUpdateKilledMidDownload(t *testing.T) {
	t.Parallel()
	srv := newExportServer(t)
	db := filepath.Join(t.TempDir(), "advisories.db")
	args := append([]string{"db", "update", "--db", db, "--source", srv.URL, "--no-progress"}, corpusEcosystemArgs...)
	if code, _, errs := runCLI(t, args...); code != 0 {
		t.Fatalf("first update: %s", errs)
	}
	before, answers := digest(t, db), lookupAll(t, db)
	counts := statusCounts(t, db)

	// Upstream changes; npm's export now stalls half-way through its body.
	halfway := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	srv.mu.Lock()
	srv.etag = `"v2"`
	srv.stall = func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		close(halfway)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
	srv.mu.Unlock()

	argv, _ := json.Marshal(args)
	child := exec.Command(os.Args[0], "-test.run=^TestDBChildProcess$")
	// The child's private temp directory survives the SIGKILL: keep it in
	// the test's own temp directory.
	child.Env = append(os.Environ(), childArgsEnv+"="+string(argv), "TMPDIR="+t.TempDir())
	var childErr bytes.Buffer
	child.Stderr = &childErr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-halfway:
	case <-time.After(60 * time.Second):
		child.Process.Kill()
		t.Fatalf("child never reached the npm download: %s", childErr.String())
	}
	// Wait until the child has written part of the download to disk.
	deadline := time.Now().Add(10 * time.Second)
	for {
		parts, _ := filepath.Glob(db + ".tmp-download-*")
		if len(parts) > 0 {
			if fi, err := os.Stat(parts[0]); err == nil && fi.Size() > 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no partial download on disk")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := child.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	err := child.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.Exited() {
		t.Fatalf("child was not killed: %v (stderr %s)", err, childErr.String())
	}

	if digest(t, db) != before {
		t.Error("database file changed")
	}
	if lookupAll(t, db) != answers {
		t.Error("lookups answer differently after the killed update")
	}
	if !reflect.DeepEqual(statusCounts(t, db), counts) {
		t.Error("status changed")
	}

	// The next update cleans up after the killed one and succeeds (the
	// killed process's lock died with it).
	srv.mu.Lock()
	srv.stall = nil
	srv.mu.Unlock()
	code, _, errs := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("update after the kill: exit %d: %s", code, errs)
	}
	if left, _ := filepath.Glob(db + ".tmp-*"); len(left) != 0 {
		t.Errorf("leftovers of the killed update: %v", left)
	}
	if !reflect.DeepEqual(statusCounts(t, db), counts) {
		t.Error("counts differ after a full update of the same data")
	}
}

// The progress bar is for a person at a terminal: never with -q or
// --no-progress, never into a file or a pipe.
func TestShowProgress(t *testing.T) {
	t.Parallel()
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, g := range []*globalOptions{
		{stderr: &bytes.Buffer{}},
		{stderr: f},
		{stderr: f, quiet: true},
		{stderr: f, noProgress: true},
	} {
		if showProgress(g) {
			t.Errorf("progress shown for %+v", g)
		}
	}
	// A non-terminal *os.File written by a real update gets no bar either.
	srv := newExportServer(t)
	var out bytes.Buffer
	code := run(context.Background(), []string{"db", "update", "--db", filepath.Join(t.TempDir(), "a.db"), "--source", srv.URL, "-e", "Go"}, &out, f)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	raw, _ := os.ReadFile(f.Name())
	if bytes.ContainsAny(raw, "\r\x1b") || !bytes.Contains(raw, []byte("Go: ")) {
		t.Errorf("stderr %q", raw)
	}
}
