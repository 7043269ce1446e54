package inventory_test

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/internal/invgen"
	"github.com/fnaudit/fnaudit/inventory"
	"github.com/fnaudit/fnaudit/policy"
)

// Sizes of the advisory side of BenchmarkRematchEndToEnd: one record on
// every fifth name of invgen's pool to start with, then imports of 500
// records each (half of them changed ranges of existing records, half new
// records on names no record named before).
const (
	benchBaseRecords = 1000
	benchChanged     = 500
	benchRounds      = 3 // incremental rematches measured per step
)

// BenchmarkRematchEndToEnd is issue 12's rematch measure end to end: an
// invgen inventory (benchVersions function versions, ~300 packages each,
// 100 shared layers), a real advisory database built by feeds.Import from
// records made out of testdata/osv (invgen.Advisories), and Store.Rematch
// as `inventory rematch` runs it: match.Match on the stored packages, the
// default policy's verdicts, findings written, new and fixed reported.
//
//   - full-first: the first full rematch, replacing every artifact's
//     findings (invgen's synthetic generation) with the database's;
//   - incremental-500: after an import that changes 500 records (a fresh
//     500 each iteration; the import is not timed): 450 edits that change
//     no finding (summary, modified time and a database_specific date, so
//     they still count as changed records: feeds/matchsum.go), 25 ranges
//     widened, 25 new records;
//   - incremental-500-changing: the same with 250 ranges widened and 250
//     new records, so that nearly every artifact gets new findings;
//   - full: a full rematch with nothing new to find (what --full costs on
//     a matched inventory);
//   - investigate: one package name with findings, through Store.Investigate.
//
// Each reports the wall-clock median (of benchRounds imports and rematches
// for the incremental steps) and this process's CPU time per op (on
// PostgreSQL the server's CPU is in its own processes, not counted).
//
//	FNAUDIT_BENCH_VERSIONS=10000 go test -run '^$' -bench 'BenchmarkRematchEndToEnd/sqlite' -benchtime 1x -timeout 60m ./inventory
func BenchmarkRematchEndToEnd(b *testing.B) {
	n := benchVersions()
	corpus, err := invgen.CorpusNames("../testdata/functions/expected-packages.json")
	if err != nil {
		b.Fatal(err)
	}
	tmpl, err := invgen.LoadTemplates("../testdata/osv")
	if err != nil {
		b.Fatal(err)
	}
	pool := invgen.Pool(corpus, 5000) // invgen.Build's default NamePool
	for _, backend := range inventory.Backends() {
		b.Run(backend, func(b *testing.B) {
			ctx := context.Background()
			s := buildInventory(b, backend, corpus, n)

			dbPath := filepath.Join(b.TempDir(), "advisories.db")
			base := make([]invgen.Record, benchBaseRecords)
			for k := range base {
				base[k] = invgen.Record{Key: k, Name: pool[5*k]}
			}
			baseDir := filepath.Join(b.TempDir(), "base")
			if err := tmpl.Write(baseDir, base); err != nil {
				b.Fatal(err)
			}
			if _, err := feeds.Import(ctx, dbPath, []string{baseDir}); err != nil {
				b.Fatal(err)
			}
			open := func(b *testing.B) *feeds.Store {
				db, err := feeds.Open(dbPath)
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { db.Close() })
				return db
			}
			// Each step's samples carry its name in a CPU profile
			// (-cpuprofile, then go tool pprof -tagfocus step=NAME).
			rematch := func(b *testing.B, db *feeds.Store, full bool) (res inventory.RematchResult) {
				var err error
				pprof.Do(ctx, pprof.Labels("step", path.Base(b.Name())), func(ctx context.Context) {
					res, err = s.Rematch(ctx, inventory.FeedsAdvisories(db), full, defaultVerdicts(time.Now()))
				})
				if err != nil {
					b.Fatal(err)
				}
				return res
			}
			report := func(b *testing.B, samples []time.Duration, cpu time.Duration, res inventory.RematchResult) {
				b.ReportMetric(median(samples), "median-ms")
				b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(samples)), "cpu-ms/op")
				b.ReportMetric(float64(res.Artifacts), "artifacts")
				b.ReportMetric(float64(len(res.Changes)), "changed-artifacts")
				b.ReportMetric(float64(len(res.Changed)), "names")
				nw, fx := 0, 0
				for _, c := range res.Changes {
					nw += len(c.New)
					fx += len(c.Fixed)
				}
				b.ReportMetric(float64(nw), "new")
				b.ReportMetric(float64(fx), "fixed")
			}

			// full runs full rematches against the current database.
			full := func(b *testing.B) {
				db := open(b)
				var samples []time.Duration
				var cpu time.Duration
				var res inventory.RematchResult
				for b.Loop() {
					t, c := time.Now(), cpuTime()
					res = rematch(b, db, true)
					samples, cpu = append(samples, time.Since(t)), cpu+cpuTime()-c
				}
				report(b, samples, cpu, res)
			}
			b.Run("full-first", full)
			ch := newChanges(pool)
			// incremental-500: 500 changed records as upstream churn looks
			// (most edits leave every match as it was); -changing-500: all
			// 500 change what they affect (the worst case: every artifact
			// carrying one of the names gets new findings).
			for _, c := range []struct {
				name         string
				widen, fresh int
			}{{"incremental-500", 25, 25}, {"incremental-500-changing", 250, 250}} {
				b.Run(c.name, func(b *testing.B) {
					var samples []time.Duration
					var cpu time.Duration
					var res inventory.RematchResult
					// At least benchRounds imports, so that the median is
					// of several rematches even at -benchtime 1x.
					for i := 0; i < max(b.N, benchRounds); i++ {
						b.StopTimer()
						dir := filepath.Join(b.TempDir(), fmt.Sprintf("changed-%d", ch.round))
						if err := tmpl.Write(dir, ch.next(c.widen, c.fresh)); err != nil {
							b.Fatal(err)
						}
						stats, err := feeds.Import(ctx, dbPath, []string{dir})
						if err != nil {
							b.Fatal(err)
						}
						if i == 0 {
							b.Logf("import %d: %+v", ch.round, stats)
						}
						db := open(b)
						b.StartTimer()
						t, c := time.Now(), cpuTime()
						res = rematch(b, db, false)
						samples, cpu = append(samples, time.Since(t)), cpu+cpuTime()-c
						if res.Full {
							b.Fatalf("incremental rematch fell back to full: %s", res.FullReason)
						}
					}
					report(b, samples, cpu, res)
				})
			}
			b.Run("full", full)
			b.Run("investigate", func(b *testing.B) {
				name := pool[0] // record key 0's name: affected since the base import
				var samples []time.Duration
				hits := 0
				cpu0 := cpuTime()
				for b.Loop() {
					for range 20 {
						t := time.Now()
						h, err := s.Investigate(ctx, inventory.Query{Ecosystem: name.Ecosystem, Name: name.Name})
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
		})
	}
}

// changes makes the import rounds of one backend: each round changes
// benchChanged records, widen of them base records whose range now takes
// in more versions, fresh of them new records on names no earlier record
// named, and the rest base records edited as most upstream edits are
// (modified time and summary; nothing a match reads).
type changes struct {
	pool  []invgen.Name
	rev   []int // each base record's current revision
	round int
	fresh int // new records so far
}

func newChanges(pool []invgen.Name) *changes {
	return &changes{pool: pool, rev: make([]int, benchBaseRecords)}
}

func (c *changes) next(widen, fresh int) []invgen.Record {
	out := make([]invgen.Record, 0, benchChanged)
	c.round++
	for j := range benchChanged - fresh {
		k := ((c.round-1)*benchChanged + j) % benchBaseRecords
		r := invgen.Record{Key: k, Name: c.pool[5*k], Edit: c.round}
		if j < widen {
			c.rev[k]++
		}
		r.Revision = c.rev[k]
		out = append(out, r)
	}
	for range fresh {
		n := c.fresh
		c.fresh++
		out = append(out, invgen.Record{Key: benchBaseRecords + n,
			Name: c.pool[(5*(n%benchBaseRecords)+1+n/benchBaseRecords)%len(c.pool)]})
	}
	return out
}

// defaultVerdicts is `inventory rematch`'s verdict function with the
// default policy (cmd/fnaudit/inventory.go).
func defaultVerdicts(now time.Time) inventory.Verdicts {
	return inventory.PolicyVerdicts(policy.Default(), now)
}
