package fleet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/inventory"
	"github.com/fnaudit/fnaudit/match"
	"github.com/fnaudit/fnaudit/policy"
	"github.com/fnaudit/fnaudit/report"
	"github.com/fnaudit/fnaudit/scan"
)

// Progress is told what a run has done so far (a progress bar on a TTY).
// Implementations must be safe for concurrent use.
type Progress interface {
	Listed(n int)
	Downloaded()
	Scanned()
}

// Planner decides, for each listed function version, whether it must be
// downloaded and scanned (new or changed deployment digest) or only
// re-matched from the SBOM the inventory already holds, and records the
// outcome. One Planner serves one run; it is safe for concurrent use.
type Planner struct {
	Engine  *scan.Engine
	Store   *inventory.Store
	Policy  *policy.Policy // policy.Default() when nil
	Fetcher *Fetcher
	// WorkDir holds each function's private download directory ("": the
	// system temporary directory). Nothing is left in it.
	WorkDir string
	// RunID makes the inventory's run keys: a retried job of the same run
	// records nothing twice.
	RunID string
	// Now is the run's clock (time.Now() when zero).
	Now time.Time
	// ImageAuth authenticates image pulls (AWS: ECR); nil: anonymous.
	ImageAuth ImageAuthorizer
	Progress  Progress
	// InRecordTx, when set, runs inside the transaction that records the
	// function, with its database/sql driver connection: a queue worker
	// completes its job there (inventory.Store.RecordScanThen). Without it,
	// records of concurrent functions share commits (groupCommit).
	InRecordTx func(ctx context.Context, driverConn any) error

	commits groupCommit

	vex     []policy.VEXDoc
	vexErr  error
	vexOnce sync.Once
	once    sync.Once
	lookups *lookupCache
	gen     string
	genErr  error
}

// Outcome is what happened to one function version.
type Outcome struct {
	Function  Function
	Digest    string // deployment digest (code + layers), as stored
	Unchanged bool   // not downloaded: the stored SBOM was re-matched
	Pass      bool
	Failing   int // findings failing the gate (eol-runtime included when the policy says so)
	// Findings are the version's findings now; New and Fixed compare them
	// with the function's previous version in the inventory, StillOpen are
	// in both.
	Findings  []inventory.FindingRow
	New       []inventory.FindingRow
	Fixed     []inventory.FindingRow
	StillOpen []inventory.FindingRow
	Err       error // the function could not be scanned; nothing of it was stored
}

func (p *Planner) now() time.Time {
	if p.Now.IsZero() {
		return time.Now()
	}
	return p.Now
}

func (p *Planner) policy() *policy.Policy {
	if p.Policy == nil {
		return policy.Default()
	}
	return p.Policy
}

// Run handles every function with at most concurrency at once and returns
// one Outcome per function, in the order given.
func (p *Planner) Run(ctx context.Context, fns []Function, concurrency int) []Outcome {
	out := make([]Outcome, len(fns))
	errs := ForEach(ctx, fns, concurrency, func(ctx context.Context, i int, fn Function) error {
		out[i] = p.ScanFunction(ctx, fn)
		return out[i].Err
	})
	for i, err := range errs {
		if err != nil && out[i].Err == nil { // never started (ctx ended)
			out[i] = Outcome{Function: fns[i], Err: err}
		}
	}
	return out
}

// ScanFunction is the job of one function version, the same in-process and
// in a queue worker: skip-or-download, scan or re-match, record.
func (p *Planner) ScanFunction(ctx context.Context, fn Function) Outcome {
	o := Outcome{Function: fn}
	if err := p.scanFunction(ctx, &o); err != nil {
		o.Err = fmt.Errorf("function %s: %w", fn.ID(), err)
		o.Pass = false
	}
	if p.Progress != nil {
		p.Progress.Scanned()
	}
	return o
}

func (p *Planner) scanFunction(ctx context.Context, o *Outcome) error {
	fn := o.Function
	prev, err := p.previousFindings(ctx, fn)
	if err != nil {
		return err
	}
	digest, known, err := PlannedDigest(fn)
	if err != nil {
		return err
	}
	// A required provenance is verified against the bytes: such a function
	// is always scanned in full, never passed from the stored SBOM.
	if known && (p.policy().RequireProvenance == nil) {
		pkgs, gen, found, err := p.Store.StoredArtifact(ctx, digest)
		if err != nil {
			return err
		}
		if found && gen != "" {
			o.Digest, o.Unchanged = digest, true
			return p.rematch(ctx, o, pkgs, prev)
		}
	}
	return p.download(ctx, o, prev)
}

