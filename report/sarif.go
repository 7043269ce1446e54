package report

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
)

// securitySeverity is GitHub code scanning's numeric rating for a finding
// without a CVSS score, at the middle of each CVSS band.
var securitySeverity = map[string]float64{"critical": 9.5, "high": 8.0, "medium": 5.5, "low": 2.0}

// writeSARIF writes SARIF 2.1.0 for code-scanning dashboards: one rule per
// advisory, one result per finding located at the package's path, suppressed
// results (exception, VEX) marked as such rather than dropped.
func writeSARIF(w io.Writer, r *Report) error {
	run := sarif.NewRunWithInformationURI("fnaudit", "https://github.com/fnaudit/fnaudit")
	run.Tool.Driver.WithVersion(r.Tool.Version).WithSemanticVersion(strings.TrimPrefix(r.Tool.Version, "v"))
	run.Properties = sarif.NewPropertyBag().
		Add("fnaudit:target", r.Artifact.Target).
		Add("fnaudit:digest", r.Artifact.Digest).
		Add("fnaudit:gatePass", r.Gate.Pass)
	if p := r.Provenance; p != nil {
		run.Properties.
			Add("fnaudit:provenanceVerified", p.Verified).
			Add("fnaudit:provenanceDetail", p.Detail)
		for _, kv := range [][2]string{{"Builder", p.Builder}, {"SourceUri", p.SourceURI}, {"SourceRef", p.SourceRef}} {
			if kv[1] != "" {
				run.Properties.Add("fnaudit:provenance"+kv[0], kv[1])
			}
		}
	}
	for _, f := range r.Findings {
		id := f.IDs[0]
		rule := run.AddRule(id).
			WithName(ruleName(f)).
			WithShortDescription(sarif.NewMultiformatMessageString().WithText(cmp.Or(f.Summary, id))).
			WithFullDescription(sarif.NewMultiformatMessageString().WithText(fmt.Sprintf("%s (%s): %s", strings.Join(append(append([]string{}, f.IDs...), f.Aliases...), ", "), f.Kind, cmp.Or(f.Summary, "no summary"))))
		if f.Kind != "registry" { // REGISTRY- ids are fnaudit's, not an advisory database's
			rule.WithHelpURI(AdvisoryURL(id))
		}
		props := sarif.NewPropertyBag().Add("security-severity", fmt.Sprintf("%.1f", severityScore(f)))
		props.Tags = []string{"security", string(f.Kind), string(f.Severity)}
		rule.WithProperties(props)

		res := run.CreateResultForRule(id).
			WithMessage(sarif.NewTextMessage(message(f))).
			AddLocation(location(r, f)).
			WithPartialFingerprints(map[string]string{"fnaudit/v1": fingerprint(f)})
		rp := sarif.NewPropertyBag().
			Add("purl", f.Package.PURL).
			Add("path", f.Package.Path).
			Add("origin", f.Package.Origin.String()).
			Add("loaded", f.Package.Loaded).
			Add("gate", f.Gate.Reason)
		if f.FixedIn != "" {
			rp.Add("fixedIn", f.FixedIn)
		}
		if f.Reachable != "" {
			rp.Add("reachable", string(f.Reachable))
		}
		res.WithProperties(rp)
		if f.Gate.Fails {
			res.WithKind("fail").WithLevel("error")
		} else {
			// A finding the gate let through is reported, not hidden, but
			// as accepted: SARIF's suppression, which code scanning shows
			// as dismissed, with the gate's reason as the justification.
			// kind other than fail requires level none (SARIF 3.27.9).
			res.WithKind("informational").WithLevel("none")
			res.AddSuppression(sarif.NewSuppression().WithKind("external").WithStatus("accepted").WithJustification(cmp.Or(f.Gate.Detail, f.Gate.Reason)))
		}
	}
	exit := 0
	if !r.Gate.Pass {
		exit = 1
	}
	run.AddInvocation(sarif.NewInvocation().WithExecutionSuccessful(true).WithExitCode(exit).
		WithExitCodeDescription(map[int]string{0: "gate passed", 1: "gate failed"}[exit]))
	rep := sarif.NewReport()
	rep.AddRun(run)
	return rep.PrettyWrite(w)
}

// location is where code scanning shows a finding: the scanned artifact,
// relative to the repository root (%SRCROOT%) as GitHub requires, at line
// 1, with the package copy inside it as a logical location.
func location(r *Report, f Finding) *sarif.Location {
	uri := filepath.ToSlash(filepath.Clean(r.Artifact.Target))
	al := sarif.NewArtifactLocation().WithURI(strings.TrimPrefix(uri, "./"))
	if !filepath.IsAbs(r.Artifact.Target) && !strings.Contains(r.Artifact.Target, ":") {
		al.WithURIBaseID("%SRCROOT%")
	}
	return sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
		WithArtifactLocation(al).
		WithRegion(sarif.NewRegion().WithStartLine(1))).
		WithLogicalLocations([]*sarif.LogicalLocation{sarif.NewLogicalLocation().
			WithName(f.Package.Name + "@" + f.Package.Version).
			WithFullyQualifiedName(strings.TrimPrefix(f.Package.Path, "/")).
			WithKind("package")})
}

func ruleName(f Finding) string {
	if f.Kind == "malicious" {
		return "MaliciousPackage"
	}
	if f.Kind == "registry" {
		return "RegistryStatus"
	}
	return "VulnerablePackage"
}

func message(f Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s@%s in %s (%s)", f.Kind, f.Package.DisplayName(), f.Package.Version, f.Package.Path, f.Package.Origin)
	if f.Summary != "" {
		fmt.Fprintf(&b, ": %s", f.Summary)
	}
	if f.FixedIn != "" {
		fmt.Fprintf(&b, ". Fixed in %s", f.FixedIn)
	}
	verdict := "passes"
	if f.Gate.Fails {
		verdict = "fails"
	}
	fmt.Fprintf(&b, ". Gate: %s (%s).", verdict, f.Gate.Detail)
	return b.String()
}

func severityScore(f Finding) float64 {
	if f.Score > 0 {
		return f.Score
	}
	return securitySeverity[string(f.Severity)]
}

// fingerprint identifies one finding in one place across runs.
func fingerprint(f Finding) string {
	h := sha256.Sum256([]byte(f.IDs[0] + "\x00" + f.Package.PURL + "\x00" + f.Package.Path))
	return hex.EncodeToString(h[:16])
}
