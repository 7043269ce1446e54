package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/fleet"
	fleetaws "github.com/fnaudit/fnaudit/fleet/aws"
	"github.com/fnaudit/fnaudit/fleet/config"
	"github.com/fnaudit/fnaudit/fleet/manifest"
	"github.com/fnaudit/fnaudit/inventory"
	"github.com/fnaudit/fnaudit/report"
	"github.com/fnaudit/fnaudit/scan"
)

func init() { register(newFleetCmd) }

type fleetFlags struct {
	source      string
	profile     string
	regions     []string
	roleARNs    []string
	externalIDs []string
	allVersions bool
	manifest    string
	inventory   string
	policy      string
	format      string
	output      string
	notify      string
	concurrency int
	enqueue     bool
	validateAge bool
	maxAge      time.Duration
}

func newFleetCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{Use: "fleet", Short: "Scan every deployed function of a fleet"}
	var f fleetFlags
	sc := &cobra.Command{
		Use:   "scan (--source aws [...] | --manifest FILE)",
		Short: "List a fleet's functions, scan what changed, re-match the rest, record everything",
		Long: `fleet scan lists the functions of an AWS account set (--source aws) or a
manifest (--manifest), skips the deployments the inventory already holds
(same code and layer digests: their stored SBOM is re-matched against
today's advisory database), downloads and scans the new or changed ones,
and records every result in the inventory.

Exit codes: 0 every function passed, 1 a function failed the gate, 2
listing failed, a function could not be scanned (named), or --notify could
not be delivered; every other function is still recorded.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runFleetScan(cmd.Context(), g, &f) },
	}
	fl := sc.Flags()
	fl.StringVar(&f.source, "source", "", "where to list functions: aws")
	fl.StringVar(&f.profile, "profile", "", "AWS shared config profile")
	fl.StringArrayVar(&f.regions, "region", nil, "AWS region (repeatable)")
	fl.StringArrayVar(&f.roleARNs, "role-arn", nil, "IAM role to assume in another account (repeatable)")
	fl.StringArrayVar(&f.externalIDs, "external-id", nil, "external id of the --role-arn at the same position")
	fl.BoolVar(&f.allVersions, "all-versions", false, "every published version, not only $LATEST")
	fl.StringVar(&f.manifest, "manifest", "", "fleet manifest (YAML; see fleet/manifest/README.md)")
	fl.StringVar(&f.inventory, "inventory", "", "inventory: a SQLite path or postgres://… (default: the embedded store)")
	fl.StringVar(&f.policy, "policy", "", "policy file (default: "+".fnaudit.yaml in the working directory, if present)")
	fl.StringVarP(&f.format, "format", "o", "table", "summary format: "+strings.Join(fleet.SummaryFormats, ", "))
	fl.StringVar(&f.output, "output", "", "write the summary to this file instead of stdout")
	fl.StringVar(&f.notify, "notify", "", "POST one JSON summary of the new failing findings to this URL (docs/notify.schema.json)")
	fl.IntVar(&f.concurrency, "concurrency", fleet.DefaultConcurrency, "functions handled at once")
	fl.BoolVar(&f.enqueue, "enqueue", false, "queue one job per function in the PostgreSQL inventory for `fnaudit worker` instead of scanning here")
	fl.BoolVar(&f.validateAge, feeds.FlagValidateAge, true, "refuse an advisory database older than --"+feeds.FlagMaxAge)
	fl.DurationVar(&f.maxAge, feeds.FlagMaxAge, feeds.DefaultMaxAge, "oldest advisory database accepted")
	cmd.AddCommand(sc, newFleetStatusCmd(g))
	return cmd
}

func fleetSource(ctx context.Context, f *fleetFlags) (fleet.Source, error) {
	switch {
	case f.manifest != "" && f.source != "":
		return nil, errors.New("fleet scan: give --source or --manifest, not both")
	case f.manifest != "":
		return manifest.Source{Path: f.manifest}, nil
	case f.source == "aws":
		if len(f.externalIDs) > len(f.roleARNs) {
			return nil, errors.New("fleet scan: --external-id without a --role-arn")
		}
		opts := fleetaws.Options{Profile: f.profile, Regions: f.regions, AllVersions: f.allVersions, ListOnly: true}
		for i, arn := range f.roleARNs {
			r := fleetaws.Role{ARN: arn}
			if i < len(f.externalIDs) {
				r.ExternalID = f.externalIDs[i]
			}
			opts.Roles = append(opts.Roles, r)
		}
		return fleetaws.New(ctx, opts)
	case f.source == "":
		return nil, errors.New("fleet scan: give --source aws or --manifest FILE")
	}
	return nil, fmt.Errorf("fleet scan: unknown --source %q (known: aws)", f.source)
}

func inventoryDSN(dsn string) (string, error) {
	if dsn != "" {
		return dsn, nil
	}
	return inventory.DefaultPath()
}

func runFleetScan(ctx context.Context, g *globalOptions, f *fleetFlags) error {
	if !contains(fleet.SummaryFormats, f.format) {
		return fmt.Errorf("fleet scan: unknown -o %q (one of %s)", f.format, strings.Join(fleet.SummaryFormats, ", "))
	}
	pol, _, err := loadPolicy(g, &scanFlags{policy: f.policy})
	if err != nil {
		return err
	}
	src, err := fleetSource(ctx, f)
	if err != nil {
		return err
	}
	if f.enqueue {
		return enqueueFleet(ctx, g, f, src)
	}
	dsn, err := inventoryDSN(f.inventory)
	if err != nil {
		return err
	}
	store, err := inventory.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	engine, err := openFleetEngine(ctx, g, f.maxAge, !f.validateAge)
	if err != nil {
		return err
	}
	defer engine.Close()
	layerDir, err := os.MkdirTemp(g.tempRoot, "fnaudit-fleet-layers-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(layerDir)
	p := &fleet.Planner{Engine: engine, Store: store, Policy: pol, Fetcher: &fleet.Fetcher{LayerDir: layerDir}, WorkDir: g.tempRoot}
	bar := newFleetProgress(g)
	if bar != nil {
		p.Progress = bar
	}
	sum, fns := fleet.ScanFleet(ctx, src, p, f.concurrency)
	for _, r := range config.SharedRoles(fns, 0) {
		sum.SharedRoles = append(sum.SharedRoles, fleet.SharedRole{Role: r.Role, Functions: r.Functions})
	}
	if bar != nil {
		bar.finish()
	}
	if err := writeFleetSummary(g, f, sum); err != nil {
		return err
	}
	var problems []string
	if sum.ListError != "" {
		problems = append(problems, "listing failed: "+sum.ListError)
	}
	for _, e := range sum.Errored() {
		problems = append(problems, e.Error)
	}
	if f.notify != "" {
		if err := (&fleet.Notifier{}).Send(ctx, f.notify, fleet.NewNotification(sum)); err != nil {
			problems = append(problems, err.Error()+" (results are stored)")
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("fleet scan: %d problem(s):\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	if sum.Failing > 0 {
		return newGateFailure("%d of %d functions fail the gate", sum.Failing, sum.Listed)
	}
	return nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func writeFleetSummary(g *globalOptions, f *fleetFlags, sum *fleet.Summary) error {
	var w io.Writer = g.stdout
	if f.output != "" {
		file, err := os.Create(f.output)
		if err != nil {
			return fmt.Errorf("fleet scan: --output: %w", err)
		}
		defer file.Close()
		if err := fleet.WriteSummary(file, f.format, sum); err != nil {
			return err
		}
		return file.Close()
	}
	return fleet.WriteSummary(w, f.format, sum)
}

// fleetProgress shows listed / downloaded / scanned on a terminal.
type fleetProgress struct {
	bar              *progressbar.ProgressBar
	downloaded, done int64
	total            int
}

func newFleetProgress(g *globalOptions) *fleetProgress {
	file, ok := g.stderr.(*os.File)
	if g.quiet || g.noProgress || !ok || !term.IsTerminal(int(file.Fd())) {
		return nil
	}
	return &fleetProgress{bar: progressbar.NewOptions(-1, progressbar.OptionSetWriter(file),
		progressbar.OptionSetDescription("listing"), progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())}
}

func (p *fleetProgress) Listed(n int) {
	p.total = n
	p.bar.ChangeMax(n)
	p.bar.Describe(fmt.Sprintf("%d listed", n))
}

func (p *fleetProgress) Downloaded() {
	n := atomicAdd(&p.downloaded)
	p.bar.Describe(fmt.Sprintf("%d listed, %d downloaded", p.total, n))
}

func (p *fleetProgress) Scanned() { atomicAdd(&p.done); p.bar.Add(1) }

func (p *fleetProgress) finish() { p.bar.Finish() }

func atomicAdd(p *int64) int64 { return atomic.AddInt64(p, 1) }

// openFleetEngine opens the scan engine that `fleet scan` and `worker`
// share: the advisory database of --db, no per-scan artifact limits.
func openFleetEngine(ctx context.Context, g *globalOptions, maxAge time.Duration, acceptStale bool) (*scan.Engine, error) {
	db, err := dbPath(g)
	if err != nil {
		return nil, err
	}
	return scan.Open(ctx, scan.Config{DBPath: db, MaxAge: maxAge, AcceptStale: acceptStale,
		Offline: g.offline, TempRoot: g.tempRoot, Tool: report.Tool{Name: "fnaudit", Version: toolVersion()}})
}
