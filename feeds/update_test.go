package feeds

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// exportServer serves osv.dev-style exports (<Ecosystem>/all.zip) the way
// Google Cloud Storage does: ETag, Last-Modified, x-goog-hash, and 304 for
// a matching If-None-Match.
type exportServer struct {
	*httptest.Server
	mu       sync.Mutex
	bodies   map[string][]byte // ecosystem -> all.zip
	etags    map[string]string
	requests []http.Header // request headers, in order
	paths    []string
	// override, when set, handles a request instead (return true).
	override func(w http.ResponseWriter, r *http.Request, eco string, body []byte) bool
}

func newExportServer(t *testing.T) *exportServer {
	s := &exportServer{bodies: map[string][]byte{}, etags: map[string]string{}}
	for _, eco := range corpusEcosystems {
		s.set(eco, exportZip(t, corpusFiles(t, eco)))
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *exportServer) set(eco string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bodies[eco] = body
	sum := md5.Sum(body)
	s.etags[eco] = fmt.Sprintf(`"%x"`, sum)
}

func (s *exportServer) hits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

func (s *exportServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Header.Clone())
	s.paths = append(s.paths, r.URL.Path)
	eco, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/all.zip")
	body, etag, override := s.bodies[eco], s.etags[eco], s.override
	s.mu.Unlock()
	if !ok || body == nil {
		http.NotFound(w, r)
		return
	}
	if override != nil && override(w, r, eco, body) {
		return
	}
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", "Sun, 01 Mar 2026 06:00:00 GMT")
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("X-Goog-Hash", googHash(body))
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.Write(body)
}

func googHash(body []byte) string {
	m := md5.Sum(body)
	c := make([]byte, 4)
	binary.BigEndian.PutUint32(c, crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)))
	return "crc32c=" + base64.StdEncoding.EncodeToString(c) + ",md5=" + base64.StdEncoding.EncodeToString(m[:])
}

func (s *exportServer) options() UpdateOptions {
	return UpdateOptions{Source: s.URL, Ecosystems: corpusEcosystems, MaxAttempts: 3, RetryWait: time.Millisecond}
}

// updatedCorpus builds a database by updating from srv at t0.
func updatedCorpus(t *testing.T, srv *exportServer) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "advisories.db")
	clk := &fixedClock{t: t0}
	res, err := Update(context.Background(), db, srv.options(), WithClock(clk.now))
	if err != nil {
		t.Fatalf("first update: %v", err)
	}
	if !res.Rebuilt || res.Stats.Read != 103 || res.Stats.Inserted != 103 {
		t.Fatalf("first update: %+v", res)
	}
	return db
}

