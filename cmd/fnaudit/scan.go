package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/internal/format"
	"github.com/fnaudit/fnaudit/match"
	"github.com/fnaudit/fnaudit/policy"
	"github.com/fnaudit/fnaudit/report"
	"github.com/fnaudit/fnaudit/scan"
)

func init() { register(newScanCmd) }

type scanFlags struct {
	artifact    artifactFlags
	outputs     outputFlags
	failOn      string
	onlyFixed   bool
	cert        certFlags
	policy      string
	vex         []string
	provenance  string
	key         string
	trustedRoot string
	ignoreTlog  bool
	validateAge bool
	maxAge      ageValue
	vexNames    bool
	registry    registryFlags // registry.go
	record      recordFlags   // --record, --name, --inventory (record.go)
}

func newScanCmd(g *globalOptions) *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "scan TARGET",
		Short: "Match a function's packages against advisories and gate the deploy",
		Long: `scan opens TARGET (everything sbom accepts, or a CycloneDX / SPDX JSON
SBOM made elsewhere), matches every package against the local advisory
database (fnaudit db), verifies --provenance when given or required, applies
the policy and reports.

The policy is --policy, else .fnaudit.yaml in the working directory or a
parent up to the repository root, else $XDG_CONFIG_HOME/fnaudit/.fnaudit.yaml;
the report names the file used. --fail-on none never fails on severity;
malware fails whatever --fail-on says (only a policy exception clears it).

Exit codes: 0 the gate passed, 1 it failed, 2 fnaudit could not decide (bad
input, no or stale database, unreadable policy). An error never passes.`,
		Example: `  fnaudit scan testdata/functions/node-app.zip
  fnaudit scan testdata/functions/node-app.zip --layer testdata/functions/node-layer.zip
  fnaudit scan function.zip -o sarif=fnaudit.sarif -o markdown=summary.md -o table
  fnaudit scan function.zip -o json --output result.json --fail-on critical --only-fixed
  fnaudit scan function.zip --provenance function.zip.sigstore.json \
      --certificate-identity-regexp '^https://github.com/acme/' \
      --certificate-oidc-issuer https://token.actions.githubusercontent.com`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return f.record.around(cmd.Context(), args[0], func() error { return runScan(cmd.Context(), g, &f, args[0]) })
		},
	}
	f.artifact.register(cmd)
	f.outputs.register(cmd, report.Formats.IDs())
	f.record.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.failOn, "fail-on", "", "lowest severity that fails the gate: low, medium, high, critical, or none (default: the policy's, else high; malware fails regardless)")
	fl.BoolVar(&f.onlyFixed, "only-fixed", false, "let vulnerabilities with no known fix pass, marked no-fix (malware still fails)")
	fl.BoolVar(&f.onlyFixed, "ignore-unfixed", false, "same as --only-fixed (Trivy's name)")
	fl.StringVar(&f.policy, "policy", "", "policy file (default: "+policy.FileName+" searched up to the repository root, then $XDG_CONFIG_HOME/fnaudit/)")
	fl.StringArrayVar(&f.vex, "vex", nil, "OpenVEX document whose not_affected / fixed statements suppress findings (repeatable)")
	fl.StringVar(&f.provenance, "provenance", "", "signed provenance of TARGET (Sigstore bundle, .intoto.jsonl, npm attestations, DSSE); checked against the policy's require_provenance and the --certificate-* flags")
	fl.StringVar(&f.key, "key", "", "PEM public key the provenance must be signed with")
	fl.StringVar(&f.trustedRoot, "trusted-root", "", "Sigstore trusted_root.json for keyless provenance (default: embedded public-good root)")
	fl.BoolVar(&f.ignoreTlog, "insecure-ignore-tlog", false, "accept provenance without a transparency log entry (private keys)")
	f.cert.register(cmd)
	fl.BoolVar(&f.validateAge, feeds.FlagValidateAge, true, "refuse an advisory database older than --"+feeds.FlagMaxAge)
	f.maxAge = ageValue(feeds.DefaultMaxAge)
	fl.Var(&f.maxAge, feeds.FlagMaxAge, "oldest advisory database scan accepts: days (7d) or a Go duration (36h)")
	fl.BoolVar(&f.vexNames, "vex-match-names", false, "let a VEX statement whose product is only the artifact's file name (no digest, no purl) clear findings")
	f.registry.register(cmd)
	return cmd
}

