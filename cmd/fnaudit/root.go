package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fnaudit/fnaudit/artifact"
)

// globalOptions are the flags every command shares (DESIGN.md "common flags").
type globalOptions struct {
	db         string // --db: advisory / inventory database path
	quiet      bool   // -q: no progress, no informational messages
	noProgress bool   // --no-progress
	offline    bool   // --offline: never touch the network
	tempRoot   string // where each scan's private directory goes ("": the system's)
	stdout     io.Writer
	stderr     io.Writer
	// env reads the process environment (FNAUDIT_*, NO_COLOR, XDG_*);
	// tests inject their own so they never change the process's.
	env func(string) (string, bool)
	// workDir is where the policy search starts ("": the process's).
	workDir string
	// fromEnv names the flags whose value came from FNAUDIT_*.
	fromEnv map[string]bool
}

// commandFactories is filled by each command file's init, so adding a command
// never means editing this file.
var commandFactories []func(*globalOptions) *cobra.Command

func register(f func(*globalOptions) *cobra.Command) { commandFactories = append(commandFactories, f) }

func newRootCmd(g *globalOptions) *cobra.Command {
	root := &cobra.Command{
		Use:   "fnaudit",
		Short: "Audit what is deployed as a serverless function",
		Long: `fnaudit opens deployed function packages, layers and container images,
lists every third-party package inside as an SBOM, matches them against OSV
advisories and malicious-package feeds, verifies signed build provenance and
turns the result into one gate decision.

Exit codes: 0 pass, 1 the gate failed, 2 fnaudit could not decide.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       toolVersion(),
	}
	root.SetOut(g.stdout)
	root.SetErr(g.stderr)
	pf := root.PersistentFlags()
	pf.StringVar(&g.db, "db", "", "advisory database file (default: the user cache directory)")
	pf.BoolVarP(&g.quiet, "quiet", "q", false, "print nothing but the requested output and errors")
	pf.BoolVar(&g.noProgress, "no-progress", false, "do not show progress")
	pf.BoolVar(&g.offline, "offline", false, "never use the network")
	for _, f := range commandFactories {
		root.AddCommand(f(g))
	}
	root.SetVersionTemplate("fnaudit {{.Version}}\n")
	finishHelp(root)
	return root
}

// run executes one command line and returns the process exit code. Every
// error, usage errors and panics included, ends as one "fnaudit: ..." line on
// stderr and a non-zero code: an error never looks like a pass.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	return runWith(ctx, &globalOptions{stdout: stdout, stderr: stderr, env: os.LookupEnv}, args)
}

// runIn is run with the private directories of scans made under tempRoot
// and an empty environment (tests give each command its own, and run in
// parallel).
func runIn(ctx context.Context, args []string, stdout, stderr io.Writer, tempRoot string) (code int) {
	return runWith(ctx, &globalOptions{stdout: stdout, stderr: stderr, tempRoot: tempRoot}, args)
}

// runWith runs one command line with g's streams, environment and
// directories.
func runWith(ctx context.Context, g *globalOptions, args []string) (code int) {
	if g.env == nil {
		g.env = func(string) (string, bool) { return "", false }
	}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(g.stderr, "fnaudit: internal error: %v\n%s", r, debug.Stack())
			code = exitUndecided
		}
	}()
	// Best effort: what runs killed before their cleanup left behind. A
	// failure to remove one is no reason to stop this run.
	_ = artifact.RemoveStaleTempDirs(g.tempRoot)

	root := newRootCmd(g)
	root.SetArgs(args)
	err := applyEnv(root, g)
	if err == nil {
		err = root.ExecuteContext(ctx)
	}
	code = exitCodeFor(err)
	if err != nil {
		msg := oneLine(err.Error())
		var gf *gateFailure
		if code == exitGateFail && !(errors.As(err, &gf) && gf.found) {
			fmt.Fprintf(g.stderr, "fnaudit: gate failed: %s\n", msg)
		} else {
			fmt.Fprintf(g.stderr, "fnaudit: %s\n", msg)
		}
	}
	return code
}

// oneLine folds a multi-line error (YAML and JSON decoders write those) into
// the one line fnaudit promises on stderr.
func oneLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, " ")
}
