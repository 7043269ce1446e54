package inventory

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestConcurrentRecord: retried and parallel jobs recording the same
// artifact for several functions at once store it once and every run once.
func TestConcurrentRecord(t *testing.T) {
	c := loadCorpus(t)
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openT(t, dsn)
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for g := range 4 {
			wg.Go(func() {
				for i := range 4 {
					rec := corpusRecord(c, awsFn(fmt.Sprintf("fn-%d", i)), "node-app.zip", []string{"node-layer.zip"},
						t0.Add(time.Duration(i)*time.Minute), "gen-1")
					rec.Run.Key = fmt.Sprintf("job-%d", i) // every goroutine retries the same four jobs
					if _, err := s.RecordScan(context.Background(), rec); err != nil {
						errs <- fmt.Errorf("goroutine %d job %d: %w", g, i, err)
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		n := len(c["node-app.zip"].Packages) + len(c["node-layer.zip"].Packages)
		eq(t, "rows", [5]int{count(t, s, "functions"), count(t, s, "versions"), count(t, s, "artifacts"), count(t, s, "packages"), count(t, s, "scan_runs")},
			[5]int{4, 4, 1, n, 4})
	})
}
