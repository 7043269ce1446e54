package match

import (
	"testing"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
)

// Scores of the corpus's vectors, checked against the scores GitHub shows
// for the same advisories.
func TestCVSSScore(t *testing.T) {
	cases := []struct {
		vector  string
		score   float64
		version string
	}{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "CVSS:3.1"},
		{"CVSS:3.0/AV:N/AC:L/PR:L/UI:R/S:U/C:H/I:H/A:H", 8.0, "CVSS:3.0"},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", 5.3, "CVSS:3.1"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N", 8.7, "CVSS:4.0"},
		{"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:L", 2.3, "CVSS:4.0"},
	}
	for _, c := range cases {
		score, version, ok := cvssScore(c.vector)
		if !ok || score != c.score || version != c.version {
			t.Errorf("%s = %v %s %v, want %v %s", c.vector, score, version, ok, c.score, c.version)
		}
	}
	for _, bad := range []string{"", "AV:N/AC:L/Au:N/C:P/I:P/A:P", "CVSS:3.1/AV:N", "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"} {
		if _, _, ok := cvssScore(bad); ok {
			t.Errorf("%q scored", bad)
		}
	}
}

func TestRecordRating(t *testing.T) {
	src := corpusSource(t)
	cases := []struct {
		id     string
		want   Severity
		score  float64
		source string
	}{
		{"GHSA-mh6f-8j2x-4483", SeverityCritical, 9.8, "CVSS:3.1"},
		{"GHSA-qw6h-vgh9-j6wx", SeverityMedium, 5.0, "CVSS:3.1"}, // 3.1 5.0 beats 4.0 2.3
		{"GHSA-pxg6-pf52-xh8x", SeverityLow, 0, "label"},
		{"GHSA-5crp-9r3c-p9vr", SeverityLow, 0, "label"},
		{"GHSA-73qr-pfmq-6rp8", SeverityCritical, 0, "label"},
		{"PYSEC-2023-192", SeverityHigh, 8.1, "CVSS:3.1"},
		{"PYSEC-2021-108", SeverityUnknown, 0, ""},
		{"GO-2022-1059", SeverityUnknown, 0, ""},
		{"MAL-2025-20690", SeverityUnknown, 0, ""}, // the finding makes it critical
	}
	for _, c := range cases {
		v := src.byID(t, c.id)
		r := recordRating(v, v.GetAffected())
		if r.severity != c.want || r.score != c.score || r.source != c.source {
			t.Errorf("%s: %+v, want %s %v %s", c.id, r, c.want, c.score, c.source)
		}
	}
	// A package-level vector counts too.
	v := &osvschema.Vulnerability{Id: "X"}
	a := &osvschema.Affected{Severity: []*osvschema.Severity{{Type: osvschema.Severity_CVSS_V3, Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}}
	if r := recordRating(v, []*osvschema.Affected{a}); r.severity != SeverityCritical {
		t.Errorf("affected-level vector: %+v", r)
	}
}

func TestParseSeverity(t *testing.T) {
	for in, want := range map[string]Severity{"high": SeverityHigh, "MODERATE": SeverityMedium, "Medium": SeverityMedium, "critical": SeverityCritical, "low": SeverityLow, "none": SeverityNone, "unknown": SeverityUnknown} {
		if got, err := ParseSeverity(in); err != nil || got != want {
			t.Errorf("ParseSeverity(%q) = %q %v", in, got, err)
		}
	}
	if _, err := ParseSeverity("severe"); err == nil {
		t.Error("severe parsed")
	}
	if !(SeverityUnknown.Rank() < SeverityNone.Rank() && SeverityNone.Rank() < SeverityLow.Rank() &&
		SeverityLow.Rank() < SeverityMedium.Rank() && SeverityMedium.Rank() < SeverityHigh.Rank() &&
		SeverityHigh.Rank() < SeverityCritical.Rank()) {
		t.Error("rank order")
	}
}
