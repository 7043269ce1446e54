package policy

import (
	"strings"

	"github.com/fnaudit/fnaudit/match"
)

// Why a registry finding (core.KindRegistry) passes or fails the gate.
const (
	// ReasonRegistryTakenDown fails: the registry removed every version of
	// the package or replaced it with a security holding package. Like
	// malware, only an exception clears it (VEX does not: it is no
	// vulnerability statement).
	ReasonRegistryTakenDown = "registry-taken-down"
	// ReasonRegistry: the version was unpublished, yanked, retracted or
	// unlisted. It fails only with fail_on_registry.
	ReasonRegistry = "registry"
	// ReasonRegistryDeprecated passes: deprecation is reported, never
	// failing.
	ReasonRegistryDeprecated = "registry-deprecated"
)

// RegistryIDPrefix starts the id of every registry finding. The id is the
// prefix and the status in capitals: REGISTRY-TAKEN-DOWN,
// REGISTRY-UNPUBLISHED, REGISTRY-YANKED, REGISTRY-RETRACTED,
// REGISTRY-UNLISTED, REGISTRY-DEPRECATED. It is what an exception names
// (narrowed to a package with `package:`).
const RegistryIDPrefix = "REGISTRY-"

// RegistryID is the finding id for a registry status ("taken-down").
func RegistryID(status string) string { return RegistryIDPrefix + strings.ToUpper(status) }

// RegistryStatus is the status a registry finding's id names ("taken-down").
func RegistryStatus(f match.Finding) string {
	for _, id := range f.IDs {
		if s, ok := strings.CutPrefix(id, RegistryIDPrefix); ok {
			return strings.ToLower(s)
		}
	}
	return ""
}

// judgeRegistry decides a registry finding no exception cleared. It
// mirrors feeds/registry's Status.Fails (scan's tests hold the two
// together; policy stays free of the store). Shadowing does not matter:
// the artifact ships the package either way, as with malware. A status
// this code does not know is treated like unpublished, never as a pass
// the policy did not ask for.
func (p *Policy) judgeRegistry(r Result) Result {
	status := RegistryStatus(r.Finding)
	what := "registry status " + status
	switch status {
	case "taken-down":
		r.Fails, r.Reason = true, ReasonRegistryTakenDown
		r.Detail = what + "; fails like malware, only a policy exception clears it"
	case "deprecated":
		r.Reason = ReasonRegistryDeprecated
		r.Detail = what + "; deprecation is reported, never failing"
	default:
		r.Reason = ReasonRegistry
		if p.FailOnRegistry {
			r.Fails = true
			r.Detail = what + "; fails because fail_on_registry is set"
		} else {
			r.Detail = what + " (set fail_on_registry to fail on these)"
		}
	}
	return r
}
