package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	zt "github.com/fnaudit/fnaudit/internal/ziptest"
)

// TestSBOMExample is the README's run command: the bundled event-stream
// example's SBOM, with the malicious flatmap-stream among its packages.
func TestSBOMExample(t *testing.T) {
	t.Parallel()
	code, out, errs := runCLI(t, "sbom", filepath.Join(functionsDir, "event-stream-reconstruction.zip"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"Digest:  sha256:90af490e0791c79caa1f7bfd00af2c37ff2cbaa2fadecfd1a9b528e76a429903",
		"Packages: 9",
		"flatmap-stream   0.1.1",
		"event-stream     3.3.6",
		"/var/task/node_modules/flatmap-stream",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestSBOMOutputFile: --output writes the document to a file (here a layer
// with its function), and a failing command writes nothing there.
func TestSBOMOutputFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dest := filepath.Join(dir, "sbom.cdx.json")
	code, out, errs := runCLI(t, "sbom", filepath.Join(functionsDir, "node-app.zip"),
		"--layer", filepath.Join(functionsDir, "node-layer.zip"), "-o", "cyclonedx-json", "--output", dest)
	if code != 0 || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, out, errs)
	}
	var bom struct {
		SpecVersion string `json:"specVersion"`
		Components  []struct {
			Name       string `json:"name"`
			Version    string `json:"version"`
			Properties []struct{ Name, Value string }
		} `json:"components"`
	}
	raw, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &bom); err != nil {
		t.Fatal(err)
	}
	if bom.SpecVersion != "1.6" || len(bom.Components) != 21+50 {
		t.Fatalf("spec %s, %d components; want 1.6 and 71", bom.SpecVersion, len(bom.Components))
	}
	shadowed := 0
	for _, c := range bom.Components {
		for _, p := range c.Properties {
			if p.Name == "fnaudit:loaded" && p.Value == "false" {
				shadowed++
			}
		}
	}
	// the layer's ms 2.0.0 and safe-buffer 5.1.2 sit under the function's own
	if shadowed != 2 {
		t.Errorf("%d components not loaded, want 2", shadowed)
	}

	bad := zt.Write(t, dir, "bad.zip", zt.File("../x", "y"))
	dest2 := filepath.Join(dir, "never.json")
	if code, _, _ := runCLI(t, "sbom", bad, "-o", "cyclonedx-json", "--output", dest2); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if _, err := os.Stat(dest2); !os.IsNotExist(err) {
		t.Errorf("a failed run created %s", dest2)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 { // sbom.cdx.json and bad.zip, no temp leftovers
		t.Errorf("output directory holds %d entries", len(entries))
	}
}

// TestSBOMHostileExit2: hostile and malformed input exits 2 with one line on
// stderr naming the file and the entry, and nothing on stdout.
func TestSBOMHostileExit2(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	zeros := bytes.Repeat([]byte{0}, 2<<20)
	cases := []struct {
		name  string
		args  []string
		want  string
		okArg []string // flags under which the same input opens
	}{
		{"zip slip", []string{zt.Write(t, dir, "slip.zip", zt.File("../../etc/cron.d/x", "y"))}, `slip.zip: entry "../../etc/cron.d/x": entry name escapes the archive`, nil},
		{"absolute", []string{zt.Write(t, dir, "abs.zip", zt.File("/tmp/x", "y"))}, `abs.zip: entry "/tmp/x": absolute entry name`, nil},
		{"symlink out", []string{zt.Write(t, dir, "link.zip", zt.Symlink("x", "/etc/passwd"))}, `link.zip: entry "x": symlink points outside the artifact`, nil},
		{"bomb", []string{zt.Write(t, dir, "bomb.zip", zt.Entry{Name: "a.bin", Body: zeros})}, `bomb.zip: entry "a.bin": compression ratio above 200:1`, []string{"--max-ratio", "5000"}},
		{"total size", []string{zt.Write(t, dir, "big.zip", zt.Entry{Name: "a.bin", Body: zeros, Store: true}), "--max-size", "1048576"},
			`big.zip: entry "a.bin": total uncompressed size exceeds 1.0 MiB (raise with --max-size)`, []string{"--max-size", "4194304"}},
		{"entries", []string{zt.Write(t, dir, "many.zip", zt.File("a", ""), zt.File("b", "")), "--max-entries", "1"}, `many.zip: entry "b": more than 1 entries`, []string{"--max-entries", "2"}},
		{"depth", []string{zt.Write(t, dir, "deep.zip", zt.Entry{Name: "a.zip", Body: zt.Bytes(t, zt.Entry{Name: "b.zip", Body: zt.Bytes(t, zt.File("c", "d"))})}), "--max-depth", "1"},
			`deep.zip!/a.zip: entry "b.zip": archives nested deeper than 1 levels`, []string{"--max-depth", "2"}},
		{"duplicate", []string{zt.Write(t, dir, "dup.zip", zt.File("a.js", "1"), zt.File("a.js", "2"))}, `dup.zip: entry "a.js": duplicate entry name`, nil},
		{"not a zip", []string{writeFile(t, dir, "notazip.zip", "hello")}, `notazip.zip: not a readable zip archive`, nil},
		{"truncated", []string{writeFile(t, dir, "trunc.zip", string(zt.Bytes(t, zt.File("a.js", "x"))[:30]))}, `trunc.zip: not a readable zip archive`, nil},
		{"layer collision", []string{
			zt.Write(t, dir, "fn.zip", zt.File("index.js", "x")),
			"--layer", zt.Write(t, dir, "l1.zip", zt.File("nodejs/node_modules/a/package.json", "{}")),
			"--layer", zt.Write(t, dir, "l2.zip", zt.File("nodejs/node_modules/a", "x"))},
			`l2.zip: entry "nodejs/node_modules/a": file collides with directory /opt/nodejs/node_modules/a`, nil},
		{"six layers", []string{filepath.Join(functionsDir, "node-app.zip"), "--layer", "a", "--layer", "b", "--layer", "c", "--layer", "d", "--layer", "e", "--layer", "f"},
			"6 layers given: Lambda allows at most 5", nil},
		{"unknown runtime", []string{filepath.Join(functionsDir, "node-app.zip"), "--runtime", "cobol1.0"}, `unknown Lambda runtime "cobol1.0"`, nil},
		{"corrupt entry data", []string{corruptPackageJSON(t, dir)}, `corrupt.zip: entry "node_modules/a/package.json": corrupt entry data`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, append([]string{"sbom"}, tc.args...)...)
			if code != 2 {
				t.Fatalf("exit %d, want 2 (stderr %q)", code, errs)
			}
			if out != "" {
				t.Errorf("stdout %q", out)
			}
			if strings.Count(errs, "\n") != 1 || !strings.HasPrefix(errs, "fnaudit: ") || !strings.Contains(errs, tc.want) {
				t.Errorf("stderr %q, want one line containing %q", errs, tc.want)
			}
			if tc.okArg != nil {
				args := append(append([]string{"sbom"}, tc.args...), tc.okArg...)
				if code, _, errs := runCLI(t, args...); code != 0 {
					t.Errorf("with %v: exit %d: %s", tc.okArg, code, errs)
				}
			}
		})
	}
}

// corruptPackageJSON writes a zip whose central directory is intact but
// whose only package.json has damaged deflate data: it opens, and the
// cataloger reading the entry hits the damage.
func corruptPackageJSON(t *testing.T, dir string) string {
	raw := zt.Bytes(t, zt.File("node_modules/a/package.json", strings.Repeat(`{"name":"a","version":"1.0.0"}`, 50)))
	i := bytes.Index(raw, []byte("package.json")) + len("package.json") + 10
	raw[i] ^= 0xff
	return writeFile(t, dir, "corrupt.zip", string(raw))
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
