package report

import (
	"time"

	"github.com/fnaudit/fnaudit/policy"
	"github.com/fnaudit/fnaudit/sbom"
)

// Input is what a report is made from.
type Input struct {
	SBOM     *sbom.SBOM
	Decision *policy.Decision
	Database *Database
	Tool     Tool
	Now      time.Time
}

// New assembles the report.
func New(in Input) *Report {
	s, d := in.SBOM, in.Decision
	r := &Report{
		Schema:    SchemaVersion,
		Tool:      in.Tool,
		CreatedAt: in.Now.UTC(),
		Artifact: Artifact{
			Target:     s.Target,
			Kind:       s.Kind,
			Digest:     s.Digest,
			CodeSha256: sbom.CodeSha256(s.Digest),
			Runtime:    s.Runtime.String(),
			Origins:    s.Origins,
		},
		Database: in.Database,
		Gate:     Gate{Pass: d.Pass, FailOn: d.FailOn, Failing: d.Failing(), Notes: d.Notes},
		Findings: make([]Finding, 0, len(d.Results)),
		Packages: len(s.Packages),
		sbom:     s,
	}
	for _, res := range d.Results {
		r.Findings = append(r.Findings, finding(res))
	}
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
