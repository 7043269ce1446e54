package report

import (
	"time"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/policy"
)

// Input is what a report is made from: the scanned artifact's facts and
// packages, the gate's decision and the database it matched against. It
// holds plain values only, so this package needs neither syft nor the
// advisory store.
type Input struct {
	Target   string
	Kind     core.ArtifactKind
	Digest   string
	Runtime  string
	Origins  []core.Origin
	Packages []core.Package
	Decision *policy.Decision
	Database *Database
	Tool     Tool
	Now      time.Time
}

// New assembles the report.
func New(in Input) *Report {
	d := in.Decision
	r := &Report{
		Schema:    SchemaVersion,
		Tool:      in.Tool,
		CreatedAt: in.Now.UTC(),
		Artifact: Artifact{
			Target:     in.Target,
			Kind:       in.Kind,
			Digest:     in.Digest,
			CodeSha256: core.CodeSha256(in.Digest),
			Runtime:    in.Runtime,
			Origins:    in.Origins,
		},
		Database: in.Database,
		Gate:     Gate{Pass: d.Pass, FailOn: d.FailOn, Failing: d.Failing(), Notes: gateNotes(d)},
		Findings: make([]Finding, 0, len(d.Results)),
		Packages: len(in.Packages),
		SBOM:     &SBOM{Packages: in.Packages},
	}
	if r.SBOM.Packages == nil {
		r.SBOM.Packages = []core.Package{}
	}
	for _, res := range d.Results {
		r.Findings = append(r.Findings, finding(res))
	}
	r.Summary = Summarize(r.Findings)
	if pr := d.Provenance; pr != nil {
		p := &Provenance{Required: pr.Required, Fails: pr.Fails, Detail: pr.Detail}
		if res := pr.Result; res != nil {
			p.Verified = res.Verified
			p.Builder, p.SourceURI, p.SourceRef, p.BuildType = res.Builder, res.SourceURI, res.SourceRef, res.BuildType
			p.Identity, p.Issuer, p.Checks = res.Identity, res.Issuer, res.Checks
		}
		r.Provenance = p
	}
	return r
}

func finding(res policy.Result) Finding {
	f := res.Finding
	out := Finding{
		IDs: f.IDs, Aliases: f.Aliases, Kind: f.Kind,
		Severity: f.Severity, Score: f.Score, Vector: f.Vector, SeveritySource: f.SeveritySource, Summary: f.Summary,
		Package: Package{
			Ecosystem: f.Package.Ecosystem, Name: f.Package.Name, Version: f.Package.Version,
			PURL: f.Package.PURL, Path: f.Package.Path(), Origin: f.Package.Origin,
			Loaded: f.Package.Loaded, ShadowedBy: f.Package.ShadowedBy,
			Evidence: f.Package.Evidence, Declared: f.Package.Declared,
			Alias: f.Package.Alias, AliasDeclared: f.Package.AliasDeclared,
		},
		FixedIn:          f.FixedIn,
		Reachable:        f.Reachable,
		ReachableSymbols: f.ReachableSymbols,
		ReachableReason:  f.ReachableReason,
		Gate:             Verdict{Fails: res.Fails, Reason: res.Reason, Detail: res.Detail, VEX: res.VEX},
	}
	if e := res.Exception; e != nil {
		out.Gate.Exception = &Exception{ID: e.ID, Package: e.Package, Until: e.Until.String(), Reason: e.Reason, Expired: res.ExceptionExpired}
	}
	return out
}

// gateNotes are the decision's notes, with an empty SBOM's warning first:
// a gate that saw no package must say so wherever it is read.
func gateNotes(d *policy.Decision) []string {
	if d.Empty == nil {
		return d.Notes
	}
	note := d.Empty.Detail
	if d.Empty.Fails {
		note = "fail_on_empty: " + note
	}
	return append([]string{note}, d.Notes...)
}
