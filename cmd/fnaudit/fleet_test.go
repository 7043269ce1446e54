package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/fnaudit/fnaudit/fleet"
	"github.com/fnaudit/fnaudit/inventory"
)

// receiver records the JSON messages POSTed to it.
type receiver struct {
	mu   sync.Mutex
	msgs []fleet.Notification
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	var n fleet.Notification
	if err := json.Unmarshal(b, &n); err != nil || req.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "bad message", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.msgs = append(r.msgs, n)
	r.mu.Unlock()
}

// TestFleetManifestCLI runs the README's bundled manifest through `fleet
// scan` twice with --notify: each run POSTs exactly one message (the first
// with the new failing findings, the second with none), the gate fails
// (exit 1), and the second run finds every function unchanged.
func TestFleetManifestCLI(t *testing.T) {
	db := corpusDB(t)
	inv := filepath.Join(t.TempDir(), "inventory.db")
	rcv := &receiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	manifest := "../../testdata/fleet/manifest.yaml"
	args := append(append([]string{}, db...), "fleet", "scan", "--manifest", manifest, "--inventory", inv, "-o", "json", "--notify", srv.URL+"/hook")

	code, out, errs := runCLI(t, args...)
	if code != 1 {
		t.Fatalf("first run: exit %d, want 1 (gate fails)\n%s", code, errs)
	}
	var s1 fleet.Summary
	if err := json.Unmarshal([]byte(out), &s1); err != nil {
		t.Fatalf("summary: %v\n%s", err, out)
	}
	if s1.Listed != 4 || s1.Scanned != 4 || s1.Unchanged != 0 || s1.Errors != 0 || s1.Failing == 0 {
		t.Fatalf("first run summary: %+v", s1)
	}
	if len(s1.SharedRoles) != 0 { // 3 functions share a role; the summary lists roles of 5 or more
		t.Fatalf("shared roles: %+v", s1.SharedRoles)
	}
	if len(s1.EOLRuntimes) != 1 || s1.EOLRuntimes[0].Runtime != "nodejs16.x" || !strings.HasSuffix(s1.EOLRuntimes[0].Function, "legacy-orders") {
		t.Fatalf("eol runtimes: %+v", s1.EOLRuntimes)
	}
	if len(rcv.msgs) != 1 {
		t.Fatalf("first run: %d messages, want 1", len(rcv.msgs))
	}
	m := rcv.msgs[0]
	failing := s1.NewFailing()
	if len(m.Findings) != len(failing) || len(failing) == 0 || !strings.Contains(m.Text, "new failing finding") || m.RunID != s1.RunID {
		t.Fatalf("message: %d findings (summary has %d new failing), text %q", len(m.Findings), len(failing), m.Text)
	}
	for i, f := range m.Findings {
		if f != failing[i] || f.Verdict != "fail" {
			t.Fatalf("message finding %d = %+v, want %+v", i, f, failing[i])
		}
	}

	code, out, errs = runCLI(t, args...)
	if code != 1 {
		t.Fatalf("second run: exit %d\n%s", code, errs)
	}
	var s2 fleet.Summary
	if err := json.Unmarshal([]byte(out), &s2); err != nil {
		t.Fatal(err)
	}
	if s2.Unchanged != 4 || s2.Scanned != 0 || len(s2.New) != 0 || len(s2.StillOpen) != len(s1.New) {
		t.Fatalf("second run: %+v", s2)
	}
	if len(rcv.msgs) != 2 || len(rcv.msgs[1].Findings) != 0 {
		t.Fatalf("second run: %d messages in all, last with %d findings; want 2 and 0", len(rcv.msgs), len(rcv.msgs[len(rcv.msgs)-1].Findings))
	}

	// Receiver down: exit 2 after retries, and the run is still stored
	// (a third run sees the same inventory and a working receiver).
	srv.Close()
	down := append(append([]string{}, db...), "fleet", "scan", "--manifest", manifest, "--inventory", inv, "-o", "json", "--notify", srv.URL+"/hook")
	code, _, errs = runCLI(t, down...)
	if code != 2 || !strings.Contains(errs, "gave up after 4 attempts") || !strings.Contains(errs, "results are stored") {
		t.Fatalf("receiver down: exit %d, want 2 after retries\n%s", code, errs)
	}
	st, err := inventory.Open(context.Background(), inv)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h, err := st.History(context.Background(), inventory.FunctionRef{Source: "manifest", Account: "123456789012", Region: "eu-west-1", Name: "orders-api"})
	if err != nil || len(h) != 3 {
		t.Fatalf("orders-api history: %d runs (%v), want 3 (the run whose notification failed included)", len(h), err)
	}
}
