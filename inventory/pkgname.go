package inventory

import "github.com/fnaudit/fnaudit/internal/pkgname"

// normalize is the one place this package names the project's name rule
// (internal/pkgname today; a one-line change when it moves to package pkg).
func normalize(ecosystem, name string) string { return pkgname.Normalize(ecosystem, name) }
