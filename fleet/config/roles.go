package config

import (
	"sort"

	"github.com/fnaudit/fnaudit/fleet"
)

// DefaultSharedRoleMin is how many functions must use one execution role
// before the fleet summary lists it.
const DefaultSharedRoleMin = 5

// SharedRole is one execution role used by many functions: a compromise of
// any one of them yields the role's permissions for all.
type SharedRole struct {
	Role      string
	Functions []string // fleet.Function.ID() values, sorted
}

// SharedRoles lists the roles used by at least min functions (min <= 0 means
// DefaultSharedRoleMin), the most shared first, then by role ARN. Versions of
// one function count once: they are the same function.
func SharedRoles(funcs []fleet.Function, min int) []SharedRole {
	if min <= 0 {
		min = DefaultSharedRoleMin
	}
	users := map[string]map[string]bool{}
	for _, f := range funcs {
		if f.Role == "" {
			continue
		}
		if users[f.Role] == nil {
			users[f.Role] = map[string]bool{}
		}
		g := f
		g.Qualifier = ""
		users[f.Role][g.ID()] = true
	}
	var out []SharedRole
	for role, set := range users {
		if len(set) < min {
			continue
		}
		s := SharedRole{Role: role}
		for id := range set {
			s.Functions = append(s.Functions, id)
		}
		sort.Strings(s.Functions)
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i].Functions) != len(out[j].Functions) {
			return len(out[i].Functions) > len(out[j].Functions)
		}
		return out[i].Role < out[j].Role
	})
	return out
}
