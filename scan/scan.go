package scan

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/match"
	"github.com/fnaudit/fnaudit/policy"
	"github.com/fnaudit/fnaudit/report"
	"github.com/fnaudit/fnaudit/sbom"
)

// Result is one scan's outcome. Report is the self-contained form every
// output format renders from (and `fnaudit report --from` reads back); the
// other fields are the in-memory stages, for callers that go further (the
// inventory, the SBOM encoders).
type Result struct {
	Report   *report.Report
	SBOM     *sbom.SBOM
	Findings []match.Finding
	Decision *policy.Decision
	// Warnings are what the user should read even when the gate passes
	// (an old database), one line each.
	Warnings []string
	// Timings are how long each stage took, in order.
	Timings []Timing
}

// Timing is one stage's wall time.
type Timing struct {
	Stage    string
	Duration time.Duration
}

// stopwatch records stage timings.
type stopwatch struct {
	last    time.Time
	timings []Timing
}

func newStopwatch() *stopwatch { return &stopwatch{last: time.Now()} }

func (s *stopwatch) lap(stage string) {
	now := time.Now()
	s.timings = append(s.timings, Timing{stage, now.Sub(s.last)})
	s.last = now
}

// Pass says whether the gate passed.
func (r *Result) Pass() bool { return r.Decision.Pass }

// Scan runs one scan: artifact → sbom → match → Go reachability →
// provenance → policy. An error means fnaudit could not decide (exit 2);
// a failed gate is a Result whose Pass is false.
func (e *Engine) Scan(ctx context.Context, req Request) (*Result, error) {
	sw := newStopwatch()
	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}
	pol := req.Policy
	if pol == nil {
		pol = policy.Default()
	}
	vexDocs, err := policy.LoadVEX(append(pol.VEXPaths(), req.VEX...)...)
	if err != nil {
		return nil, err
	}
	ref := e.acquire()
	defer e.release(ref)
	var store *feeds.Store
	if ref != nil {
		store = ref.store
	}
	db, warnings, err := e.checkDatabase(ctx, store, now)
	if err != nil {
		return nil, err
	}
	sw.lap("database")

	dir, cleanup, err := privateDir(e.cfg.TempRoot)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	// The scan's own outputs carry no CPEs, and matching never uses them.
	c, err := e.catalog(ctx, req, dir, sbom.Options{WithoutCPEs: true, WithoutLicenseFiles: true})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	s := c.SBOM
	sw.lap("catalog")
	covWarn, err := e.checkCoverage(ctx, store, s, now)
	if err != nil {
		return nil, err
	}
	warnings = append(warnings, covWarn...)
	warnings = append(warnings, s.Warnings()...)

	findings, err := match.Match(ctx, store, s.Packages)
	if err != nil {
		return nil, fmt.Errorf("match %s: %w", req.Target, err)
	}
	sw.lap("match")
	if c.Deployment != nil {
		if err := annotateGoBinaries(ctx, c.Deployment, s, dir, findings); err != nil {
			return nil, err
		}
	}
	sw.lap("reachability")
	regFindings, regWarnings, err := e.checkRegistry(ctx, store, req, s.Packages, now) // scan/registry.go; after reachability, which reads advisory records
	if err != nil {
		return nil, err
	}
	findings, warnings = append(findings, regFindings...), append(warnings, regWarnings...)
	sw.lap("registry")
	prov, err := verifyProvenance(ctx, req, pol, s)
	if err != nil {
		return nil, err
	}
	sw.lap("provenance")
	decision := pol.Evaluate(policy.Input{
		Findings: findings, VEX: vexDocs, Provenance: prov, Now: now,
		ArtifactDigest: s.Digest, ArtifactName: filepath.Base(req.Target), VEXMatchNames: req.VEXMatchNames,
		Visibility: visibility(s), Empty: s.EmptyWarning(),
	})
	rep := report.New(report.Input{
		Target: s.Target, Kind: s.Kind, Digest: s.Digest, Runtime: s.Runtime.String(),
		Origins: s.Origins, Packages: s.Packages,
		Decision: decision, Database: db, Tool: e.cfg.Tool, Now: now,
	})
	for _, b := range s.UnidentifiedBundles {
		warnings = append(warnings, fmt.Sprintf("cannot see into bundle %s: no source map, module comment or lockfile names its modules", b))
	}
	sw.lap("policy+report")
	return &Result{Report: rep, SBOM: s, Findings: findings, Decision: decision, Warnings: warnings, Timings: sw.timings}, nil
}

// visibility is what the scan could not see: bundled packages without a
// version, and bundles nothing names the modules of.
func visibility(s *sbom.SBOM) policy.Visibility {
	v := policy.Visibility{UnidentifiedBundles: s.UnidentifiedBundles}
	for _, p := range s.Packages {
		if p.Version == "" && core.Bundled(p) {
			v.Unversioned++
		}
	}
	return v
}
