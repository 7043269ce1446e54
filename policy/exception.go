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
	// Until ends the exception. A date (2026-11-28) is the last day it
	// holds, to the end of that day in UTC; a time with its offset
	// (2026-11-28T00:30:00+14:00) is the exact instant it stops. Past it,
	// the finding counts again and the report says so.
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

// Expired reports whether the exception no longer holds at now: now is at
// or past its end (see Until), instants compared, not calendar days.
func (e Exception) Expired(now time.Time) bool { return !now.Before(e.Until.End()) }

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

// Date is when an exception ends: a calendar day (YYYY-MM-DD, held to the
// end of that day in UTC) or an RFC 3339 instant with its offset.
type Date struct {
	time.Time
	// Instant: the policy gave a time, not a day.
	Instant bool
}

// UnmarshalYAML reads YYYY-MM-DD or a full RFC 3339 time.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	if t, err := time.Parse("2006-01-02", n.Value); err == nil {
		*d = Date{Time: t.UTC()}
		return nil
	}
	if t, err := time.Parse(time.RFC3339, n.Value); err == nil {
		*d = Date{Time: t, Instant: true}
		return nil
	}
	return fmt.Errorf("line %d: %q is not a date (YYYY-MM-DD) or a time (RFC 3339, with its offset)", n.Line, n.Value)
}

// End is the first instant at which the exception no longer holds: the
// given instant, or the midnight (UTC) after the given day.
func (d Date) End() time.Time {
	if d.Instant {
		return d.Time
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
}

func (d Date) String() string {
	if d.Instant {
		return d.Format(time.RFC3339)
	}
	return d.Format("2006-01-02")
}
