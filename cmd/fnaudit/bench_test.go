package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/internal/benchgen"
)

var benchDB struct {
	once sync.Once
	path string
	err  error
}

// cachedBenchDB is the 250,102-record database (the synthetic npm export
// plus the corpus records) built once into the user cache directory from
// the same zips scripts/bench-peers.sh gives osv-scanner.
func cachedBenchDB(b *testing.B) string {
	benchDB.once.Do(func() {
		dir, err := benchgen.CachedExport(osvDir)
		if err != nil {
			benchDB.err = err
			return
		}
		benchDB.path = filepath.Join(dir, "fnaudit.db")
		if _, err := os.Stat(benchDB.path); err == nil {
			return
		}
		zips, err := filepath.Glob(filepath.Join(dir, "osv-scalibr", "*", "all.zip"))
		if err != nil {
			benchDB.err = err
			return
		}
		_, benchDB.err = feeds.Import(context.Background(), benchDB.path, zips)
	})
	if benchDB.err != nil {
		b.Fatal(benchDB.err)
	}
	return benchDB.path
}

// benchScan runs `fnaudit scan -o json` in-process, as the CLI does.
func benchScan(b *testing.B, target string, wantExit int) {
	db := cachedBenchDB(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		code := run(ctx, []string{"--db", db, "scan", "-o", "json", "--db-validate-age=false", target}, io.Discard, io.Discard)
		if code != wantExit {
			b.Fatalf("exit %d, want %d", code, wantExit)
		}
	}
}

// BenchmarkScanCorpusLargest scans the largest corpus function (the Go
// custom runtime, with Go reachability) against the 250,000-record database.
func BenchmarkScanCorpusLargest(b *testing.B) {
	benchScan(b, filepath.Join(functionsDir, "go-bootstrap.zip"), 0)
}

// BenchmarkScanNode250MB scans the generated 250 MB Node function (3,000
// packages, many named in the synthetic export, malware among them) against
// the 250,000-record database. The osv-scanner comparison on the same input
// and data is scripts/bench-peers.sh.
func BenchmarkScanNode250MB(b *testing.B) {
	p, err := benchgen.Cached(benchgen.Node250MB)
	if err != nil {
		b.Fatal(err)
	}
	benchScan(b, p, 1)
}
