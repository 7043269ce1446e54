package inventory_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/internal/invgen"
	"github.com/fnaudit/fnaudit/inventory"
)

// buildInventory is a fresh inventory on backend filled by invgen with n
// function versions (closed when b ends).
func buildInventory(b *testing.B, backend string, corpus []invgen.Name, n int) *inventory.Store {
	b.Helper()
	ctx := context.Background()
	s, err := inventory.Open(ctx, inventory.FreshDSN(b, backend))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	start := time.Now()
	st, err := invgen.Build(ctx, s, corpus, invgen.Options{Versions: n, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: built %d versions, %d functions, %d package rows, %d findings in %s",
		backend, st.Versions, st.Functions, st.Packages, st.Findings, time.Since(start).Round(time.Millisecond))
	return s
}

// BenchmarkInventory builds a synthetic inventory per backend
// (benchVersions function versions, ~300 packages each, 100 shared layers)
// and measures what investigate and rematch ask of the store. Only `make
// bench` (go test -bench) runs it. Issue 12's size:
//
//	FNAUDIT_BENCH_VERSIONS=10000 go test -run '^$' -bench BenchmarkInventory -benchtime 1x ./inventory
func BenchmarkInventory(b *testing.B) {
	n := benchVersions()
	corpus, err := invgen.CorpusNames("../testdata/functions/expected-packages.json")
	if err != nil {
		b.Fatal(err)
	}
	for _, backend := range inventory.Backends() {
		b.Run(backend, func(b *testing.B) {
			ctx := context.Background()
			s := buildInventory(b, backend, corpus, n)

			b.Run("investigate", func(b *testing.B) {
				var samples []time.Duration
				hits := 0
				// 20 queries an op: a median over enough samples at -benchtime 1x.
				cpu0 := cpuTime()
				for b.Loop() {
					for range 20 {
						t := time.Now()
						h, err := s.Investigate(ctx, inventory.Query{Ecosystem: "npm", Name: "lodash"})
						samples = append(samples, time.Since(t))
						if err != nil {
							b.Fatal(err)
						}
						hits = len(h)
					}
				}
				b.ReportMetric(median(samples), "median-ms")
				b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(len(samples)), "cpu-ms/query")
				b.ReportMetric(float64(hits), "hits")
			})
			pool := invgen.Pool(corpus, 5000)
			var changed []inventory.NameKey
			for k := range 500 {
				p := pool[(k*7919)%len(pool)]
				changed = append(changed, inventory.NameKey{Ecosystem: p.Ecosystem, Name: p.Name})
			}
			b.Run("rematch-incremental-500", func(b *testing.B) {
				var samples []time.Duration
				cpu0 := cpuTime()
				rows := 0
				for b.Loop() {
					t := time.Now()
					rows = 0
					err := s.RematchPackages(ctx, changed, func(a inventory.ArtifactPackages) error {
						rows += len(a.Packages)
						return nil
					})
					samples = append(samples, time.Since(t))
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(median(samples), "median-ms")
				b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(len(samples)), "cpu-ms/op")
				b.ReportMetric(float64(rows), "packages")
			})
			// The two-step incremental path: the versions of the changed
			// names from the index, then the rows of one version in twenty
			// (as if the changed records hit those), and the artifacts whose
			// findings name a changed package (candidates for "fixed").
			b.Run("rematch-incremental-500-twostep", func(b *testing.B) {
				var samples []time.Duration
				cpu0 := cpuTime()
				rows, versions, fixedCands := 0, 0, 0
				for b.Loop() {
					t := time.Now()
					pv, err := s.PackageVersions(ctx, changed)
					if err != nil {
						b.Fatal(err)
					}
					var hit []inventory.PackageVersion
					for i, v := range pv {
						if i%20 == 0 {
							hit = append(hit, v)
						}
					}
					rows = 0
					if err := s.AffectedPackages(ctx, hit, func(a inventory.ArtifactPackages) error {
						rows += len(a.Packages)
						return nil
					}); err != nil {
						b.Fatal(err)
					}
					withF, err := s.ArtifactsWithFindings(ctx, changed)
					if err != nil {
						b.Fatal(err)
					}
					samples = append(samples, time.Since(t))
					versions, fixedCands = len(pv), len(withF)
				}
				b.ReportMetric(median(samples), "median-ms")
				b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(len(samples)), "cpu-ms/op")
				b.ReportMetric(float64(versions), "versions")
				b.ReportMetric(float64(rows), "packages")
				b.ReportMetric(float64(fixedCands), "artifacts-with-findings")
			})
			b.Run("rematch-full", func(b *testing.B) {
				var samples []time.Duration
				cpu0 := cpuTime()
				rows := 0
				for b.Loop() {
					t := time.Now()
					rows = 0
					err := s.RematchPackages(ctx, nil, func(a inventory.ArtifactPackages) error {
						rows += len(a.Packages)
						return nil
					})
					samples = append(samples, time.Since(t))
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(median(samples), "median-ms")
				b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(len(samples)), "cpu-ms/op")
				b.ReportMetric(float64(rows), "packages")
			})
		})
	}
}

// benchVersions is FNAUDIT_BENCH_VERSIONS, else 500: `make bench` runs
// every benchmark three times over, and issue 12's 10,000 versions take
// minutes per backend to build; give the size to measure at it.
func benchVersions() int {
	if v, err := strconv.Atoi(os.Getenv("FNAUDIT_BENCH_VERSIONS")); err == nil && v > 0 {
		return v
	}
	return 500
}

// cpuTime is the process's user+system CPU time so far: on a shared,
// oversubscribed machine the wall-clock median says more about the
// neighbours than about the query, so the benchmarks report both.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func median(d []time.Duration) float64 {
	if len(d) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(d))
	return float64(s[len(s)/2].Microseconds()) / 1000
}
