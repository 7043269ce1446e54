package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	cyclonedx "github.com/CycloneDX/cyclonedx-go"
	"github.com/fnaudit/fnaudit/internal/cdxjson"
)

// writeCycloneDX writes the report's SBOM with a vulnerabilities section:
// one entry per finding, pointing at the package's component, with the
// gate's verdict as properties and an analysis where a VEX statement or an
// exception decided it. The metadata records verified provenance. It is
// built from the report alone, so a stored result renders the same BOM.
func writeCycloneDX(w io.Writer, r *Report) error {
	if r.SBOM == nil {
		return fmt.Errorf("the result has no package list (sbom): it was written by an fnaudit older than report --from supports")
	}
	bom, refs := bomOf(r)
	refOf := map[string]string{}
	for i, p := range r.SBOM.Packages {
		refOf[packageKey(p.Path(), p.Name, p.Version, p.Origin.String())] = refs[i]
	}
	vulns := make([]cyclonedx.Vulnerability, 0, len(r.Findings))
	for i, f := range r.Findings {
		ref, ok := refOf[packageKey(f.Package.Path, f.Package.Name, f.Package.Version, f.Package.Origin.String())]
		if !ok {
			return fmt.Errorf("finding %s names package %s@%s at %s, which the SBOM does not list", f.IDs[0], f.Package.Name, f.Package.Version, f.Package.Path)
		}
		vulns = append(vulns, vulnerability(i, f, ref))
	}
	bom.Vulnerabilities = &vulns
	props := append(derefProps(bom.Metadata.Properties), gateProperties(r)...)
	bom.Metadata.Properties = &props
	return cdxjson.Encode(w, bom, true)
}

func packageKey(path, name, version, origin string) string {
	return strings.Join([]string{path, name, version, origin}, "\x00")
}

func derefProps(p *[]cyclonedx.Property) []cyclonedx.Property {
	if p == nil {
		return nil
	}
	return *p
}

func vulnerability(i int, f Finding, ref string) cyclonedx.Vulnerability {
	v := cyclonedx.Vulnerability{
		BOMRef:      fmt.Sprintf("fnaudit:finding:%d", i+1),
		ID:          f.IDs[0],
		Source:      sourceOf(f.IDs[0]),
		Description: f.Summary,
		Affects:     &[]cyclonedx.Affects{{Ref: ref}},
	}
	var others []cyclonedx.VulnerabilityReference
	for _, id := range append(append([]string{}, f.IDs[1:]...), f.Aliases...) {
		others = append(others, cyclonedx.VulnerabilityReference{ID: id, Source: sourceOf(id)})
	}
	if len(others) > 0 {
		v.References = &others
	}
	// "other" for a rating from the record's label: what cyclonedx-go's 1.6
	// conversion wrote for an empty method, kept so reports do not change.
	rating := cyclonedx.VulnerabilityRating{Severity: cdxSeverity(string(f.Severity)), Method: cyclonedx.ScoringMethodOther}
	if f.Score > 0 {
		score := f.Score
		rating.Score = &score
		rating.Vector = f.Vector
		rating.Method = cdxMethod(f.Vector)
	}
	v.Ratings = &[]cyclonedx.VulnerabilityRating{rating}
	if f.FixedIn != "" {
		v.Recommendation = fmt.Sprintf("Upgrade %s to %s or later.", f.Package.Name, f.FixedIn)
	}
	if f.Kind == "malicious" {
		v.Recommendation = fmt.Sprintf("Remove %s@%s: the package is malicious.", f.Package.Name, f.Package.Version)
	}
	v.Analysis = analysis(f)
	props := []cyclonedx.Property{
		{Name: "fnaudit:kind", Value: string(f.Kind)},
		{Name: "fnaudit:gate", Value: map[bool]string{true: "fail", false: "pass"}[f.Gate.Fails]},
		{Name: "fnaudit:reason", Value: f.Gate.Reason},
		{Name: "fnaudit:detail", Value: f.Gate.Detail},
		{Name: "fnaudit:path", Value: f.Package.Path},
		{Name: "fnaudit:loaded", Value: strconv.FormatBool(f.Package.Loaded)},
	}
	if f.Reachable != "" {
		props = append(props, cyclonedx.Property{Name: "fnaudit:reachable", Value: string(f.Reachable)})
	}
	if f.FixedIn != "" {
		props = append(props, cyclonedx.Property{Name: "fnaudit:fixedIn", Value: f.FixedIn})
	}
	v.Properties = &props
	return v
}

