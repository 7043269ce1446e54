package inventory

import (
	"errors"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/match"
	"github.com/fnaudit/fnaudit/report"
)

func sampleReport() *report.Report {
	fnOrigin := core.Origin{Kind: core.OriginFunction, Name: "fn.zip", Digest: "sha256:aa"}
	layer := core.Origin{Kind: core.OriginLayer, Index: 1, Name: "deps.zip", Digest: "sha256:bb"}
	return &report.Report{
		CreatedAt: time.Date(2026, 11, 28, 5, 0, 0, 0, time.UTC),
		Artifact: report.Artifact{Target: "fn.zip", Kind: core.ArtifactZip, Digest: "sha256:aa", CodeSha256: "qg==",
			Runtime: "nodejs20.x", Origins: []core.Origin{fnOrigin, layer}},
		Gate: report.Gate{Pass: false, Failing: 1},
		SBOM: &report.SBOM{Packages: []core.Package{
			{Ecosystem: "npm", Name: "lodash", Version: "4.18.1", Paths: []string{"/var/task/node_modules/lodash"}, Origin: fnOrigin, Loaded: true},
			{Ecosystem: "npm", Name: "lodash", Version: "4.17.15", Paths: []string{"/opt/nodejs/node_modules/lodash"}, Origin: layer,
				ShadowedBy: "/var/task/node_modules/lodash"},
			{Ecosystem: "Go", Name: "golang.org/x/net", Version: "v0.1.0", Paths: []string{"/var/task/bootstrap"}, Origin: fnOrigin, Loaded: true},
		}},
		Findings: []report.Finding{
			{IDs: []string{"GHSA-1", "MAL-1"}, Aliases: []string{"CVE-1"}, Kind: core.KindVulnerability, Severity: match.SeverityHigh,
				Package: report.Package{Ecosystem: "npm", Name: "lodash", Version: "4.17.15", Path: "/opt/nodejs/node_modules/lodash", Origin: layer},
				Gate:    report.Verdict{Fails: false, Reason: "shadowed"}},
			{IDs: []string{"GO-1"}, Kind: core.KindVulnerability, Severity: match.SeverityHigh,
				Package:   report.Package{Ecosystem: "Go", Name: "golang.org/x/net", Version: "v0.1.0", Path: "/var/task/bootstrap", Origin: fnOrigin},
				Reachable: match.Reachable, ReachableSymbols: []string{"golang.org/x/net/html.Parse"},
				Gate: report.Verdict{Fails: true}},
		},
	}
}

func TestFromReport(t *testing.T) {
	rep := sampleReport()
	id := Identity{Function: Function{FunctionRef: FunctionRef{Source: "local", Name: "fn"}}}
	rec := FromReport(rep, id, "gen1")
	if err := validate(&rec); err != nil {
		t.Fatal(err)
	}
	if rec.Run.Result != ResultFail || !rec.Run.At.Equal(rep.CreatedAt) || rec.DBGeneration != "gen1" {
		t.Errorf("run %+v", rec.Run)
	}
	if rec.Artifact.Digest != DeploymentDigest("sha256:aa", "sha256:bb") || len(rec.Artifact.Packages) != 3 {
		t.Errorf("artifact %+v", rec.Artifact)
	}
	if p := rec.Artifact.Packages[1]; p.Origin != (Origin{OriginLayer, 1, "sha256:bb"}) || p.Loaded || p.ShadowedBy != "/var/task/node_modules/lodash" {
		t.Errorf("layer copy %+v", p)
	}
	v := rec.Version
	if v.PackageType != "zip" || v.Runtime != "nodejs20.x" || v.CodeSHA256Hex != "aa" || v.CodeSha256 != "qg==" ||
		len(v.Layers) != 1 || v.Layers[0].Digest != "sha256:bb" || v.Layers[0].ARN != "deps.zip" {
		t.Errorf("version %+v", v)
	}
	f := rec.Findings
	if len(f) != 2 || f[0].AdvisoryID != "GHSA-1" || len(f[0].Aliases) != 2 || f[0].Verdict != VerdictWarn || f[1].Verdict != VerdictFail {
		t.Errorf("findings %+v", f)
	}
	r := rec.Reachability
	if len(r) != 1 || r[0].BinaryDigest != GoBinaryKey("sha256:aa", "/var/task/bootstrap") || r[0].Reachable != ReachableTrue || r[0].Symbols[0] != "golang.org/x/net/html.Parse" {
		t.Errorf("reachability %+v", r)
	}
	rep.Gate.Pass = true
	if rec := FromReport(rep, id, "gen1"); rec.Run.Result != ResultPass {
		t.Errorf("passed gate recorded as %s", rec.Run.Result)
	}
	u := Undecided(id, "fn.zip", errors.New("open fn.zip: not a zip\nsecond line"))
	if err := validate(&u); err != nil || u.Run.Result != ResultUndecided || u.Run.Error != "open fn.zip: not a zip second line" {
		t.Errorf("undecided %+v %v", u.Run, err)
	}
}
