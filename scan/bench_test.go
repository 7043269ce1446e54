package scan

import (
	"context"
	"testing"
	"time"
)

// BenchmarkScanStages is where a small scan spends its time once the engine
// is open: every iteration is a second-or-later scan in the same process
// (the license scanner and trusted root are built, the database is open).
// Each stage is reported as its own metric (ms/op).
//
//	go test -run '^$' -bench ScanStages -benchtime 10x ./scan
func BenchmarkScanStages(b *testing.B) {
	e := openEngine(b, b.TempDir())
	for _, name := range []string{"event-stream-reconstruction.zip", "go-bootstrap.zip", "node-app.zip"} {
		b.Run(name, func(b *testing.B) {
			req := Request{Target: fn(name)}
			// The first scan of the process pays the shared set-up; keep it
			// out of the figures.
			if _, err := e.Scan(context.Background(), req); err != nil {
				b.Fatal(err)
			}
			stages := map[string]time.Duration{}
			var order []string
			b.ResetTimer()
			for b.Loop() {
				res, err := e.Scan(context.Background(), req)
				if err != nil {
					b.Fatal(err)
				}
				for _, t := range res.Timings {
					if _, ok := stages[t.Stage]; !ok {
						order = append(order, t.Stage)
					}
					stages[t.Stage] += t.Duration
				}
			}
			for _, s := range order {
				b.ReportMetric(float64(stages[s].Microseconds())/1000/float64(b.N), s+"-ms/op")
			}
		})
	}
}

// BenchmarkEngineOpen is the per-process set-up a scan command pays before
// its first scan: the database opened, the license scanner built (once per
// process, so only the first iteration builds it: see sbom.Preload), the
// trusted root parsed.
func BenchmarkEngineOpen(b *testing.B) {
	db, err := corpusDB()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		e, err := Open(context.Background(), Config{DBPath: db, AcceptStale: true})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := trustedRoot(); err != nil {
			b.Fatal(err)
		}
		e.Close()
	}
}
