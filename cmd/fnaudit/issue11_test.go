package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// runCLIWith is runCLI with an environment (never the process's: tests
// run in parallel and use no t.Setenv) and a working directory for the
// policy search.
func runCLIWith(t *testing.T, env map[string]string, workDir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	g := &globalOptions{stdout: &out, stderr: &errb, tempRoot: t.TempDir(), workDir: workDir,
		env: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	code = runWith(context.Background(), g, args)
	return code, out.String(), errb.String()
}

// TestHelpFitsAndHasExamples walks every command: its help fits 100
// columns and shows examples; completion is listed, not hidden.
func TestHelpFitsAndHasExamples(t *testing.T) {
	t.Parallel()
	root := newRootCmd(&globalOptions{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}})
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		if c.Name() != "help" {
			paths = append(paths, path)
		}
		for _, sub := range c.Commands() {
			if sub.Name() == "completion" && sub.Hidden {
				t.Error("completion command is hidden")
			}
			walk(sub, append(append([]string{}, path...), sub.Name()))
		}
	}
	walk(root, nil)
	if len(paths) < 12 {
		t.Fatalf("walked only %d commands: %v", len(paths), paths)
	}
	for _, p := range paths {
		code, out, errs := runCLI(t, append(p, "--help")...)
		if code != 0 {
			t.Errorf("%v --help: exit %d: %s", p, code, errs)
		}
		if !strings.Contains(out, "Examples:") {
			t.Errorf("fnaudit %s --help has no Examples", strings.Join(p, " "))
		}
		for i, line := range strings.Split(out, "\n") {
			if n := len([]rune(line)); n > helpWidth {
				t.Errorf("fnaudit %s --help line %d is %d columns: %q", strings.Join(p, " "), i+1, n, line)
			}
		}
	}
	if _, out, _ := runCLI(t, "--help"); !strings.Contains(out, "completion") {
		t.Error("root help does not list completion")
	}
}

