package core

import (
	"fmt"
	"strings"
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
	if sev, ok := SeverityLabel(s); ok {
		return sev, nil
	}
	if strings.EqualFold(strings.TrimSpace(s), string(SeverityUnknown)) {
		return SeverityUnknown, nil
	}
	return "", fmt.Errorf("unknown severity %q (want none, low, medium, high or critical)", s)
}

// SeverityLabel reads a qualitative label as advisories write it
// (GitHub's MODERATE for medium included).
func SeverityLabel(s string) (Severity, bool) {
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
