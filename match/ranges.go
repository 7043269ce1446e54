package match

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/google/osv-scalibr/semantic"
	"github.com/ossf/osv-schema/bindings/go/osvschema"
)

// event is one range event with its version parsed.
type event struct {
	kind eventKind
	raw  string
	v    semantic.Version // nil for introduced "0" and limit "*"
}

// eventKind orders events of equal version: an introduced before the
// fixed/last_affected at the same version makes an empty interval rather
// than an unbounded one.
type eventKind int

const (
	evIntroduced eventKind = iota
	evLastAffected
	evFixed
	evLimit
)

func (k eventKind) String() string {
	return [...]string{"introduced", "last_affected", "fixed", "limit"}[k]
}

// affects reports whether an affected[] entry (already known to be about
// the package) covers the installed version: listed in versions, or inside
// one of its SEMVER or ECOSYSTEM ranges. GIT ranges need the repository's
// commit graph and are skipped; the versions list that accompanies them is
// still used. An error says the entry could not be decided (a range needs a
// version the package does not have, or a range event is not a version of
// the ecosystem) and nothing matched.
func affects(a *osvschema.Affected, iv *installed) (bool, error) {
	if listed(a.GetVersions(), iv) {
		return true, nil
	}
	var firstErr error
	for i, r := range a.GetRanges() {
		t := r.GetType()
		if t != osvschema.Range_SEMVER && t != osvschema.Range_ECOSYSTEM {
			continue
		}
		in, err := inRange(r, iv)
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("range %d (%s): %w", i, t, err)
			}
			continue
		}
		if in {
			return true, nil
		}
	}
	return false, firstErr
}

// listed reports whether the installed version is one of an affected
// entry's versions: the same text, or the same version to the ecosystem's
// parser (npm's "5.6.1" is "v5.6.1", "=5.6.1" and "5.6.1+build.1"; PyPI's
// "1.5" is "1.5.0"; a record listing "v1.5.0" lists 1.5.0). An entry the
// parser rejects can still match as text.
func listed(versions []string, iv *installed) bool {
	if !iv.valid || len(versions) == 0 {
		return false
	}
	if slices.ContainsFunc(versions, func(v string) bool { return strings.TrimSpace(v) == iv.norm }) {
		return true
	}
	have, err := iv.version(osvschema.Range_ECOSYSTEM)
	if err != nil {
		return false
	}
	for _, v := range versions {
		if strings.TrimSpace(v) == "" {
			continue
		}
		lv, err := iv.parse(osvschema.Range_ECOSYSTEM, v)
		if err != nil {
			continue
		}
		if c, err := have.Compare(lv); err == nil && c == 0 {
			return true
		}
	}
	return false
}

// inRange evaluates one SEMVER or ECOSYSTEM range as the OSV schema's
// evaluation algorithm does: the version is below some limit (none means
// "*"), and walking the events sorted by version, the last introduced at or
// below it is not followed by a fixed at or below it or a last_affected
// below it. Events may come in any order.
func inRange(r *osvschema.Range, iv *installed) (bool, error) {
	evs, err := parseEvents(r, iv)
	if err != nil || len(evs) == 0 {
		return false, err
	}
	v, verr := iv.version(r.GetType())
	if verr != nil {
		// Without a version only "every version" can be decided.
		if coversEverything(evs) {
			return true, nil
		}
		return false, verr
	}
	if !beforeLimits(evs, v) {
		return false, nil
	}
	vulnerable := false
	for _, e := range evs {
		switch e.kind {
		case evIntroduced:
			if e.v == nil || compare(v, e.v) >= 0 {
				vulnerable = true
			}
		case evFixed:
			if compare(v, e.v) >= 0 {
				vulnerable = false
			}
		case evLastAffected:
			if compare(v, e.v) > 0 {
				vulnerable = false
			}
		}
	}
	return vulnerable, nil
}

// parseEvents parses and sorts a range's events. "introduced: 0" sorts
// first and "limit: *" last, as the schema's special values.
func parseEvents(r *osvschema.Range, iv *installed) ([]event, error) {
	evs := make([]event, 0, len(r.GetEvents()))
	for _, e := range r.GetEvents() {
		var ev event
		intro, fixed := strings.TrimSpace(e.GetIntroduced()), strings.TrimSpace(e.GetFixed())
		last, limit := strings.TrimSpace(e.GetLastAffected()), strings.TrimSpace(e.GetLimit())
		switch {
		case intro != "":
			ev = event{kind: evIntroduced, raw: intro}
		case fixed != "":
			ev = event{kind: evFixed, raw: fixed}
		case last != "":
			ev = event{kind: evLastAffected, raw: last}
		case limit != "":
			ev = event{kind: evLimit, raw: limit}
		default:
			continue
		}
		special := (ev.kind == evIntroduced && ev.raw == "0") || (ev.kind == evLimit && strings.Contains(ev.raw, "*"))
		if !special {
			v, err := iv.parse(r.GetType(), ev.raw)
			if err != nil {
				return nil, fmt.Errorf("%s %q: %w", ev.kind, ev.raw, err)
			}
			ev.v = v
		}
		evs = append(evs, ev)
	}
	slices.SortStableFunc(evs, func(a, b event) int {
		switch {
		case a.v == nil && b.v == nil:
			return cmp.Compare(a.kind, b.kind)
		case a.v == nil: // introduced "0" first, limit "*" last
			if a.kind == evIntroduced {
				return -1
			}
			return 1
		case b.v == nil:
			if b.kind == evIntroduced {
				return 1
			}
			return -1
		}
		if c := compare(a.v, b.v); c != 0 {
			return c
		}
		return cmp.Compare(a.kind, b.kind)
	})
	return evs, nil
}

// beforeLimits: with no limit events the implicit limit is "*".
func beforeLimits(evs []event, v semantic.Version) bool {
	limited := false
	for _, e := range evs {
		if e.kind != evLimit {
			continue
		}
		limited = true
		if e.v == nil || compare(v, e.v) < 0 {
			return true
		}
	}
	return !limited
}

// coversEverything reports whether a range affects every version whatever
// it is: introduced "0" and nothing that ever closes it.
func coversEverything(evs []event) bool {
	open := false
	for _, e := range evs {
		switch {
		case e.kind == evIntroduced && e.v == nil:
			open = true
		case e.kind == evLimit && e.v == nil:
		case e.kind == evIntroduced:
		default:
			return false
		}
	}
	return open
}

// compare orders two versions parsed for the same range; semantic only
// fails when they come from different ecosystems, which parseVersion rules
// out.
func compare(a, b semantic.Version) int {
	c, err := a.Compare(b)
	if err != nil {
		panic(fmt.Sprintf("match: comparing versions of different kinds: %v", err))
	}
	return c
}