// analysis records what decided a suppressed finding, in CycloneDX's VEX
// vocabulary.
func analysis(f Finding) *cyclonedx.VulnerabilityAnalysis {
	switch {
	case f.Gate.Reason == "vex" && f.Gate.VEX != nil:
		a := &cyclonedx.VulnerabilityAnalysis{Detail: f.Gate.Detail}
		switch f.Gate.VEX.Status {
		case "fixed":
			a.State = cyclonedx.IASResolved
		default:
			a.State = cyclonedx.IASNotAffected
			a.Justification = vexJustification(f.Gate.VEX.Justification)
		}
		return a
	case f.Gate.Reason == "exception":
		return &cyclonedx.VulnerabilityAnalysis{
			State:    cyclonedx.IASExploitable,
			Response: &[]cyclonedx.ImpactAnalysisResponse{cyclonedx.IARWillNotFix},
			Detail:   f.Gate.Detail,
		}
	case f.Gate.Reason == "unreachable":
		return &cyclonedx.VulnerabilityAnalysis{State: cyclonedx.IASNotAffected, Justification: cyclonedx.IAJCodeNotReachable, Detail: f.Gate.Detail}
	}
	return nil
}

// vexJustification maps OpenVEX justifications to CycloneDX's.
func vexJustification(j string) cyclonedx.ImpactAnalysisJustification {
	switch j {
	case "component_not_present", "vulnerable_code_not_present":
		return cyclonedx.IAJCodeNotPresent
	case "vulnerable_code_not_in_execute_path":
		return cyclonedx.IAJCodeNotReachable
	case "vulnerable_code_cannot_be_controlled_by_adversary":
		return cyclonedx.IAJRequiresEnvironment
	case "inline_mitigations_already_exist":
		return cyclonedx.IAJProtectedByMitigatingControl
	}
	return ""
}

func sourceOf(id string) *cyclonedx.Source {
	switch {
	case strings.HasPrefix(id, "GHSA-"):
		return &cyclonedx.Source{Name: "GitHub Advisory Database", URL: "https://github.com/advisories/" + id}
	case strings.HasPrefix(id, "CVE-"):
		return &cyclonedx.Source{Name: "NVD", URL: "https://nvd.nist.gov/vuln/detail/" + id}
	case strings.HasPrefix(id, "BLOCK-"):
		return &cyclonedx.Source{Name: "organisation block list"}
	case strings.HasPrefix(id, "REGISTRY-"):
		return &cyclonedx.Source{Name: "package registry"}
	}
	return &cyclonedx.Source{Name: "OSV", URL: "https://osv.dev/vulnerability/" + id}
}

func cdxSeverity(s string) cyclonedx.Severity {
	switch s {
	case "critical", "high", "medium", "low", "none":
		return cyclonedx.Severity(s)
	}
	return cyclonedx.SeverityUnknown
}

func cdxMethod(vector string) cyclonedx.ScoringMethod {
	switch {
	case strings.HasPrefix(vector, "CVSS:4.0"):
		return cyclonedx.ScoringMethodCVSSv4
	case strings.HasPrefix(vector, "CVSS:3.1"):
		return cyclonedx.ScoringMethodCVSSv31
	case strings.HasPrefix(vector, "CVSS:3.0"):
		return cyclonedx.ScoringMethodCVSSv3
	}
	return cyclonedx.ScoringMethodOther
}

// gateProperties record the decision and verified provenance in the BOM's
// metadata.
func gateProperties(r *Report) []cyclonedx.Property {
	props := []cyclonedx.Property{
		{Name: "fnaudit:gate", Value: map[bool]string{true: "pass", false: "fail"}[r.Gate.Pass]},
		{Name: "fnaudit:failOn", Value: string(r.Gate.FailOn)},
	}
	if p := r.Provenance; p != nil {
		props = append(props, cyclonedx.Property{Name: "fnaudit:provenance:verified", Value: strconv.FormatBool(p.Verified)})
		for _, kv := range [][2]string{{"builder", p.Builder}, {"sourceUri", p.SourceURI}, {"sourceRef", p.SourceRef},
			{"buildType", p.BuildType}, {"identity", p.Identity}, {"issuer", p.Issuer}} {
			if kv[1] != "" {
				props = append(props, cyclonedx.Property{Name: "fnaudit:provenance:" + kv[0], Value: kv[1]})
			}
		}
	}
	return props
}
