package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	zt "github.com/fnaudit/fnaudit/internal/ziptest"
)

// Issue 10 ("hostile inputs, round two"), points 1, 2, 7 and 8, through the
// real command: each input is built from the corpus's flatmap-stream 0.1.1
// package.json (or lodash 4.17.15's), scanned against the corpus advisories,
// and the gate's exit code and the exact advisory ids are asserted.

// flatmapIDs are the corpus records for flatmap-stream (every version).
var flatmapIDs = []string{"GHSA-mh6f-8j2x-4483", "MAL-2025-20690"}

// lodashIDs are the corpus records affecting lodash 4.17.15.
var lodashIDs = []string{"GHSA-35jh-r3h4-6jhm", "GHSA-p6mc-m468-83gw"}

// corpusFlatmap is flatmap-stream 0.1.1's package.json from the corpus's
// event-stream reconstruction.
func corpusFlatmap(t *testing.T) string {
	t.Helper()
	b := zt.ReadEntry(t, filepath.Join(functionsDir, "event-stream-reconstruction.zip"), "node_modules/flatmap-stream/package.json")
	if !strings.Contains(b, `"name": "flatmap-stream"`) || !strings.Contains(b, `"version": "0.1.1"`) {
		t.Fatalf("corpus flatmap-stream is not 0.1.1: %s", b)
	}
	return b
}

// mustReplace replaces old once and fails if old is not there, so a
// fixture that stops changing the bytes cannot pass silently.
func mustReplace(t *testing.T, s, old, repl string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("%q is not in the package.json", old)
	}
	return strings.Replace(s, old, repl, 1)
}

// gateCase is one hostile input: args builds the scan's arguments (target
// and flags); want maps "name@version path" (and " as <alias>" when the
// package's folder names another package) to the advisory ids found there,
// each finding failing the gate.
type gateCase struct {
	name string
	args func(t *testing.T) []string
	exit int
	want map[string][]string
	// errs must appear in stderr (exit 2 cases).
	errs string
}

// runGateCases scans each case in parallel against one corpus database.
func runGateCases(t *testing.T, cases []gateCase) {
	t.Helper()
	db := corpusDB(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			code, r, errs := scanJSON(t, db, c.args(t)...)
			if code != c.exit {
				t.Fatalf("exit %d, want %d: %s", code, c.exit, errs)
			}
			if c.exit == 2 {
				if !strings.Contains(errs, c.errs) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
					t.Errorf("stderr %q, want one line containing %q", errs, c.errs)
				}
				return
			}
			if r.Gate.Pass != (c.exit == 0) {
				t.Errorf("gate pass %v with exit %d", r.Gate.Pass, code)
			}
			got := map[string][]string{}
			for _, f := range r.Findings {
				if !f.Gate.Fails {
					t.Errorf("finding %v on %s@%s does not fail the gate: %+v", f.IDs, f.Package.Name, f.Package.Version, f.Gate)
				}
				key := f.Package.Name + "@" + f.Package.Version + " " + f.Package.Path
				if f.Package.Alias != "" {
					key += " as " + f.Package.Alias
				}
				got[key] = append(got[key], f.IDs...)
			}
			for k := range got {
				sort.Strings(got[k])
			}
			if !equalJSON(got, c.want) {
				t.Errorf("findings\n got %v\nwant %v", got, c.want)
			}
		})
	}
}

// functionZip writes a function zip holding index.js and entries.
func functionZip(t *testing.T, entries ...zt.Entry) string {
	t.Helper()
	return zt.Write(t, t.TempDir(), "function.zip",
		append([]zt.Entry{zt.File("index.js", "require('flatmap-stream')")}, entries...)...)
}

