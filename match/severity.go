package match

import (
	"strings"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"

	"github.com/fnaudit/fnaudit/core"
)

// Severity and its levels live in package pkg, the leaf policy and report
// read without linking this package's scoring libraries.
type Severity = core.Severity

const (
	SeverityUnknown  = core.SeverityUnknown
	SeverityNone     = core.SeverityNone
	SeverityLow      = core.SeverityLow
	SeverityMedium   = core.SeverityMedium
	SeverityHigh     = core.SeverityHigh
	SeverityCritical = core.SeverityCritical
)

// ParseSeverity reads a severity name (core.ParseSeverity).
func ParseSeverity(s string) (Severity, error) { return core.ParseSeverity(s) }

func severityLabel(s string) (Severity, bool) { return core.SeverityLabel(s) }

// severityOfScore is the CVSS v3.x / v4.0 qualitative severity scale.
func severityOfScore(score float64) Severity {
	switch {
	case score >= 9.0:
		return SeverityCritical
	case score >= 7.0:
		return SeverityHigh
	case score >= 4.0:
		return SeverityMedium
	case score > 0:
		return SeverityLow
	}
	return SeverityNone
}

// rating is one record's (or finding's) severity and where it comes from.
type rating struct {
	severity Severity
	score    float64
	vector   string
	source   string // "CVSS:3.1", "CVSS:4.0", "label", "malicious", ""
}

func (r rating) beats(o rating) bool {
	if r.severity.Rank() != o.severity.Rank() {
		return r.severity.Rank() > o.severity.Rank()
	}
	return r.score > o.score
}

// recordRating rates a record from the CVSS v3.x and v4.0 vectors it gives
// (top-level, and on the affected[] entries about the package), taking the
// highest score; without a usable vector, from its database_specific
// severity label (GHSA's CRITICAL/HIGH/MODERATE/LOW). A vector the scoring
// library rejects is skipped as if absent.
func recordRating(v *osvschema.Vulnerability, affs []*osvschema.Affected) rating {
	sevs := append([]*osvschema.Severity(nil), v.GetSeverity()...)
	for _, a := range affs {
		sevs = append(sevs, a.GetSeverity()...)
	}
	best := rating{severity: SeverityUnknown}
	found := false
	for _, s := range sevs {
		score, version, ok := cvssScore(s.GetScore())
		if !ok {
			continue
		}
		r := rating{severity: severityOfScore(score), score: score, vector: s.GetScore(), source: version}
		if !found || r.beats(best) {
			best, found = r, true
		}
	}
	if found {
		return best
	}
	if ds := v.GetDatabaseSpecific(); ds != nil {
		if sev, ok := severityLabel(ds.GetFields()["severity"].GetStringValue()); ok {
			return rating{severity: sev, source: "label"}
		}
	}
	return best
}

// cvssScore scores a CVSS v3.0, v3.1 or v4.0 vector and names its version.
func cvssScore(vector string) (float64, string, bool) {
	vector = strings.TrimSpace(vector)
	version, _, _ := strings.Cut(vector, "/")
	switch version {
	case "CVSS:3.0":
		c, err := gocvss30.ParseVector(vector)
		if err != nil {
			return 0, "", false
		}
		return c.BaseScore(), version, true
	case "CVSS:3.1":
		c, err := gocvss31.ParseVector(vector)
		if err != nil {
			return 0, "", false
		}
		return c.BaseScore(), version, true
	case "CVSS:4.0":
		c, err := gocvss40.ParseVector(vector)
		if err != nil {
			return 0, "", false
		}
		return c.Score(), version, true
	}
	return 0, "", false
}
