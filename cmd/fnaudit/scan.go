package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/fnaudit/fnaudit/artifact"
	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/match"
	"github.com/fnaudit/fnaudit/policy"
	"github.com/fnaudit/fnaudit/provenance"
	"github.com/fnaudit/fnaudit/report"
	"github.com/fnaudit/fnaudit/sbom"
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
	vexNames    bool
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
			return runScan(cmd.Context(), g, &f, args[0])
		},
	}
	f.artifact.register(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&f.format, "format", "o", "", "report format: "+strings.Join(report.Formats(), ", ")+" (default: table on a terminal, json otherwise)")
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
	fl.BoolVar(&f.vexNames, "vex-match-names", false, "let a VEX statement whose product is only the artifact's file name (no digest, no purl) clear findings")
	return cmd
}

func runScan(ctx context.Context, g *globalOptions, f *scanFlags, target string) error {
	now := time.Now()
	pol, err := loadPolicy(f)
	if err != nil {
		return err
	}
	writer, format, err := reportWriter(g, f)
	if err != nil {
		return err
	}
	vexDocs, err := policy.LoadVEX(append(pol.VEXPaths(), f.vex...)...)
	if err != nil {
		return err
	}
	store, dbInfo, err := openAdvisoryDB(ctx, g, f, now)
	if err != nil {
		return err
	}
	defer store.Close()

	s, d, err := catalog(ctx, g, f, target)
	if err != nil {
		return err
	}
	if d != nil {
		defer d.Close()
	}
	if err := checkCoverage(ctx, g, f, store, s.Packages, now); err != nil {
		return err
	}
	findings, err := match.Match(ctx, store, s.Packages)
	if err != nil {
		return fmt.Errorf("match %s: %w", target, err)
	}
	if d != nil {
		if err := annotateGoBinaries(ctx, d, findings); err != nil {
			return err
		}
	}
	prov, err := verifyProvenance(ctx, f, pol, target, s)
	if err != nil {
		return err
	}
	decision := pol.Evaluate(policy.Input{
		Findings: findings, VEX: vexDocs, Provenance: prov, Now: now,
		ArtifactDigest: s.Digest, ArtifactName: filepath.Base(target), VEXMatchNames: f.vexNames,
	})
	rep := report.New(report.Input{SBOM: s, Decision: decision, Database: dbInfo,
		Tool: report.Tool{Name: "fnaudit", Version: version()}, Now: now})
	if err := emit(g, f, writer, format, rep); err != nil {
		return err
	}
	if !decision.Pass {
		return newGateFailure("%d of %d findings fail the policy%s", decision.Failing(), len(findings), provenanceNote(decision))
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

// openAdvisoryDB opens --db (or the default) and applies the freshness
// policy: a warning past a day, a refusal past --db-max-allowed-age unless
// --db-validate-age=false.
func openAdvisoryDB(ctx context.Context, g *globalOptions, f *scanFlags, now time.Time) (*feeds.Store, *report.Database, error) {
	path := g.db
	if path == "" {
		var err error
		if path, err = feeds.DefaultPath(); err != nil {
			return nil, nil, err
		}
	}
	store, err := feeds.Open(path)
	if err != nil {
		if errors.Is(err, feeds.ErrNoDatabase) {
			return nil, nil, fmt.Errorf("%w at %s: run `fnaudit db update` (or `fnaudit db import PATH` offline) first", err, path)
		}
		return nil, nil, err
	}
	age, err := store.CheckAge(ctx, now, f.maxAge)
	switch {
	case errors.Is(err, feeds.ErrStale) && !f.validateAge:
		fmt.Fprintf(g.stderr, "fnaudit: warning: %v (accepted: --%s=false)\n", err, feeds.FlagValidateAge)
	case err != nil:
		store.Close()
		return nil, nil, err
	case age > feeds.DefaultWarnAge && !g.quiet:
		fmt.Fprintf(g.stderr, "fnaudit: warning: advisory database was last updated %s ago; run `fnaudit db update`\n", feeds.FormatAge(age))
	}
	last, _ := store.LastUpdated(ctx)
	return store, &report.Database{Path: store.Path(), LastUpdated: last, AgeHours: age.Hours()}, nil
}

// catalog turns the target into an SBOM: decoded when it is one, else
// opened and cataloged.
func catalog(ctx context.Context, g *globalOptions, f *scanFlags, target string) (*sbom.SBOM, *artifact.Deployment, error) {
	if !artifact.IsImageTarget(target) && sbom.LooksLikeSBOM(target) {
		if len(f.artifact.layers) > 0 {
			return nil, nil, fmt.Errorf("%s is an SBOM; --layer applies to zips", target)
		}
		s, err := sbom.Decode(target)
		return s, nil, err
	}
	sbom.Preload()
	d, err := artifact.Open(ctx, target, f.artifact.options(g))
	if err != nil {
		return nil, nil, err
	}
	limitHeapFor(d)
	s, err := sbom.Generate(ctx, d, sbom.Options{ArchiveDepth: f.artifact.limits.MaxDepth})
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	return s, d, nil
}

// maxGoBinary bounds a Go binary copied out for reachability analysis.
const maxGoBinary = 512 << 20

// annotateGoBinaries decides reachability for the findings of each Go
// binary of the deployment, with the binary copied into the private temp
// directory (govulncheck reads a file).
func annotateGoBinaries(ctx context.Context, d *artifact.Deployment, findings []match.Finding) error {
	done := map[string]bool{}
	for _, f := range findings {
		if f.Package.Ecosystem != sbom.EcosystemGo || done[f.Package.Path()] {
			continue
		}
		p := f.Package.Path()
		done[p] = true
		file, ok := d.File(p)
		if !ok || file.IsSymlink() || file.Size > maxGoBinary {
			continue // a binary inside an archive, or too large: reachability stays unknown
		}
		tmp, err := copyOut(d, p)
		if err != nil {
			return err
		}
		err = match.AnnotateGoBinary(ctx, findings, p, tmp)
		os.Remove(tmp)
		if err != nil {
			return fmt.Errorf("Go reachability of %s: %w", p, err)
		}
	}
	return nil
}

func copyOut(d *artifact.Deployment, p string) (string, error) {
	rc, err := d.Open(p)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	out, err := os.CreateTemp("", "gobinary-*")
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, io.LimitReader(rc, maxGoBinary)); err != nil {
		out.Close()
		os.Remove(out.Name())
		return "", fmt.Errorf("copy %s: %w", p, err)
	}
	return out.Name(), out.Close()
}

// verifyProvenance checks --provenance against the policy's expectations;
// nil when none is given (the policy decides whether that fails the gate).
// An error means it could not be checked (exit 2).
func verifyProvenance(ctx context.Context, f *scanFlags, pol *policy.Policy, target string, s *sbom.SBOM) (*provenance.Result, error) {
	if f.provenance == "" {
		return nil, nil
	}
	var art provenance.Artifact
	var err error
	if s.Kind == artifact.KindZip {
		art, err = provenance.ArtifactFromFile(target)
	} else {
		if s.Digest == "" {
			return nil, fmt.Errorf("--provenance: %s has no digest to check it against", target)
		}
		art, err = provenance.ArtifactFromDigest(s.Digest)
	}
	if err != nil {
		return nil, err
	}
	var opts []provenance.Option
	if req := pol.RequireProvenance; req != nil {
		opts = append(opts, req.Options()...)
	}
	if f.key != "" {
		opts = append(opts, provenance.WithKey(f.key))
	}
	if f.trustedRoot != "" {
		opts = append(opts, provenance.WithTrustedRoot(f.trustedRoot))
	}
	if f.ignoreTlog {
		opts = append(opts, provenance.WithInsecureIgnoreTlog())
	}
	return provenance.Verify(ctx, art, f.provenance, opts...)
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
