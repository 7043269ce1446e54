package feeds

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/fnaudit/fnaudit/internal/benchgen"
)

// benchRecords is the size of the synthetic export.
const benchRecords = benchgen.NPMExportRecords

// npmLikeExport writes the synthetic npm export (see benchgen.WriteNPMExport).
func npmLikeExport(tb testing.TB, path string, n int) []string {
	tb.Helper()
	names, err := benchgen.WriteNPMExport(path, n, corpusDir)
	if err != nil {
		tb.Fatal(err)
	}
	return names
}

// benchExport returns the benchmark export and its package names: the one
// TestWriteBenchExport left in $FNAUDIT_BENCH_EXPORT if set (saves
// regenerating it for every benchmark), else a new one in dir.
func benchExport(b *testing.B, dir string) (string, []string) {
	if d := os.Getenv("FNAUDIT_BENCH_EXPORT"); d != "" {
		export := filepath.Join(d, "osv-scalibr", "npm", "all.zip")
		raw, err := os.ReadFile(filepath.Join(d, "names.json"))
		var names []string
		if err == nil && json.Unmarshal(raw, &names) == nil {
			if _, err := os.Stat(export); err == nil {
				return export, names
			}
		}
	}
	export := filepath.Join(dir, "all.zip")
	return export, npmLikeExport(b, export, benchRecords)
}

// lookupNames picks 500 names to look up: 400 present (a quarter of them
// among the packages with several records), 100 absent.
func lookupNames(names []string) []string {
	rng := rand.New(rand.NewPCG(3, 4))
	out := make([]string, 0, 500)
	for i := range 400 {
		if i%4 == 0 {
			out = append(out, names[rng.IntN(len(names)/5)])
		} else {
			out = append(out, names[rng.IntN(len(names))])
		}
	}
	for i := range 100 {
		out = append(out, fmt.Sprintf("absent-%d", i))
	}
	return out
}

// peakRSSMB is this process's peak resident set size so far.
func peakRSSMB() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // Linux reports KiB
}

// BenchmarkImportNPMExport imports a 250,000-record npm-shaped export into
// a new database (target: 60 s on 2 cores, peak memory 300 MB; the peak
// reported covers the whole benchmark process, generation included).
func BenchmarkImportNPMExport(b *testing.B) {
	dir := b.TempDir()
	export, _ := benchExport(b, dir)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		db := filepath.Join(dir, fmt.Sprintf("bench-%d.db", i))
		st, err := Import(ctx, db, []string{export})
		if err != nil {
			b.Fatal(err)
		}
		if st.Inserted != benchRecords {
			b.Fatalf("inserted %d records, want %d", st.Inserted, benchRecords)
		}
		b.StopTimer()
		if i == 0 {
			if fi, err := os.Stat(db); err == nil {
				b.ReportMetric(float64(fi.Size())/(1<<20), "db-MB")
			}
			if fi, err := os.Stat(export); err == nil {
				b.ReportMetric(float64(fi.Size())/(1<<20), "zip-MB")
			}
		}
		os.Remove(db)
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(benchRecords)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(peakRSSMB(), "peakRSS-MB")
}

// BenchmarkOpenAnd500Lookups opens the imported database and looks up 500
// npm packages, decoding every record returned (target: 100 ms).
func BenchmarkOpenAnd500Lookups(b *testing.B) {
	dir := b.TempDir()
	export, all := benchExport(b, dir)
	names := lookupNames(all)
	db := filepath.Join(dir, "bench.db")
	ctx := context.Background()
	if _, err := Import(ctx, db, []string{export}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	found := 0
	for range b.N {
		s, err := Open(db)
		if err != nil {
			b.Fatal(err)
		}
		found = 0
		for _, n := range names {
			vs, err := s.Lookup(ctx, "npm", n)
			if err != nil {
				b.Fatal(err)
			}
			found += len(vs)
		}
		s.Close()
	}
	b.StopTimer()
	if found < 400 {
		b.Fatalf("only %d records found for 400 present packages", found)
	}
	b.ReportMetric(float64(found), "records/op")
}

// TestWriteBenchExport writes the benchmark's export for a side-by-side run
// against osv-scanner: FNAUDIT_BENCH_EXPORT=DIR go test ./feeds -run
// TestWriteBenchExport writes DIR/osv-scalibr/npm/all.zip (osv-scanner's
// offline layout, OSV_SCALIBR_LOCAL_DB_CACHE_DIRECTORY=DIR) and
// DIR/project/package-lock.json naming the 500 packages the lookup
// benchmark looks up. Skipped otherwise.
func TestWriteBenchExport(t *testing.T) {
	dir := os.Getenv("FNAUDIT_BENCH_EXPORT")
	if dir == "" {
		t.Skip("set FNAUDIT_BENCH_EXPORT=DIR to write the benchmark export")
	}
	zdir := filepath.Join(dir, "osv-scalibr", "npm")
	pdir := filepath.Join(dir, "project")
	for _, d := range []string{zdir, pdir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	all := npmLikeExport(t, filepath.Join(zdir, "all.zip"), benchRecords)
	rawNames, _ := json.Marshal(all)
	if err := os.WriteFile(filepath.Join(dir, "names.json"), rawNames, 0o644); err != nil {
		t.Fatal(err)
	}
	names := lookupNames(all)
	pkgs := map[string]any{"": map[string]any{"name": "bench", "version": "1.0.0"}}
	for _, n := range names {
		pkgs["node_modules/"+n] = map[string]any{"version": "1.0.0"}
	}
	lock, _ := json.MarshalIndent(map[string]any{"name": "bench", "version": "1.0.0", "lockfileVersion": 3, "packages": pkgs}, "", "  ")
	if err := os.WriteFile(filepath.Join(pdir, "package-lock.json"), lock, 0o644); err != nil {
		t.Fatal(err)
	}
}
