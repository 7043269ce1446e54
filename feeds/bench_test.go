package feeds

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// benchRecords is the size of the synthetic export: the order of osv.dev's
// real npm export, which is mostly OpenSSF MAL records.
const benchRecords = 250_000

// npmLikeExport writes to path a synthetic export of n records shaped like
// osv.dev's npm all.zip: 94% MAL records and 6% GHSA records, each a real
// record of the corpus (so sizes and field mixes are real) with a new id,
// package name and dates. 60% of the records have a package of their own;
// the other 40% fall on a fifth of those packages, so about 30,000 packages
// have several records (4 or 5 on average), as popular names squatted again
// and again do. It returns the package names, in order of first use.
func npmLikeExport(tb testing.TB, path string, n int) []string {
	tb.Helper()
	type template struct {
		raw                     string
		id, modified, published string
		names                   []string // affected package names, in order
	}
	var mal, ghsa []template
	for _, f := range corpusFiles(tb, "npm") {
		raw, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		v := readRecord(tb, f)
		t := template{raw: string(raw), id: v.GetId(), modified: v.GetModified().AsTime().Format(time.RFC3339), published: v.GetPublished().AsTime().Format(time.RFC3339)}
		for _, a := range v.GetAffected() {
			t.names = append(t.names, a.GetPackage().GetName())
		}
		for _, want := range []string{`"id": "` + t.id + `"`, `"modified": "` + t.modified + `"`} {
			if !strings.Contains(t.raw, want) {
				tb.Fatalf("%s: %s not found verbatim", f, want)
			}
		}
		if strings.HasPrefix(t.id, "MAL-") {
			mal = append(mal, t)
		} else {
			ghsa = append(ghsa, t)
		}
	}
	out, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	rng := rand.New(rand.NewPCG(1, 2))
	distinct := n * 6 / 10
	names := make([]string, 0, distinct)
	base := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		var name string
		if i < distinct {
			if i%10 == 0 {
				name = fmt.Sprintf("@scope%d/pkg-%d", i%1000, i)
			} else {
				name = fmt.Sprintf("pkg-%d", i)
			}
			names = append(names, name)
		} else {
			name = names[rng.IntN(distinct/5)]
		}
		date := base.Add(time.Duration(rng.Int64N(int64(4 * 365 * 24 * time.Hour)))).Format(time.RFC3339)
		var t template
		var id string
		if rng.IntN(100) < 94 {
			t = mal[rng.IntN(len(mal))]
			id = fmt.Sprintf("MAL-%d-%d", 2022+i%5, i)
		} else {
			t = ghsa[rng.IntN(len(ghsa))]
			id = fmt.Sprintf("GHSA-%04x-%04x-%04x", i&0xffff, (i>>16)&0xffff, rng.IntN(0x10000))
		}
		pairs := []string{
			`"id": "` + t.id + `"`, `"id": "` + id + `"`,
			`"modified": "` + t.modified + `"`, `"modified": "` + date + `"`,
			`"published": "` + t.published + `"`, `"published": "` + date + `"`,
		}
		for k, pn := range t.names {
			nn := name
			if k > 0 {
				nn = fmt.Sprintf("%s-extra-%d", name, k)
			}
			pairs = append(pairs, `"name": "`+pn+`"`, `"name": "`+nn+`"`)
		}
		w, err := zw.Create(id + ".json")
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := strings.NewReplacer(pairs...).WriteString(w, t.raw); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
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
