package match

import (
	"fmt"
	"strings"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"
)

// Severity is a qualitative rating: CVSS's scale (none, low, medium, high,
// critical), plus unknown for records that carry neither a vector nor a
// label (the Go vulnerability database, for one, rates nothing).
type Severity string

const (
	SeverityUnknown  Severity = "unknown"
	SeverityNone     Severity = "none"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

var severityRanks = map[Severity]int{
	SeverityUnknown: 0, SeverityNone: 1, SeverityLow: 2,
	SeverityMedium: 3, SeverityHigh: 4, SeverityCritical: 5,
}

// Rank orders severities: unknown < none < low < medium < high < critical.
// Whether unknown fails a gate is policy's decision, not this order's.
func (s Severity) Rank() int { return severityRanks[s] }

// ParseSeverity reads a severity name, case-insensitively ("MODERATE", as
// GitHub writes medium, included).
func ParseSeverity(s string) (Severity, error) {
	if sev, ok := severityLabel(s); ok {
		return sev, nil
	}
	if strings.EqualFold(strings.TrimSpace(s), string(SeverityUnknown)) {
		return SeverityUnknown, nil
	}
	return "", fmt.Errorf("unknown severity %q (want none, low, medium, high or critical)", s)
}

func severityLabel(s string) (Severity, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical":
		return SeverityCritical, true
	case "high":
		return SeverityHigh, true
	case "moderate", "medium":
		return SeverityMedium, true
	case "low":
		return SeverityLow, true
	case "none":
		return SeverityNone, true
	}
	return "", false
}

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
