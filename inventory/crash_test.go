package inventory

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// crashRecord is scan i of the crash test: its sizes follow from i, so the
// parent can tell a complete scan from a partial one.
func crashRecord(names []string, i int) ScanRecord {
	npk, nf := 150+i%50, i%7
	digest := fmt.Sprintf("sha256:crash%08d", i)
	rec := ScanRecord{
		Function:     awsFn(fmt.Sprintf("crash-%d", i%5)),
		Version:      Version{PackageType: "zip", Runtime: "nodejs20.x", CodeSHA256Hex: fmt.Sprintf("%064d", i)},
		Artifact:     Artifact{Digest: digest},
		DBGeneration: "gen-1",
		Run:          Run{Key: fmt.Sprintf("crash-%d", i), At: t0.Add(time.Duration(i) * time.Second), Result: ResultFail, Target: digest},
	}
	for j := range npk {
		name := names[(i+j)%len(names)]
		p := PackageRow{Ecosystem: "npm", Name: name, Version: fmt.Sprintf("1.%d.%d", i%10, j), Loaded: true,
			Path: fmt.Sprintf("/var/task/node_modules/%s-%d", name, j), Origin: Origin{Kind: OriginFunction, Digest: digest}}
		rec.Artifact.Packages = append(rec.Artifact.Packages, p)
		if j < nf {
			rec.Findings = append(rec.Findings, FindingRow{AdvisoryID: fmt.Sprintf("GHSA-crash-%d", j), Aliases: []string{fmt.Sprintf("CVE-0-%d", j)},
				Kind: "vulnerability", Ecosystem: "npm", Name: name, Version: p.Version, Path: p.Path, Verdict: VerdictFail})
		}
	}
	return rec
}

func corpusNames(t testing.TB) []string {
	var names []string
	for _, f := range loadCorpus(t) {
		for _, p := range f.Packages {
			if p.Ecosystem == "npm" {
				names = append(names, p.Name)
			}
		}
	}
	return names
}

// TestCrashDuringRecord SIGKILLs a process recording scans at random
// points, then checks every recorded scan is whole and the store answers.
func TestCrashDuringRecord(t *testing.T) {
	if dsn := os.Getenv("FNAUDIT_INVENTORY_CRASH_DSN"); dsn != "" {
		crashChild(t, dsn)
		return
	}
	names := corpusNames(t)
	forEachBackend(t, func(t *testing.T, dsn string) {
		for k := range 5 {
			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashDuringRecord$", "-test.count=1")
			cmd.Env = append(os.Environ(), "FNAUDIT_INVENTORY_CRASH_DSN="+dsn, "FNAUDIT_INVENTORY_CRASH_BASE="+strconv.Itoa(k*100000))
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Kill only once the child is recording, at a random point.
			sc := bufio.NewScanner(out)
			for sc.Scan() && !strings.HasPrefix(sc.Text(), "recorded ") {
			}
			time.Sleep(time.Duration(rand.IntN(400)) * time.Millisecond)
			cmd.Process.Signal(syscall.SIGKILL)
			go func() {
				for sc.Scan() {
				}
			}()
			err = cmd.Wait()
			if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
				t.Fatalf("child %d was not killed: %v", k, err)
			}
		}
		s := openT(t, dsn)
		verifyCrashStore(t, s, names)
	})
}

func crashChild(t *testing.T, dsn string) {
	base, _ := strconv.Atoi(os.Getenv("FNAUDIT_INVENTORY_CRASH_BASE"))
	s, err := Open(context.Background(), dsn)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(3)
	}
	names := corpusNames(t)
	for i := base; ; i++ {
		if _, err := s.RecordScan(context.Background(), crashRecord(names, i)); err != nil {
			fmt.Println("record:", err)
			os.Exit(3)
		}
		fmt.Println("recorded", i)
	}
}

func verifyCrashStore(t *testing.T, s *Store, names []string) {
	t.Helper()
	ctx := context.Background()
	rows, err := s.db.Query(`SELECT run_key FROM scan_runs`)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for rows.Next() {
		var k string
		rows.Scan(&k)
		keys = append(keys, k)
	}
	rows.Close()
	if len(keys) < 5 {
		t.Fatalf("%d scans recorded; every child recorded at least one", len(keys))
	}
	for _, k := range keys {
		i, err := strconv.Atoi(strings.TrimPrefix(k, "crash-"))
		if err != nil {
			t.Fatalf("run key %q", k)
		}
		want := crashRecord(names, i)
		var pk, declared, fs, ids, versions int
		d := want.Artifact.Digest
		s.db.QueryRow(s.q(`SELECT COUNT(*) FROM packages WHERE artifact_digest = ?`), d).Scan(&pk)
		s.db.QueryRow(s.q(`SELECT package_count FROM artifacts WHERE digest = ?`), d).Scan(&declared)
		s.db.QueryRow(s.q(`SELECT COUNT(*) FROM findings WHERE artifact_digest = ?`), d).Scan(&fs)
		s.db.QueryRow(s.q(`SELECT COUNT(*) FROM finding_ids WHERE artifact_digest = ?`), d).Scan(&ids)
		s.db.QueryRow(s.q(`SELECT COUNT(*) FROM versions WHERE artifact_digest = ?`), d).Scan(&versions)
		if pk != len(want.Artifact.Packages) || declared != pk || fs != len(want.Findings) || ids != 2*fs || versions != 1 {
			t.Errorf("scan %d incomplete: %d packages (%d declared, want %d), %d findings (%d ids, want %d), %d versions",
				i, pk, declared, len(want.Artifact.Packages), fs, ids, len(want.Findings), versions)
		}
	}
	// Nothing outside a recorded scan: no artifact, version or package
	// without the run that brought it.
	eq(t, "artifacts", count(t, s, "artifacts"), len(keys))
	eq(t, "versions", count(t, s, "versions"), len(keys))
	var orphans int
	s.db.QueryRow(`SELECT COUNT(*) FROM packages p WHERE NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.digest = p.artifact_digest)`).Scan(&orphans)
	eq(t, "orphan packages", orphans, 0)
	hits, err := s.Investigate(ctx, Query{Ecosystem: "npm", Name: names[0]})
	if err != nil || len(hits) == 0 {
		t.Errorf("investigate after the crashes: %d hits, %v", len(hits), err)
	}
	if _, err := s.ShowFunction(ctx, awsFn("crash-0").FunctionRef); err != nil {
		t.Errorf("show after the crashes: %v", err)
	}
	// And the store still takes writes.
	mustRecord(t, s, crashRecord(names, 999999))
}