func TestUpdateThenNotModified(t *testing.T) {
	srv := newExportServer(t)
	db := updatedCorpus(t, srv)
	ctx := context.Background()

	s, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Status(ctx, t0)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	got := countsByEcosystem(st)
	if !reflect.DeepEqual(got, manifestCounts) {
		t.Errorf("counts after update %+v, want %+v", got, manifestCounts)
	}
	if len(st.Sources) != len(corpusEcosystems) || st.Sources[0].Source != srv.URL+"/Go/all.zip" || st.Sources[0].Type != SourceExport || st.Sources[0].Ecosystem != "Go" {
		t.Errorf("sources: %s", mustJSON(t, st.Sources))
	}

	// Second update: every export unchanged.
	fi, _ := os.Stat(db)
	digest := fileDigest(t, db)
	hitsBefore := srv.hits()
	clk := &fixedClock{t: t0.Add(2 * time.Hour)}
	res, err := Update(ctx, db, srv.options(), WithClock(clk.now))
	if err != nil {
		t.Fatal(err)
	}
	if res.Rebuilt || res.Stats != (ImportStats{}) {
		t.Errorf("second update did import work: %+v", res)
	}
	for _, e := range res.Ecosystems {
		if !e.NotModified || e.Bytes != 0 || e.Attempts != 1 {
			t.Errorf("%s: %+v, want not modified after one request", e.Ecosystem, e)
		}
	}
	if n := srv.hits() - hitsBefore; n != len(corpusEcosystems) {
		t.Errorf("%d requests, want one per ecosystem (%d)", n, len(corpusEcosystems))
	}
	for _, h := range srv.requests[hitsBefore:] {
		if h.Get("If-None-Match") == "" || h.Get("If-Modified-Since") != "Sun, 01 Mar 2026 06:00:00 GMT" {
			t.Errorf("request without validators: %v", h)
		}
	}
	fi2, _ := os.Stat(db)
	if fileDigest(t, db) != digest || !fi2.ModTime().Equal(fi.ModTime()) || !os.SameFile(fi, fi2) {
		t.Error("database file was rewritten by an update that had nothing to import")
	}
	if left, _ := filepath.Glob(db + ".tmp-*"); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	// ...but the check counts as an update for the database's age.
	s, _ = Open(db)
	last, err := s.LastUpdated(ctx)
	s.Close()
	if err != nil || !last.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("LastUpdated = %v, %v; want %v", last, err, t0.Add(2*time.Hour))
	}

	// Third update: npm lost a record upstream.
	var npm []string
	for _, f := range corpusFiles(t, "npm") {
		if !strings.HasSuffix(f, "MAL-2025-20690.json") {
			npm = append(npm, f)
		}
	}
	srv.set("npm", exportZip(t, npm))
	clk.t = t0.Add(3 * time.Hour)
	res, err = Update(ctx, db, srv.options(), WithClock(clk.now))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Rebuilt || res.Stats != (ImportStats{Read: 33, Replaced: 33, Removed: 1}) {
		t.Errorf("third update: %+v", res)
	}
	for _, e := range res.Ecosystems {
		if (e.Ecosystem == "npm") == e.NotModified {
			t.Errorf("%s: not modified = %v", e.Ecosystem, e.NotModified)
		}
	}
	s, _ = Open(db)
	defer s.Close()
	vs, _ := s.Lookup(ctx, "npm", "flatmap-stream")
	if got := ids(vs); !reflect.DeepEqual(got, []string{"GHSA-mh6f-8j2x-4483"}) {
		t.Errorf("flatmap-stream after upstream removal: %v", got)
	}
	st, _ = s.Status(ctx, t0.Add(3*time.Hour))
	for _, src := range st.Sources {
		if !src.Checked.Equal(t0.Add(3 * time.Hour)) {
			t.Errorf("%s checked at %v", src.Source, src.Checked)
		}
		wantUpdated := t0
		if src.Ecosystem == "npm" {
			wantUpdated = t0.Add(3 * time.Hour)
		}
		if !src.Updated.Equal(wantUpdated) {
			t.Errorf("%s updated at %v, want %v", src.Source, src.Updated, wantUpdated)
		}
	}
}

