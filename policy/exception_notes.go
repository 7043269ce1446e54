package policy

import (
	"fmt"
	"time"
)

// ExpiryWarning is how close to its last day an exception in force gets a
// note, so it is renewed or fixed before the gate starts failing.
const ExpiryWarning = 14 * 24 * time.Hour

// exceptionNotes notes the exceptions that need attention: one in force
// that expires within ExpiryWarning, and one that matched no finding (a
// stale entry, or a typo that protects nothing). Expired ones are noted
// where they are met (judge).
func (p *Policy) exceptionNotes(results []Result, now time.Time) []string {
	var notes []string
	for _, e := range p.Exceptions {
		matched := false
		for _, r := range results {
			if r.Exception != nil && r.Exception.ID == e.ID && r.Exception.Package == e.Package && r.Exception.Until == e.Until {
				matched = true
				break
			}
		}
		switch {
		case !matched:
			notes = append(notes, fmt.Sprintf("exception for %s%s matched no finding; remove it or correct its id", e.ID, packageSuffix(e.Package)))
		case !e.Expired(now) && e.Until.Time.Add(24*time.Hour).Sub(now.UTC()) <= ExpiryWarning:
			days := int(e.Until.Time.Add(24*time.Hour).Sub(now.UTC()).Hours() / 24)
			notes = append(notes, fmt.Sprintf("exception for %s expires on %s (in %d days); renew it or fix the finding", e.ID, e.Until, days))
		}
	}
	return notes
}

func packageSuffix(pkg string) string {
	if pkg == "" {
		return ""
	}
	return " (" + pkg + ")"
}
