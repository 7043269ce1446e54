package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/policy"
)

// sixteenScans are sixteen different scans of the corpus: every function
// alone, the functions with their layers, and under stricter policies.
func sixteenScans() []Request {
	pol := func(mut func(*policy.Policy)) *policy.Policy {
		p := policy.Default()
		mut(p)
		return p
	}
	low := pol(func(p *policy.Policy) { p.FailOn = core.SeverityLow })
	return []Request{
		{Target: fn("event-stream-reconstruction.zip")},
		{Target: fn("go-bootstrap.zip")},
		{Target: fn("java-app.zip")},
		{Target: fn("node-app.zip")},
		{Target: fn("node-layer.zip")},
		{Target: fn("python-app.zip")},
		{Target: fn("python-layer.zip")},
		{Target: fn("node-app.zip"), Layers: []string{fn("node-layer.zip")}},
		{Target: fn("python-app.zip"), Layers: []string{fn("python-layer.zip")}},
		{Target: fn("event-stream-reconstruction.zip"), Policy: low},
		{Target: fn("go-bootstrap.zip"), Policy: pol(func(p *policy.Policy) { p.FailOnUnknown = true })},
		{Target: fn("java-app.zip"), Policy: low},
		{Target: fn("node-app.zip"), Layers: []string{fn("node-layer.zip")}, Policy: pol(func(p *policy.Policy) { p.FailOnShadowed = true })},
		{Target: fn("python-app.zip"), Policy: pol(func(p *policy.Policy) { p.FailOnUnknown = true })},
		{Target: fn("python-layer.zip"), Policy: low},
		{Target: fn("go-bootstrap.zip"), Policy: pol(func(p *policy.Policy) { p.IgnoreUnreachable = true })},
	}
}

// resultJSON is a result's JSON with its timestamp dropped.
func resultJSON(t *testing.T, res *Result) []byte {
	t.Helper()
	r := *res.Report
	r.CreatedAt = time.Time{}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", " ")
	if err := enc.Encode(&r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestConcurrentScans runs sixteen scans at once through one engine and
// gets exactly what sixteen sequential scans give; every scan's private
// directory is gone at the end, and TMPDIR is never touched.
func TestConcurrentScans(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	e := openEngine(t, root)
	reqs := sixteenScans()
	now := time.Now()
	tmpdir, hadTmpdir := os.LookupEnv("TMPDIR")

	want := make([][]byte, len(reqs))
	for i, req := range reqs {
		req.Now = now
		res, err := e.Scan(context.Background(), req)
		if err != nil {
			t.Fatalf("sequential scan %d (%s): %v", i, req.Target, err)
		}
		want[i] = resultJSON(t, res)
	}

	// Watch TMPDIR while the concurrent scans run.
	var changed atomic.Bool
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for {
			if v, ok := os.LookupEnv("TMPDIR"); v != tmpdir || ok != hadTmpdir {
				changed.Store(true)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	got := make([][]byte, len(reqs))
	errs := make([]error, len(reqs))
	var wg sync.WaitGroup
	for i, req := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req.Now = now
			res, err := e.Scan(context.Background(), req)
			if err != nil {
				errs[i] = err
				return
			}
			got[i] = resultJSON(t, res)
		}()
	}
	wg.Wait()
	close(stop)
	<-watched

	for i := range reqs {
		if errs[i] != nil {
			t.Errorf("concurrent scan %d (%s): %v", i, reqs[i].Target, errs[i])
			continue
		}
		if !bytes.Equal(got[i], want[i]) {
			t.Errorf("concurrent scan %d (%s) differs from the sequential one:\n%s", i, reqs[i].Target, firstDiff(want[i], got[i]))
		}
	}
	if changed.Load() {
		t.Error("TMPDIR changed while scans ran")
	}
	left, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("scans left %d entries in their temp root (first: %s)", len(left), left[0].Name())
	}
	// The scans are not all alike: their gates fail on different numbers
	// of findings (policies and functions differ).
	failing := map[int]bool{}
	for i := range reqs {
		var r struct{ Gate struct{ Failing int } }
		if err := json.Unmarshal(got[i], &r); err != nil {
			t.Fatal(err)
		}
		failing[r.Gate.Failing] = true
	}
	if len(failing) < 4 {
		t.Errorf("want at least 4 different failing counts across the scans, got %v", failing)
	}
}

func firstDiff(a, b []byte) string {
	al, bl := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; i < len(al) && i < len(bl); i++ {
		if !bytes.Equal(al[i], bl[i]) {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d lines", len(al), len(bl))
}