// Each failure: a clear error naming the URL, the database untouched and
// answering as before, nothing left behind.
func TestUpdateFailuresLeaveDatabaseIntact(t *testing.T) {
	for _, tc := range []struct {
		name      string
		override  func(w http.ResponseWriter, r *http.Request, eco string, body []byte) bool
		disk      int // >0: the download's disk fills after this many bytes
		errHas    []string
		wantHits  int // requests for npm
		transient bool
	}{
		{
			name: "HTTP 500",
			override: func(w http.ResponseWriter, r *http.Request, eco string, body []byte) bool {
				http.Error(w, "backend error", http.StatusInternalServerError)
				return true
			},
			errHas:   []string{"/npm/all.zip", "HTTP 500 Internal Server Error", "gave up after 3 attempts"},
			wantHits: 3,
		},
		{
			name: "garbage body",
			override: func(w http.ResponseWriter, r *http.Request, eco string, body []byte) bool {
				w.Write([]byte("<html><body>Sign in to continue</body></html>"))
				return true
			},
			errHas:   []string{"/npm/all.zip", "not a readable zip"},
			wantHits: 1, // retrying cannot fix a wrong body
		},
		{
			name: "truncated zip",
			override: func(w http.ResponseWriter, r *http.Request, eco string, body []byte) bool {
				w.Write(body[:len(body)/2])
				return true
			},
			errHas:   []string{"/npm/all.zip", "not a readable zip"},
			wantHits: 1,
		},
		{
			name: "body cut mid-way",
			override: func(w http.ResponseWriter, r *http.Request, eco string, body []byte) bool {
				w.Header().Set("Content-Length", fmt.Sprint(len(body)))
				w.Write(body[:len(body)/2])
				return true // the server closes the connection: short body
			},
			errHas:   []string{"/npm/all.zip", "body cut short after", "unexpected EOF", "gave up after 3 attempts"},
			wantHits: 3,
		},
		{
			name: "checksum mismatch",
			override: func(w http.ResponseWriter, r *http.Request, eco string, body []byte) bool {
				bad := append([]byte(nil), body...)
				bad[100] ^= 1
				w.Header().Set("X-Goog-Hash", googHash(body))
				w.Write(bad)
				return true
			},
			errHas:   []string{"/npm/all.zip", "of the body is", "the server announced", "gave up after 3 attempts"},
			wantHits: 3,
		},
		{
			name: "not found",
			override: func(w http.ResponseWriter, r *http.Request, eco string, body []byte) bool {
				http.NotFound(w, r)
				return true
			},
			errHas:   []string{"/npm/all.zip", "HTTP 404 Not Found"},
			wantHits: 1,
		},
		{
			name: "empty export",
			override: func(w http.ResponseWriter, r *http.Request, eco string, body []byte) bool {
				w.Write(exportZip(t, nil))
				return true
			},
			errHas:   []string{"/npm/all.zip", "holds no records; refusing to empty the npm advisories"},
			wantHits: 1,
		},
		{
			name: "bad record in export",
			override: func(w http.ResponseWriter, r *http.Request, eco string, body []byte) bool {
				dir := t.TempDir()
				bad := writeRecord(t, dir, "MAL-2099-9.json", `{"id": "MAL-2099-9", "modified": "2025-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "npm"}}]}`)
				w.Write(exportZip(t, append(corpusFiles(t, "npm"), bad)))
				return true
			},
			errHas:   []string{"/npm/all.zip", `entry "MAL-2099-9.json"`, `record "MAL-2099-9"`, "affected[0]: package has no name"},
			wantHits: 1,
		},
		{
			name:     "disk fills during download",
			disk:     20_000,
			errHas:   []string{"/npm/all.zip", "write ", errDiskFull.Error()},
			wantHits: 1, // our disk will not get emptier by asking again
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newExportServer(t)
			db := updatedCorpus(t, srv)
			before, snap := fileDigest(t, db), lookupSnapshot(t, db)
			// New exports upstream (new ETags), so the update downloads them.
			srv.mu.Lock()
			for eco := range srv.etags {
				srv.etags[eco] = `"v2-` + eco + `"`
			}
			srv.mu.Unlock()
			srv.mu.Lock()
			srv.override = func(w http.ResponseWriter, r *http.Request, eco string, body []byte) bool {
				return eco == "npm" && tc.override != nil && tc.override(w, r, eco, body)
			}
			srv.mu.Unlock()
			if tc.disk > 0 {
				failingDisk(t, tc.disk)
			}
			hits := srv.hits()
			opts := srv.options()
			opts.Ecosystems = []string{"npm", "PyPI"}
			_, err := Update(context.Background(), db, opts)
			if err == nil {
				t.Fatal("update succeeded")
			}
			checkOneLineError(t, err, tc.errHas...)
			npmHits := 0
			for _, p := range srv.paths[hits:] {
				if p == "/npm/all.zip" {
					npmHits++
				}
			}
			if npmHits != tc.wantHits {
				t.Errorf("%d requests for npm, want %d", npmHits, tc.wantHits)
			}
			if fileDigest(t, db) != before || lookupSnapshot(t, db) != snap {
				t.Error("database changed")
			}
			if left, _ := filepath.Glob(db + ".tmp-*"); len(left) != 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}

// A transient failure followed by success is an ordinary update.
func TestUpdateRetriesThenSucceeds(t *testing.T) {
	srv := newExportServer(t)
	failures := 2
	srv.override = func(w http.ResponseWriter, r *http.Request, eco string, body []byte) bool {
		if eco != "npm" || failures == 0 {
			return false
		}
		failures--
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body[:len(body)/3])
		return true
	}
	db := filepath.Join(t.TempDir(), "a.db")
	var logs []string
	res, err := Update(context.Background(), db, srv.options(), WithLog(func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Ecosystems {
		want := 1
		if e.Ecosystem == "npm" {
			want = 3
		}
		if e.Attempts != want {
			t.Errorf("%s: %d attempts, want %d", e.Ecosystem, e.Attempts, want)
		}
	}
	if res.Stats.Inserted != 103 {
		t.Errorf("stats %+v", res.Stats)
	}
	retries := 0
	for _, l := range logs {
		if strings.HasPrefix(l, "npm: download ") && strings.Contains(l, "body cut short") && strings.Contains(l, "retrying in") {
			retries++
		}
	}
	if retries != 2 {
		t.Errorf("retry messages: %q", logs)
	}
}

func TestUpdateRejectsBadArguments(t *testing.T) {
	srv := newExportServer(t)
	db := filepath.Join(t.TempDir(), "a.db")
	_, err := Update(context.Background(), db, UpdateOptions{Source: srv.URL, Ecosystems: []string{"npm", "cobol"}})
	if err == nil || !strings.Contains(err.Error(), `unknown ecosystem "cobol"`) {
		t.Errorf("unknown ecosystem: %v", err)
	}
	_, err = Update(context.Background(), db, UpdateOptions{Source: "ftp://mirror.example/osv"})
	if err == nil || !strings.Contains(err.Error(), "not an http(s) URL") {
		t.Errorf("ftp source: %v", err)
	}
	if srv.hits() != 0 {
		t.Errorf("%d requests made for invalid arguments", srv.hits())
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("database created: %v", err)
	}
}

// The source comes from --source, else $FNAUDIT_DB_SOURCE, else osv.dev;
// ecosystem names are matched without regard to case.
func TestUpdateSourceFromEnvironment(t *testing.T) {
	srv := newExportServer(t)
	t.Setenv(SourceEnv, srv.URL)
	db := filepath.Join(t.TempDir(), "a.db")
	res, err := Update(context.Background(), db, UpdateOptions{Ecosystems: []string{"pypi", "PyPI"}, RetryWait: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Ecosystems) != 1 || res.Ecosystems[0].URL != srv.URL+"/PyPI/all.zip" || res.Stats.Inserted != 40 {
		t.Errorf("result %s", mustJSON(t, res))
	}
}

// Moving an ecosystem to another server (a mirror) drops what the old one
// provided.
func TestUpdateMirrorReplacesPreviousSource(t *testing.T) {
	a, b := newExportServer(t), newExportServer(t)
	b.set("npm", exportZip(t, corpusFiles(t, "npm")[:10]))
	db := filepath.Join(t.TempDir(), "a.db")
	ctx := context.Background()
	if _, err := Update(ctx, db, UpdateOptions{Source: a.URL, Ecosystems: []string{"npm"}}); err != nil {
		t.Fatal(err)
	}
	res, err := Update(ctx, db, UpdateOptions{Source: b.URL, Ecosystems: []string{"npm"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats != (ImportStats{Read: 10, Replaced: 10, Removed: 24}) {
		t.Errorf("stats %+v", res.Stats)
	}
	s, _ := Open(db)
	defer s.Close()
	st, _ := s.Status(ctx, t0)
	if len(st.Sources) != 1 || st.Sources[0].Source != b.URL+"/npm/all.zip" || st.Totals.Total != 10 {
		t.Errorf("status %s", mustJSON(t, st))
	}
}

type recordingProgress struct {
	mu     sync.Mutex
	starts []string
	bytes  int64
	errs   []error
}

func (p *recordingProgress) Start(eco string, size int64, body io.Reader) (io.Reader, func(error)) {
	p.mu.Lock()
	p.starts = append(p.starts, fmt.Sprintf("%s:%d", eco, size))
	p.mu.Unlock()
	return io.TeeReader(body, writerFunc(func(b []byte) (int, error) {
			p.mu.Lock()
			p.bytes += int64(len(b))
			p.mu.Unlock()
			return len(b), nil
		})), func(err error) {
			p.mu.Lock()
			p.errs = append(p.errs, err)
			p.mu.Unlock()
		}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

func TestUpdateReportsProgress(t *testing.T) {
	srv := newExportServer(t)
	p := &recordingProgress{}
	opts := srv.options()
	opts.Ecosystems = []string{"Go", "npm"}
	opts.Progress = p
	if _, err := Update(context.Background(), filepath.Join(t.TempDir(), "a.db"), opts); err != nil {
		t.Fatal(err)
	}
	want := []string{fmt.Sprintf("Go:%d", len(srv.bodies["Go"])), fmt.Sprintf("npm:%d", len(srv.bodies["npm"]))}
	if !reflect.DeepEqual(p.starts, want) || p.bytes != int64(len(srv.bodies["Go"])+len(srv.bodies["npm"])) || !reflect.DeepEqual(p.errs, []error{nil, nil}) {
		t.Errorf("progress: starts %v (want %v), %d bytes, errs %v", p.starts, want, p.bytes, p.errs)
	}
}

// A server that ignores If-None-Match but answers with the ETag already
// imported is treated as unchanged, without reading the body.
func TestUpdateSameETagWithoutConditionalSupport(t *testing.T) {
	srv := newExportServer(t)
	db := updatedCorpus(t, srv)
	digest := fileDigest(t, db)
	srv.override = func(w http.ResponseWriter, r *http.Request, eco string, body []byte) bool {
		w.Header().Set("ETag", srv.etags[eco])
		w.Write(body)
		return true
	}
	res, err := Update(context.Background(), db, srv.options())
	if err != nil {
		t.Fatal(err)
	}
	if res.Rebuilt || fileDigest(t, db) != digest {
		t.Errorf("same ETag rebuilt the database: %+v", res)
	}
}
