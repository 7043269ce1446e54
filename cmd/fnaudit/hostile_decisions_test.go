package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/internal/imagetest"
	zt "github.com/fnaudit/fnaudit/internal/ziptest"
)

// Issue 10, points 3, 5, 9, 12 (inside an image) and 15 through the real
// command: the gate's decision (exit code, and the advisory ids where the
// input is scanned) for each described input. Points 4 and 6 have their
// own tests below and in coverage_test.go; point 10 is decided in match
// (TestDistroEcosystems) and policy.

// TestGateHostileDecisions: inputs refused with exit 2, and version
// spellings that must still fail the gate.
func TestGateHostileDecisions(t *testing.T) {
	t.Parallel()
	flatmap := corpusFlatmap(t)
	lodash := zt.ReadEntry(t, filepath.Join(functionsDir, "node-app.zip"), "node_modules/lodash/package.json")
	newerLodash := mustReplace(t, lodash, `"version": "4.17.15"`, `"version": "4.18.1"`)
	chalk := func(version string) func(t *testing.T) []string {
		return func(t *testing.T) []string {
			return []string{functionZip(t, zt.File("node_modules/chalk/package.json", `{"name": "chalk", "version": "`+version+`", "main": "index.js"}`))}
		}
	}
	var cases []gateCase
	// Point 3: whiteouts that name no file.
	for _, name := range []string{"var/task/node_modules/.wh..", "var/task/node_modules/.wh...", "var/task/.wh."} {
		cases = append(cases, gateCase{name: "point 3 whiteout " + name, exit: 2, errs: "invalid whiteout", args: func(t *testing.T) []string {
			base := imagetest.Layer(t, imagetest.File("var/task/index.js", "require('flatmap-stream')"),
				imagetest.File("var/task/node_modules/flatmap-stream/package.json", flatmap))
			top := imagetest.Layer(t, imagetest.File("var/task/other.js", "x"), imagetest.Entry{Name: name})
			return []string{imagetest.DockerArchive(t, imagetest.Image(t, base, top))}
		}})
	}
	// Point 5: chalk 5.6.1 spelled otherwise is still MAL-2025-46969's.
	for _, v := range []string{"5.6.1", "v5.6.1", "5.6.1+build.1", "=5.6.1", "V5.6.1"} {
		cases = append(cases, gateCase{name: "point 5 chalk " + v, exit: 1, args: chalk(v),
			want: map[string][]string{"chalk@" + v + " /var/task/node_modules/chalk": {"MAL-2025-46969"}}})
	}
	cases = append(cases, gateCase{name: "point 5 chalk 5.6.0", exit: 0, args: chalk("5.6.0"), want: map[string][]string{}})
	// Point 9: the central directory names READMEX.md!x, the local header
	// the package.json a streaming reader sees.
	cases = append(cases, gateCase{name: "point 9 local header name", exit: 2, errs: `local header names the entry "node_modules/flatmap-stream/package.json"`,
		args: func(t *testing.T) []string {
			const local, central = "node_modules/flatmap-stream/package.json", "node_modules/flatmap-stream/READMEX.md!x"
			raw := zt.Bytes(t, zt.File("index.js", "require('flatmap-stream')"), zt.File(local, flatmap))
			first := bytes.Index(raw, []byte(local))
			second := first + 1 + bytes.Index(raw[first+1:], []byte(local))
			copy(raw[second:], central)
			p := filepath.Join(t.TempDir(), "function.zip")
			if err := os.WriteFile(p, raw, 0o644); err != nil {
				t.Fatal(err)
			}
			return []string{p}
		}})
	// Point 12 inside an image layer: one jar of 30,000 empty jars.
	cases = append(cases, gateCase{name: "point 12 jar bomb in an image", exit: 2, errs: "more than 1000 nested archives",
		args: func(t *testing.T) []string {
			inner := make([]zt.Entry, 30_000)
			empty := zt.Bytes(t)
			for i := range inner {
				inner[i] = zt.Entry{Name: fmt.Sprintf("lib/j%05d.jar", i), Body: empty, Store: true}
			}
			layer := imagetest.Layer(t, imagetest.File("var/task/Handler.class", ""),
				imagetest.File("var/task/lib/bomb.jar", string(zt.Bytes(t, inner...))))
			return []string{imagetest.DockerArchive(t, imagetest.Image(t, layer))}
		}})
	// Point 15: a second YAML document in the policy is refused; with
	// --layer, a target holding only nodejs/ is the function, so its
	// flatmap-stream is not replaced by the layer's files.
	cases = append(cases, gateCase{name: "point 15 multi-document policy", exit: 2, errs: "policy.yaml",
		args: func(t *testing.T) []string {
			pol := writeFile(t, t.TempDir(), "policy.yaml", "fail_on: high\n---\nfail_on: none\n")
			return []string{filepath.Join(functionsDir, "event-stream-reconstruction.zip"), "--policy", pol}
		}})
	cases = append(cases, gateCase{name: "point 15 nodejs-only target with --layer", exit: 1,
		args: func(t *testing.T) []string {
			dir := t.TempDir()
			fn := zt.Write(t, dir, "function.zip", zt.File("nodejs/node_modules/flatmap-stream/package.json", flatmap))
			layer := zt.Write(t, dir, "layer.zip", zt.File("nodejs/node_modules/lodash/package.json", newerLodash))
			return []string{fn, "--layer", layer}
		},
		want: map[string][]string{"flatmap-stream@0.1.1 /var/task/nodejs/node_modules/flatmap-stream": flatmapIDs}})
	runGateCases(t, cases)
}

// TestGateRecordKeptWhileAnySourceHasIt: point 4 through db import and
// scan. Folder A and mirror B hold MAL-2025-20690 with the same modified
// time (B also holds chalk's record); B is re-imported without it; A still provides it, so the scan of
// a function shipping flatmap-stream still fails on it.
func TestGateRecordKeptWhileAnySourceHasIt(t *testing.T) {
	t.Parallel()
	mal, err := os.ReadFile(filepath.Join(osvDir, "npm", "MAL-2025-20690.json"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := os.ReadFile(filepath.Join(osvDir, "npm", "MAL-2025-46969.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "A", "npm"), filepath.Join(dir, "B", "npm")
	for _, d := range []string{a, b} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, d, "MAL-2025-20690.json", string(mal))
	}
	writeFile(t, b, "MAL-2025-46969.json", string(other)) // B stays a source of records
	db := []string{"--db", filepath.Join(dir, "advisories.db")}
	imp := func(src string) string {
		code, out, errs := runCLI(t, append(append([]string{}, db...), "db", "import", src)...)
		if code != 0 {
			t.Fatalf("db import %s: exit %d: %s", src, code, errs)
		}
		return out + errs
	}
	imp(filepath.Dir(a))
	imp(filepath.Dir(b))
	if err := os.Remove(filepath.Join(b, "MAL-2025-20690.json")); err != nil {
		t.Fatal(err)
	}
	if out := imp(filepath.Dir(b)); strings.Contains(out, "1 removed") {
		t.Errorf("re-import of B removed the record A still has: %s", out)
	}
	fn := functionZip(t, zt.File("node_modules/flatmap-stream/package.json", corpusFlatmap(t)))
	code, r, errs := scanJSON(t, db, fn)
	if code != 1 || len(r.Findings) != 1 || strings.Join(r.Findings[0].IDs, ",") != "MAL-2025-20690" {
		t.Errorf("exit %d, findings %+v: %s", code, r.Findings, errs)
	}
}