func runScan(ctx context.Context, g *globalOptions, f *scanFlags, target string) error {
	outs, err := f.outputs.resolve(reportFormat)
	if err != nil {
		return err
	}
	pol, polInfo, err := loadPolicy(g, f)
	if err != nil {
		return err
	}
	dbPath, err := dbPath(g)
	if err != nil {
		return err
	}
	engine, err := scan.Open(ctx, scan.Config{
		DBPath: dbPath, MaxAge: time.Duration(f.maxAge), AcceptStale: !f.validateAge,
		Limits: f.artifact.limits, Offline: g.offline, TempRoot: g.tempRoot,
		Tool: report.Tool{Name: "fnaudit", Version: toolVersion()},
	})
	if err != nil {
		return err
	}
	defer engine.Close()
	limitHeapFor(target)
	req := scan.Request{
		Target: target, Layers: f.artifact.layers, Runtime: f.artifact.runtime, Platform: f.artifact.platform,
		Policy: pol, VEX: f.vex, VEXMatchNames: f.vexNames,
		Provenance: scan.Provenance{Bundle: f.provenance, Key: f.key, TrustedRoot: f.trustedRoot, IgnoreTlog: f.ignoreTlog},
	}
	if err := f.registry.request(g, &req); err != nil {
		return err
	}
	res, err := engine.Scan(ctx, req)
	if err != nil {
		return err
	}
	res.Report.Policy = polInfo
	f.record.keep(res.Report, engine.Store().Generation())
	if !g.quiet {
		for _, w := range res.Warnings {
			fmt.Fprintf(g.stderr, "fnaudit: warning: %s\n", w)
		}
	}
	if err := emitReport(g, outs, res.Report); err != nil {
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

// loadPolicy reads the policy findPolicy names, or the default policy;
// --fail-on, --only-fixed and the --certificate-* flags override the file.
func loadPolicy(g *globalOptions, f *scanFlags) (*policy.Policy, *report.PolicyInfo, error) {
	pol := policy.Default()
	path, source := findPolicy(g, f.policy)
	if path != "" {
		var err error
		if pol, err = policy.Load(path); err != nil {
			return nil, nil, err
		}
	}
	if f.failOn != "" {
		sev, err := match.ParseSeverity(f.failOn)
		if err != nil || sev == match.SeverityUnknown {
			name := "--fail-on"
			if g.fromEnv["fail-on"] {
				name = envName("fail-on")
			}
			return nil, nil, fmt.Errorf("%s %q: want none, low, medium, high or critical", name, f.failOn)
		}
		pol.FailOn = sev
	}
	if f.onlyFixed {
		pol.OnlyFixed = true
	}
	f.cert.apply(pol)
	return pol, &report.PolicyInfo{Path: path, Source: source}, nil
}

func reportFormat(name string) (string, error) {
	s, err := report.Formats.Lookup(name)
	return s.ID, err
}

// emitReport writes every -o output; when all of them go to files, the
// table still goes to stdout unless -q.
func emitReport(g *globalOptions, outs []output, rep *report.Report) error {
	if !toStdout(outs) && !g.quiet {
		outs = append(outs, output{format: "table"})
	}
	return writeAll(g, outs, func(out output, opts format.Options, w io.Writer) error {
		rw, err := report.For(out.format, opts)
		if err != nil {
			return err
		}
		return rw.Write(w, rep)
	})
}
