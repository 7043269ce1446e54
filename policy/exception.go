package policy

import (
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/match"
)

// Exception suppresses a finding until a date, for a stated reason.
type Exception struct {
	// ID is any id or alias of the finding (GHSA-..., CVE-..., MAL-...).
	ID string `yaml:"id"`
	// Package narrows the exception to one package: a purl with or without
	// version ("pkg:npm/lodash", "pkg:npm/lodash@4.17.15") or a bare name.
	// Empty means every package the finding names.
	Package string `yaml:"package"`
	// Until is the last day the exception holds (UTC); it stops
	// suppressing the day after, and the report says so.
	Until Date `yaml:"until"`
	// Reason is why the risk is accepted; required.
	Reason string `yaml:"reason"`
}

func (e Exception) validate() error {
	switch {
	case e.ID == "":
		return fmt.Errorf("id is required")
	case e.Until.IsZero():
		return fmt.Errorf("%s: until is required (an exception without an end is a hole in the gate)", e.ID)
	case strings.TrimSpace(e.Reason) == "":
		return fmt.Errorf("%s: reason is required", e.ID)
	}
	return nil
}

// applies reports whether the exception names this finding.
func (e Exception) applies(f match.Finding) bool {
	return f.Names(e.ID) && packageMatches(e.Package, f.Package)
}

// Expired reports whether now is past the exception's last day.
func (e Exception) Expired(now time.Time) bool {
	return now.UTC().After(e.Until.Time.Add(24*time.Hour - time.Nanosecond))
}

// packageMatches compares an exception's package selector with a package.
func packageMatches(sel string, p core.Package) bool {
	if sel == "" {
		return true
	}
	if strings.HasPrefix(sel, "pkg:") {
		selBase, selVersion, hasVersion := strings.Cut(sel, "@")
		pkgBase, pkgVersion, _ := strings.Cut(strings.SplitN(p.PURL, "?", 2)[0], "@")
		if !strings.EqualFold(selBase, pkgBase) {
			return false
		}
		return !hasVersion || selVersion == pkgVersion
	}
	return core.NormalizeName(p.Ecosystem, sel) == core.NormalizeName(p.Ecosystem, p.Name)
}

// Date is a calendar day, written YYYY-MM-DD.
type Date struct{ time.Time }

// UnmarshalYAML reads YYYY-MM-DD (or a full RFC 3339 time, whose day is
// taken).
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	for _, layout := range []string{"2006-01-02", time.RFC3339} {
		if t, err := time.Parse(layout, n.Value); err == nil {
			d.Time = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			return nil
		}
	}
	return fmt.Errorf("line %d: %q is not a date (YYYY-MM-DD)", n.Line, n.Value)
}

func (d Date) String() string { return d.Format("2006-01-02") }