// PlannedDigest is the deployment digest of fn as listed, before any
// download: its code digest (or image digest) and its layers' digests.
// known is false when the source gave no digest to compare (a URL without
// sha256, an image by tag), and the function must then be downloaded.
func PlannedDigest(fn Function) (digest string, known bool, err error) {
	var code string
	if fn.PackageType == PackageImage {
		code = imageDigest(fn) // an image's CodeSha256 is its digest in hex, not Lambda's base64
	} else if code, err = fn.Digest(); err != nil {
		return "", false, err
	}
	if code == "" {
		return "", false, nil
	}
	layers := make([]string, 0, len(fn.Layers))
	for _, l := range fn.Layers {
		if l.CodeSha256 == "" {
			return "", false, nil
		}
		h, err := SHA256Hex(l.CodeSha256)
		if err != nil {
			return "", false, fmt.Errorf("layer %s: %w", l.ARN, err)
		}
		layers = append(layers, "sha256:"+h)
	}
	return inventory.DeploymentDigest(code, layers...), true, nil
}

// imageDigest is the pinned digest of an image function, "" when only a tag
// is known.
func imageDigest(fn Function) string {
	for _, ref := range []string{fn.ResolvedImageURI, fn.ImageURI} {
		if i := strings.LastIndex(ref, "@sha256:"); i >= 0 {
			return ref[i+1:]
		}
	}
	return ""
}

// previousFindings are the findings of the function's most recently seen
// version, the base of the NEW / FIXED / STILL OPEN lists.
func (p *Planner) previousFindings(ctx context.Context, fn Function) ([]inventory.FindingRow, error) {
	d, err := p.Store.ShowFunction(ctx, functionRef(fn))
	if errors.Is(err, inventory.ErrNoFunction) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var last *inventory.VersionDetail
	for i := range d.Versions {
		if last == nil || !d.Versions[i].LastSeen.Before(last.LastSeen) {
			last = &d.Versions[i]
		}
	}
	if last == nil {
		return nil, nil
	}
	return last.Findings, nil
}

// generation names the advisory database the findings come from: its last
// data change.
func generation(ctx context.Context, s *feeds.Store) (string, error) {
	t, err := s.LastUpdated(ctx)
	if err != nil {
		return "", fmt.Errorf("advisory database: %w", err)
	}
	return "feeds@" + t.UTC().Format(time.RFC3339Nano), nil
}

func (p *Planner) loadVEX() ([]policy.VEXDoc, error) {
	p.vexOnce.Do(func() { p.vex, p.vexErr = policy.LoadVEX(p.policy().VEXPaths()...) })
	return p.vex, p.vexErr
}

// rematch decides an unchanged deployment from its stored packages.
func (p *Planner) rematch(ctx context.Context, o *Outcome, rows []inventory.PackageRow, prev []inventory.FindingRow) error {
	store := p.Engine.Store()
	if store == nil {
		return errors.New("no advisory database")
	}
	now := p.now()
	p.once.Do(func() {
		p.lookups = &lookupCache{src: store}
		p.gen, p.genErr = generation(ctx, store)
	})
	pkgs := corePackages(rows)
	findings, err := match.Match(ctx, p.lookups, pkgs)
	if err != nil {
		return fmt.Errorf("re-match stored packages: %w", err)
	}
	vex, err := p.loadVEX()
	if err != nil {
		return err
	}
	d := p.policy().Evaluate(policy.Input{Findings: findings, VEX: vex, Now: now, ArtifactDigest: o.Digest, ArtifactName: o.Function.Name})
	if p.genErr != nil {
		return p.genErr
	}
	fn := o.Function
	rep := report.New(report.Input{Target: fn.ID(), Kind: artifactKind(fn), Runtime: fn.Runtime,
		Packages: pkgs, Decision: d, Now: now})
	v, err := listedVersion(fn)
	if err != nil {
		return err
	}
	rec := inventory.FromReport(rep, inventory.Identity{Version: v}, p.gen)
	// The stored rows stay as they are: the artifact is already there.
	rec.Artifact = inventory.Artifact{Digest: o.Digest, Packages: rows}
	return p.record(ctx, o, rec, d, prev)
}

