//go:build !unix

package inventory

// writable has no access(2) to ask here; the mode-bit check in openSQLite
// is the only read-only test on these systems.
func writable(string) bool { return true }
