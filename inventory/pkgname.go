package inventory

import "github.com/fnaudit/fnaudit/core"

// normalize is the one package-name rule (core.NormalizeName), so the
// inventory's name index and the advisory store never disagree.
func normalize(ecosystem, name string) string { return core.NormalizeName(ecosystem, name) }