// functionDir writes a function directory holding index.js and files, then
// the symlinks (name -> target).
func functionDir(t *testing.T, files map[string]string, links [][2]string) string {
	t.Helper()
	dir := t.TempDir()
	files["index.js"] = "require('flatmap-stream')"
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range links {
		p := filepath.Join(dir, filepath.FromSlash(l[0]))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(l[1], p); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestGateUnreadablePackageJSON: point 1. Each rewritten
// node_modules/flatmap-stream/package.json (Node loads the package in every
// case) still fails the gate with both flatmap-stream records.
func TestGateUnreadablePackageJSON(t *testing.T) {
	t.Parallel()
	real := corpusFlatmap(t)
	const path = " /var/task/node_modules/flatmap-stream"
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	forms := []struct {
		name, version string
		body          func(t *testing.T) string
	}{
		{"UTF-8 BOM", "0.1.1", func(t *testing.T) string { return "\xef\xbb\xbf" + real }},
		{"author array", "0.1.1", func(t *testing.T) string {
			return mustReplace(t, real, `"license"`, `"author": ["a <a@example.com>", "b"], "license"`)
		}},
		{"repository array", "0.1.1", func(t *testing.T) string {
			return mustReplace(t, real, `"license"`, `"repository": ["git://github.com/hugeglass/flatmap-stream.git"], "license"`)
		}},
		{"homepage array", "0.1.1", func(t *testing.T) string {
			return mustReplace(t, real, `"license"`, `"homepage": ["https://example.com"], "license"`)
		}},
		{"description array", "0.1.1", func(t *testing.T) string {
			s := mustReplace(t, real, `"description": "`, `"description": ["`)
			return mustReplace(t, s, `Contains no code."`, `Contains no code."]`)
		}},
		{"version 0.1", "0.1", func(t *testing.T) string { return mustReplace(t, real, `"version": "0.1.1"`, `"version": 0.1`) }},
		{"version array", "0.1.1", func(t *testing.T) string {
			return mustReplace(t, real, `"version": "0.1.1"`, `"version": ["0.1.1"]`)
		}},
		{"name missing", "0.1.1", func(t *testing.T) string { return mustReplace(t, real, `"name": "flatmap-stream",`, ``) }},
		{"name array", "0.1.1", func(t *testing.T) string {
			return mustReplace(t, real, `"name": "flatmap-stream"`, `"name": ["flatmap-stream"]`)
		}},
		{"nested 20000 deep", "0.1.1", func(t *testing.T) string {
			return mustReplace(t, real, `"license"`, `"x": `+deep+`, "license"`)
		}},
	}
	var cases []gateCase
	for _, f := range forms {
		cases = append(cases, gateCase{
			name: f.name,
			args: func(t *testing.T) []string {
				return []string{functionZip(t, zt.File("node_modules/flatmap-stream/package.json", f.body(t)))}
			},
			exit: 1,
			want: map[string][]string{"flatmap-stream@" + f.version + path: flatmapIDs},
		})
	}
	// Not JSON at all: no lenient reading names a version; refused.
	cases = append(cases, gateCase{
		name: "not JSON",
		args: func(t *testing.T) []string {
			return []string{functionZip(t, zt.File("node_modules/flatmap-stream/package.json", "flatmap-stream 0.1.1"))}
		},
		exit: 2,
		errs: `entry "node_modules/flatmap-stream/package.json"`,
	})
	runGateCases(t, cases)
}

// TestGateSymlinkedPackage: point 2, for zip and directory targets: a
// package folder linked from node_modules (what npm file: dependencies and
// workspaces create) and a linked package.json fail the gate at the
// node_modules path.
func TestGateSymlinkedPackage(t *testing.T) {
	t.Parallel()
	real := corpusFlatmap(t)
	want := map[string][]string{"flatmap-stream@0.1.1 /var/task/node_modules/flatmap-stream": flatmapIDs}
	runGateCases(t, []gateCase{
		{name: "zip folder link", exit: 1, want: want, args: func(t *testing.T) []string {
			return []string{functionZip(t,
				zt.File("vendor/flatmap-stream/package.json", real),
				zt.File("vendor/flatmap-stream/index.js", "module.exports = 1"),
				zt.Symlink("node_modules/flatmap-stream", "../vendor/flatmap-stream"))}
		}},
		{name: "zip package.json link", exit: 1, want: want, args: func(t *testing.T) []string {
			return []string{functionZip(t,
				zt.File("vendor/fs.json", real),
				zt.File("node_modules/flatmap-stream/index.js", "module.exports = 1"),
				zt.Symlink("node_modules/flatmap-stream/package.json", "../../vendor/fs.json"))}
		}},
		{name: "directory folder link", exit: 1, want: want, args: func(t *testing.T) []string {
			return []string{functionDir(t,
				map[string]string{"vendor/flatmap-stream/package.json": real, "vendor/flatmap-stream/index.js": "module.exports = 1"},
				[][2]string{{"node_modules/flatmap-stream", "../vendor/flatmap-stream"}})}
		}},
		{name: "directory package.json link", exit: 1, want: want, args: func(t *testing.T) []string {
			return []string{functionDir(t,
				map[string]string{"vendor/fs.json": real, "node_modules/flatmap-stream/index.js": "module.exports = 1"},
				[][2]string{{"node_modules/flatmap-stream/package.json", "../../vendor/fs.json"}})}
		}},
	})
}

// TestGateCaseExactShadowing: point 7. node_modules/LODASH in the function
// does not hide the layer's lodash 4.17.15 (Linux is case-sensitive, so
// require('lodash') loads the layer's copy): its advisories fail the gate.
func TestGateCaseExactShadowing(t *testing.T) {
	t.Parallel()
	lodash := zt.ReadEntry(t, filepath.Join(functionsDir, "node-app.zip"), "node_modules/lodash/package.json")
	layerArgs := func(t *testing.T, fnEntries ...zt.Entry) []string {
		dir := t.TempDir()
		fn := zt.Write(t, dir, "function.zip", append([]zt.Entry{zt.File("index.js", "require('lodash')")}, fnEntries...)...)
		layer := zt.Write(t, dir, "lodash-layer.zip", zt.File("nodejs/node_modules/lodash/package.json", lodash))
		return []string{fn, "--layer", layer}
	}
	newer := mustReplace(t, lodash, `"version": "4.17.15"`, `"version": "4.18.1"`)
	runGateCases(t, []gateCase{
		{name: "LODASH 4.18.1 in the function", exit: 1, args: func(t *testing.T) []string {
			return layerArgs(t, zt.File("node_modules/LODASH/package.json", newer))
		}, want: map[string][]string{"lodash@4.17.15 /opt/nodejs/node_modules/lodash": lodashIDs}},
		{name: "LODASH 4.17.15 in the function too", exit: 1, args: func(t *testing.T) []string {
			return layerArgs(t, zt.File("node_modules/LODASH/package.json", lodash))
		}, want: map[string][]string{
			"lodash@4.17.15 /opt/nodejs/node_modules/lodash": lodashIDs,
			"lodash@4.17.15 /var/task/node_modules/LODASH":   lodashIDs,
		}},
	})
}

// TestGatePackagesOutsideNodeModules: point 8. /var/task/flatmap-stream
// (Lambda puts /var/task on NODE_PATH) and a package folder without
// package.json, named in node_modules/.package-lock.json, fail the gate.
func TestGatePackagesOutsideNodeModules(t *testing.T) {
	t.Parallel()
	real := corpusFlatmap(t)
	const hidden = `{"name":"fn","lockfileVersion":3,"requires":true,"packages":{"node_modules/flatmap-stream":` +
		`{"version":"0.1.1","resolved":"https://registry.npmjs.org/flatmap-stream/-/flatmap-stream-0.1.1.tgz"}}}`
	runGateCases(t, []gateCase{
		{name: "task root on NODE_PATH", exit: 1, args: func(t *testing.T) []string {
			return []string{functionZip(t, zt.File("flatmap-stream/package.json", real), zt.File("flatmap-stream/index.js", "module.exports = 1"))}
		}, want: map[string][]string{"flatmap-stream@0.1.1 /var/task/flatmap-stream": flatmapIDs}},
		{name: "folder named in .package-lock.json", exit: 1, args: func(t *testing.T) []string {
			return []string{functionZip(t,
				zt.File("node_modules/.package-lock.json", hidden),
				zt.File("node_modules/flatmap-stream/index.js", "module.exports = 1"))}
		}, want: map[string][]string{"flatmap-stream@0.1.1 /var/task/node_modules/flatmap-stream": flatmapIDs}},
	})
}