// TestOutputsRepeatable: several -o FORMAT=FILE in one run all get
// written (0644), the table is the default on a non-terminal stdout,
// --output with a format name is refused, two outputs on stdout too.
func TestOutputsRepeatable(t *testing.T) {
	t.Parallel()
	db := corpusDB(t)
	dir := t.TempDir()
	sarifPath, mdPath, jsonPath := filepath.Join(dir, "a.sarif"), filepath.Join(dir, "b.md"), filepath.Join(dir, "c.json")
	code, out, errs := runCLI(t, append(db, "scan", filepath.Join(functionsDir, "event-stream-reconstruction.zip"),
		"-o", "sarif="+sarifPath, "-o", "md="+mdPath, "-o", "json="+jsonPath)...)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "SEVERITY  ID") || !strings.Contains(out, "Gate: FAILED") {
		t.Errorf("stdout is not the table:\n%s", out)
	}
	for _, p := range []string{sarifPath, mdPath, jsonPath} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s not written: %v", p, err)
		}
		if st.Mode().Perm() != 0o644 {
			t.Errorf("%s mode %v, want 0644", p, st.Mode().Perm())
		}
	}
	if b, _ := os.ReadFile(sarifPath); !bytes.Contains(b, []byte(`"version": "2.1.0"`)) {
		t.Errorf("a.sarif is not SARIF")
	}
	if b, _ := os.ReadFile(mdPath); !bytes.Contains(b, []byte("gate failed")) {
		t.Errorf("b.md is not markdown")
	}
	// table by default when stdout is not a terminal
	if _, out, _ := runCLI(t, append(db, "scan", filepath.Join(functionsDir, "go-bootstrap.zip"))...); !strings.HasPrefix(out, "Target ") {
		t.Errorf("default output is not the table:\n%.200s", out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--output", "sarif"}, "fnaudit: --output sarif names the file to write, not a format: use -o sarif (or -o sarif=FILE)\n"},
		{[]string{"-o", "sarif", "-o", "json"}, "fnaudit: -o: only one format can go to standard output; give the others a file with -o FORMAT=FILE\n"},
		{[]string{"-o", "sarif", "-o", "json", "--output", "x.json"}, "fnaudit: --output FILE takes one format; give each format its own file with -o FORMAT=FILE\n"},
		{[]string{"-o", "json", "--output", filepath.Join(dir, "missing", "r.json")}, "fnaudit: write " + filepath.Join(dir, "missing", "r.json") + ": directory " + filepath.Join(dir, "missing") + " does not exist\n"},
	} {
		code, _, errs := runCLI(t, append(append(db, "scan", filepath.Join(functionsDir, "go-bootstrap.zip")), tc.args...)...)
		if code != 2 || errs != tc.want {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
	// sbom and report take the same -o
	spdx, cdx := filepath.Join(dir, "s.spdx.json"), filepath.Join(dir, "s.cdx.json")
	if code, _, errs := runCLI(t, "sbom", filepath.Join(functionsDir, "node-app.zip"), "-o", "spdx-json="+spdx, "-o", "cyclonedx-json="+cdx); code != 0 {
		t.Fatalf("sbom: exit %d: %s", code, errs)
	}
	for _, p := range []string{spdx, cdx} {
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
	if code, out, errs := runCLI(t, "report", "--from", jsonPath, "-o", "markdown"); code != 1 || !strings.Contains(out, "[MAL-2025-20690](https://osv.dev/vulnerability/MAL-2025-20690)") {
		t.Errorf("report --from -o markdown: exit %d %s\n%s", code, errs, out)
	}
}

// TestPolicyFoundUpwards: run from a subdirectory, the repository's
// .fnaudit.yaml applies and the JSON names it; past the repository root
// nothing is searched; the config directory is the fallback; --policy and
// FNAUDIT_POLICY win.
func TestPolicyFoundUpwards(t *testing.T) {
	t.Parallel()
	db := corpusDB(t)
	repo := t.TempDir()
	sub := filepath.Join(repo, "services", "payments")
	cfg := t.TempDir()
	for _, d := range []string{filepath.Join(repo, ".git"), sub, filepath.Join(cfg, "fnaudit")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(cfg, "fnaudit", ".fnaudit.yaml"), "fail_on: low\n")
	zip, _ := filepath.Abs(filepath.Join(functionsDir, "node-app.zip"))
	policyOf := func(env map[string]string, dir string, extra ...string) (string, string) {
		t.Helper()
		_, out, errs := runCLIWith(t, env, dir, append(append(db, "scan", zip, "-o", "json"), extra...)...)
		var r struct {
			Gate   struct{ FailOn string } `json:"gate"`
			Policy struct{ Path, Source string }
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v: %s", err, errs)
		}
		return r.Policy.Source + " " + r.Policy.Path, r.Gate.FailOn
	}
	env := map[string]string{"XDG_CONFIG_HOME": cfg}
	if got, failOn := policyOf(env, sub); got != "config "+filepath.Join(cfg, "fnaudit", ".fnaudit.yaml") || failOn != "low" {
		t.Errorf("config fallback: %q fail-on %s", got, failOn)
	}
	write(filepath.Join(repo, ".fnaudit.yaml"), "fail_on: critical\n")
	if got, failOn := policyOf(env, sub); got != "search "+filepath.Join(repo, ".fnaudit.yaml") || failOn != "critical" {
		t.Errorf("repository policy: %q fail-on %s", got, failOn)
	}
	outside := filepath.Join(t.TempDir(), "x")
	_ = os.MkdirAll(filepath.Join(outside, ".git"), 0o755)
	if got, failOn := policyOf(nil, outside); got != "default " || failOn != "high" {
		t.Errorf("no policy: %q fail-on %s", got, failOn)
	}
	pf := filepath.Join(cfg, "p.yaml")
	write(pf, "fail_on: medium\n")
	if got, _ := policyOf(env, sub, "--policy", pf); got != "flag "+pf {
		t.Errorf("--policy: %q", got)
	}
	if got, _ := policyOf(map[string]string{"FNAUDIT_POLICY": pf}, sub); got != "env "+pf {
		t.Errorf("FNAUDIT_POLICY: %q", got)
	}
	_, table, _ := runCLIWith(t, env, sub, append(db, "scan", zip)...)
	if !strings.Contains(table, "Policy   "+filepath.Join(repo, ".fnaudit.yaml")+" (search)") {
		t.Errorf("table does not name the policy:\n%s", table)
	}
}

// TestFlagsFromPeers: --fail-on none (malware still fails), --only-fixed,
// FNAUDIT_* (flag wins), --db-max-allowed-age 7d, version.
func TestFlagsFromPeers(t *testing.T) {
	t.Parallel()
	db := corpusDB(t)
	node := filepath.Join(functionsDir, "node-app.zip")
	es := filepath.Join(functionsDir, "event-stream-reconstruction.zip")
	if code, _, errs := runCLI(t, append(db, "scan", node, "--fail-on", "none")...); code != 0 {
		t.Errorf("--fail-on none: exit %d, want 0: %s", code, errs)
	}
	if code, _, _ := runCLI(t, append(db, "scan", es, "--fail-on", "none")...); code != 1 {
		t.Errorf("--fail-on none with malware: exit %d, want 1", code)
	}
	if code, _, errs := runCLI(t, append(db, "scan", node, "--fail-on", "severe")...); code != 2 || !strings.Contains(errs, "want none, low, medium, high or critical") {
		t.Errorf("--fail-on severe: %d %s", code, errs)
	}
	if code, _, errs := runCLIWith(t, map[string]string{"FNAUDIT_FAIL_ON": "none"}, "", append(db, "scan", node)...); code != 0 {
		t.Errorf("FNAUDIT_FAIL_ON=none: exit %d: %s", code, errs)
	}
	if code, _, _ := runCLIWith(t, map[string]string{"FNAUDIT_FAIL_ON": "none"}, "", append(db, "scan", node, "--fail-on", "high")...); code != 1 {
		t.Errorf("--fail-on high over FNAUDIT_FAIL_ON=none: exit %d, want 1", code)
	}
	if code, _, errs := runCLIWith(t, map[string]string{"FNAUDIT_DB": db[1]}, "", "scan", node, "--fail-on", "none"); code != 0 {
		t.Errorf("FNAUDIT_DB: exit %d: %s", code, errs)
	}
	if code, _, errs := runCLIWith(t, map[string]string{"FNAUDIT_FAIL_ON": "severe"}, "", append(db, "scan", node)...); code != 2 || !strings.Contains(errs, "FNAUDIT_FAIL_ON") {
		t.Errorf("bad FNAUDIT_FAIL_ON: %d %s", code, errs)
	}
	for _, age := range []string{"7d", "36h", "1d12h"} {
		if code, _, errs := runCLI(t, append(db, "scan", node, "--fail-on", "none", "--db-max-allowed-age", age)...); code != 0 {
			t.Errorf("--db-max-allowed-age %s: exit %d: %s", age, code, errs)
		}
	}
	_, out, _ := runCLI(t, append(db, "scan", node, "-o", "json", "--only-fixed")...)
	if !strings.Contains(out, `"summary": {`) || !strings.Contains(out, `"critical": 1,`) {
		t.Errorf("JSON lacks the severity summary")
	}
	code, out, _ := runCLI(t, "version", "-o", "json")
	var v buildInfo
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v.GoVersion == "" || v.Syft != "v1.57.0" || v.Version == "" {
		t.Errorf("version -o json: %d %s", code, out)
	}
	if _, out, _ := runCLI(t, "--version"); out != "fnaudit "+toolVersion()+"\n" {
		t.Errorf("--version: %q", out)
	}
}

// TestOneLineErrors: each error is one clear line, said once.
func TestOneLineErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	node := filepath.Join(functionsDir, "node-app.zip")
	code, _, errs := runCLI(t, "sbom", node, "--layer", "nope.zip")
	if code != 2 || errs != "fnaudit: open layer nope.zip: no such file or directory\n" {
		t.Errorf("missing layer: %d %q", code, errs)
	}
	code, _, errs = runCLI(t, "--db", filepath.Join(dir, "none.db"), "scan", node)
	if code != 2 || strings.Count(errs, "fnaudit db") != 2 || strings.Count(errs, "\n") != 1 || strings.Count(errs, "no advisory database") != 1 {
		t.Errorf("no database: %d %q", code, errs)
	}
	pol := filepath.Join(dir, "p.yaml")
	_ = os.WriteFile(pol, []byte("failOn: high\n"), 0o644)
	db := corpusDB(t)
	code, _, errs = runCLI(t, append(db, "scan", node, "--policy", pol)...)
	if code != 2 || errs != "fnaudit: policy "+pol+": line 1: unknown key failOn, did you mean fail_on\n" {
		t.Errorf("failOn: %d %q", code, errs)
	}
}

// TestVerifyCosignFlags: a digest in an algorithm the subjects lack is
// "could not check" (2), not rejected; the GitHub workflow extensions
// and --type are enforced as cosign does.
func TestVerifyCosignFlags(t *testing.T) {
	t.Parallel()
	code, out, errs := runCLI(t, "verify", "--digest", "sha256:xL8trFfHYihPUt8um/0LqRuqYOLW4V33f2DFDn9O10Y=", "--bundle", npm200Bundle,
		"--certificate-identity", npm200Identity, "--certificate-oidc-issuer", ghIssuer)
	if code != 2 || out != "" || !strings.HasPrefix(errs, "fnaudit: verify: could not check: digest: the statement's subjects carry no digest the artifact is known by (artifact: sha256;") {
		t.Errorf("sha256 against sha512 subjects: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"--certificate-github-workflow-trigger", "push", "--certificate-github-workflow-sha", "f0b49a04e5a62250e0f60fb128004a73110fe311",
			"--certificate-github-workflow-name", "Release", "--certificate-github-workflow-repository", "sigstore/sigstore-js",
			"--certificate-github-workflow-ref", "refs/heads/main", "--type", "slsaprovenance1"}, 0, ""},
		{[]string{"--certificate-github-workflow-repository", "evil/fork"}, 1,
			"fnaudit: gate failed: provenance rejected: identity: certificate GitHub workflow repository sigstore/sigstore-js, want evil/fork\n"},
		{[]string{"--certificate-github-workflow-trigger", "pull_request"}, 1,
			"fnaudit: gate failed: provenance rejected: identity: certificate GitHub workflow trigger push, want pull_request\n"},
		{[]string{"--type", "slsaprovenance02"}, 1,
			"fnaudit: gate failed: provenance rejected: type: predicate type https://slsa.dev/provenance/v1, want https://slsa.dev/provenance/v0.2\n"},
		{[]string{"--type", "https://slsa.dev/provenance/v1"}, 0, ""},
		{[]string{"--type", "nonsense"}, 2, "fnaudit: verify: --type \"nonsense\": want slsaprovenance, slsaprovenance02, slsaprovenance1, custom, ... or a URI\n"},
	} {
		code, _, errs := runCLI(t, npm200Args(tc.args...)...)
		if code != tc.code || errs != tc.stderr {
			t.Errorf("%v: exit %d stderr %q, want %d %q", tc.args, code, errs, tc.code, tc.stderr)
		}
	}
}
