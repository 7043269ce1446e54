package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/match"
	"github.com/fnaudit/fnaudit/policy"
	"github.com/fnaudit/fnaudit/report"
	"github.com/fnaudit/fnaudit/scan"
)

func init() { register(newScanCmd) }

type scanFlags struct {
	artifact    artifactFlags
	format      string
	output      string
	failOn      string
	policy      string
	vex         []string
	provenance  string
	key         string
	trustedRoot string
	ignoreTlog  bool
	validateAge bool
	maxAge      time.Duration
	record      recordFlags // --record, --name, --inventory (record.go)
}

func newScanCmd(g *globalOptions) *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "scan TARGET",
		Short: "Match a function's packages against advisories and gate the deploy",
		Long: `scan opens TARGET (everything sbom accepts, or a CycloneDX / SPDX JSON
SBOM made elsewhere), matches every package against the local advisory
database (fnaudit db), verifies --provenance when given or required, applies
the policy (.fnaudit.yaml in the working directory, or --policy) and reports.

Exit codes: 0 the gate passed, 1 it failed, 2 fnaudit could not decide (bad
input, no or stale database, unreadable policy). An error never passes.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.record.around(cmd.Context(), args[0], func() error { return runScan(cmd.Context(), g, &f, args[0]) })
		},
	}
	f.artifact.register(cmd)
	f.record.register(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&f.format, "format", "o", "", "report format: "+strings.Join(report.Formats.IDs(), ", ")+" (default: table on a terminal, json otherwise)")
	fl.StringVar(&f.output, "output", "", "write the report to this file; the table still goes to the terminal")
	fl.StringVar(&f.failOn, "fail-on", "", "lowest severity that fails the gate: low, medium, high, critical (default: the policy's, else high)")
	fl.StringVar(&f.policy, "policy", "", "policy file (default: "+policy.FileName+" in the working directory, if present)")
	fl.StringArrayVar(&f.vex, "vex", nil, "OpenVEX document whose not_affected / fixed statements suppress findings (repeatable)")
	fl.StringVar(&f.provenance, "provenance", "", "signed provenance of TARGET (Sigstore bundle, .intoto.jsonl, npm attestations, DSSE); checked against the policy's require_provenance")
	fl.StringVar(&f.key, "key", "", "PEM public key the provenance must be signed with")
	fl.StringVar(&f.trustedRoot, "trusted-root", "", "Sigstore trusted_root.json for keyless provenance (default: embedded public-good root)")
	fl.BoolVar(&f.ignoreTlog, "insecure-ignore-tlog", false, "accept provenance without a transparency log entry (private keys)")
	fl.BoolVar(&f.validateAge, feeds.FlagValidateAge, true, "refuse an advisory database older than --"+feeds.FlagMaxAge)
	fl.DurationVar(&f.maxAge, feeds.FlagMaxAge, feeds.DefaultMaxAge, "oldest advisory database scan accepts")
	return cmd
}

func runScan(ctx context.Context, g *globalOptions, f *scanFlags, target string) error {
	pol, err := loadPolicy(f)
	if err != nil {
		return err
	}
	writer, format, err := reportWriter(g, f)
	if err != nil {
		return err
	}
	dbPath, err := dbPath(g)
	if err != nil {
		return err
	}
	engine, err := scan.Open(ctx, scan.Config{
		DBPath: dbPath, MaxAge: f.maxAge, AcceptStale: !f.validateAge,
		Limits: f.artifact.limits, Offline: g.offline, TempRoot: g.tempRoot,
		Tool: report.Tool{Name: "fnaudit", Version: version()},
	})
	if err != nil {
		return err
	}
	defer engine.Close()
	limitHeapFor(target)
	res, err := engine.Scan(ctx, scan.Request{
		Target: target, Layers: f.artifact.layers, Runtime: f.artifact.runtime, Platform: f.artifact.platform,
		Policy: pol, VEX: f.vex,
		Provenance: scan.Provenance{Bundle: f.provenance, Key: f.key, TrustedRoot: f.trustedRoot, IgnoreTlog: f.ignoreTlog},
	})
	if err != nil {
		return err
	}
	f.record.keep(res.Report, engine.Store().Generation())
	if !g.quiet {
		for _, w := range res.Warnings {
			fmt.Fprintf(g.stderr, "fnaudit: warning: %s\n", w)
		}
	}
	if err := emit(g, f, writer, format, res.Report); err != nil {
		return err
	}
	if !res.Pass() {
		return newGateFailure("%d of %d findings fail the policy%s", res.Decision.Failing(), len(res.Findings), provenanceNote(res.Decision))
	}
	return nil
}

func provenanceNote(d *policy.Decision) string {
	if d.Provenance != nil && d.Provenance.Fails {
		return "; " + d.Provenance.Detail
	}
	return ""
}

// loadPolicy reads --policy, else .fnaudit.yaml in the working directory,
// else the default policy; --fail-on overrides the file's threshold.
func loadPolicy(f *scanFlags) (*policy.Policy, error) {
	pol := policy.Default()
	path := f.policy
	if path == "" {
		if _, err := os.Stat(policy.FileName); err == nil {
			path = policy.FileName
		}
	}
	if path != "" {
		var err error
		if pol, err = policy.Load(path); err != nil {
			return nil, err
		}
	}
	if f.failOn != "" {
		sev, err := match.ParseSeverity(f.failOn)
		if err != nil || sev == match.SeverityUnknown || sev == match.SeverityNone {
			return nil, fmt.Errorf("--fail-on %q: want low, medium, high or critical", f.failOn)
		}
		pol.FailOn = sev
	}
	return pol, nil
}

// reportWriter picks the format: -o; else JSON for --output and for a
// pipe, the table on a terminal.
func reportWriter(g *globalOptions, f *scanFlags) (report.Writer, string, error) {
	format := f.format
	if format == "" {
		format = "json"
		if isTerminal(g.stdout) && f.output == "" {
			format = "table"
		}
	}
	w, err := report.For(format, report.Options{Color: isTerminal(g.stdout) && f.output == ""})
	return w, format, err
}

func isTerminal(w io.Writer) bool {
	file, ok := w.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

// emit writes the report: to --output in the chosen format with the table
// on the terminal (unless -q), or to stdout.
func emit(g *globalOptions, f *scanFlags, w report.Writer, format string, rep *report.Report) error {
	if f.output == "" {
		return w.Write(g.stdout, rep)
	}
	if err := writeOutput(g, f.output, func(out io.Writer) error { return w.Write(out, rep) }); err != nil {
		return err
	}
	if g.quiet {
		return nil
	}
	table, err := report.For("table", report.Options{Color: isTerminal(g.stdout)})
	if err != nil {
		return err
	}
	return table.Write(g.stdout, rep)
}