// download fetches, checks, scans and records a new or changed deployment.
func (p *Planner) download(ctx context.Context, o *Outcome, prev []inventory.FindingRow) error {
	fn := o.Function
	dir, err := os.MkdirTemp(p.WorkDir, "fleet-fn-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	req := scan.Request{Runtime: fn.Runtime, Policy: p.policy(), Now: p.now()}
	var codeHex, imgDigest string
	var layerDigests []string
	var invLayers []inventory.Layer
	if fn.PackageType == PackageImage {
		target, digest, err := p.pullImage(ctx, fn, dir)
		if err != nil {
			return err
		}
		req.Target, imgDigest = target, digest
	} else {
		got, err := p.Fetcher.FetchFunction(ctx, fn, dir)
		if err != nil {
			return err // a DigestMismatchError among them: nothing is stored
		}
		fn = got.Function
		codeHex, err = SHA256Hex(got.Code.CodeSha256)
		if err != nil {
			return err
		}
		if fn.CodeSha256 == "" {
			fn.CodeSha256 = got.Code.CodeSha256
		}
		req.Target = got.Code.Path
		for i, l := range got.Layers {
			h, err := SHA256Hex(l.CodeSha256)
			if err != nil {
				return err
			}
			req.Layers = append(req.Layers, l.Path)
			layerDigests = append(layerDigests, "sha256:"+h)
			invLayers = append(invLayers, inventory.Layer{ARN: fn.Layers[i].ARN, Digest: "sha256:" + h, CodeSha256: l.CodeSha256})
		}
	}
	if p.Progress != nil {
		p.Progress.Downloaded()
	}
	if fn.Provenance != "" {
		req.Provenance = scan.Provenance{Bundle: fn.Provenance}
	}
	res, err := p.Engine.Scan(ctx, req)
	if err != nil {
		return err
	}
	gen, err := generation(ctx, p.Engine.Store())
	if err != nil {
		return err
	}
	code := "sha256:" + codeHex
	if imgDigest != "" {
		code = imgDigest
	}
	o.Function = fn
	o.Digest = inventory.DeploymentDigest(code, layerDigests...)
	prov := inventory.ProvenanceUnknown
	if dp := res.Decision.Provenance; dp != nil && dp.Result != nil {
		prov = inventory.ProvenanceUnverified
		if !dp.Fails {
			prov = inventory.ProvenanceVerified
		}
	}
	o.Function.Layers = fn.Layers
	rec := inventory.FromReport(res.Report, inventory.Identity{Version: versionOf(fn, codeHex, imgDigest, invLayers, prov)}, gen)
	// The fleet's key is the digest of the bytes checked against
	// CodeSha256, the one the next run plans with before any download.
	rec.Artifact.Digest = o.Digest
	return p.record(ctx, o, rec, res.Decision, prev)
}

// listedVersion is the version of an unchanged function as listed (its
// digests checked when it was first downloaded).
func listedVersion(fn Function) (inventory.Version, error) {
	codeHex := ""
	if fn.CodeSha256 != "" && fn.PackageType != PackageImage {
		h, err := SHA256Hex(fn.CodeSha256)
		if err != nil {
			return inventory.Version{}, err
		}
		codeHex = h
	}
	var layers []inventory.Layer
	for _, l := range fn.Layers {
		h, err := SHA256Hex(l.CodeSha256)
		if err != nil {
			return inventory.Version{}, err
		}
		layers = append(layers, inventory.Layer{ARN: l.ARN, Digest: "sha256:" + h, CodeSha256: l.CodeSha256})
	}
	img := ""
	if fn.PackageType == PackageImage {
		img = imageDigest(fn)
	}
	return versionOf(fn, codeHex, img, layers, inventory.ProvenanceUnknown), nil
}

func artifactKind(fn Function) core.ArtifactKind {
	if fn.PackageType == PackageImage {
		return core.ArtifactImage
	}
	return core.ArtifactZip
}

// record stores one decided version (the record FromReport made of its
// report) in one transaction, keyed by the run and the deployment so a
// retried job records nothing twice. The fleet's own facts go on top: the
// function's identity, the run key and time, and an eol runtime failing
// the gate when the policy says so.
func (p *Planner) record(ctx context.Context, o *Outcome, rec inventory.ScanRecord, d *policy.Decision, prev []inventory.FindingRow) error {
	o.Findings = rec.Findings
	o.Failing = d.Failing()
	o.Pass = d.Pass
	if p.policy().FailOnEOLRuntime {
		for _, c := range o.Function.ConfigFindings {
			if c.Kind == KindEOLRuntime {
				o.Failing++
				o.Pass = false
			}
		}
	}
	o.New, o.Fixed, o.StillOpen = diffFindings(prev, o.Findings)
	rec.Function = inventory.Function{FunctionRef: functionRef(o.Function), ARN: o.Function.ARN}
	rec.Run.Key, rec.Run.At, rec.Run.Target = RunKey(p.RunID, o.Function, o.Digest), p.now(), o.Function.ID()
	rec.Run.Result = inventory.ResultPass
	if !o.Pass {
		rec.Run.Result = inventory.ResultFail
	}
	rec.Run.Decision = fmt.Sprintf("%d finding(s), %d failing the gate", len(o.Findings), o.Failing)
	if p.InRecordTx != nil {
		_, err := p.Store.RecordScanThen(ctx, rec, p.InRecordTx)
		return err
	}
	return p.commits.record(ctx, p.Store, rec)
}

// RunKey is the inventory run key of one function version in one run.
func RunKey(runID string, fn Function, digest string) string {
	return "fleet/" + runID + "/" + fn.ID() + "/" + digest
}

// diffFindings compares by package path, ecosystem, name and advisory id.
func diffFindings(prev, next []inventory.FindingRow) (added, fixed, still []inventory.FindingRow) {
	key := func(f inventory.FindingRow) string {
		return f.Path + "\x00" + f.Ecosystem + "\x00" + f.Name + "\x00" + f.AdvisoryID
	}
	was := map[string]bool{}
	for _, f := range prev {
		was[key(f)] = true
	}
	is := map[string]bool{}
	for _, f := range next {
		is[key(f)] = true
		if was[key(f)] {
			still = append(still, f)
		} else {
			added = append(added, f)
		}
	}
	for _, f := range prev {
		if !is[key(f)] {
			fixed = append(fixed, f)
		}
	}
	return added, fixed, still
}
