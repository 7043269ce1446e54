// Package match decides which advisory records affect which packages of a
// deployment, under OSV semantics, and turns them into findings: one per
// flaw and package copy, with the ids that name it, its kind (vulnerability
// or malicious), severity, the version that fixes it and, for Go binaries,
// whether the vulnerable code is in the binary at all.
//
// Version ordering is osv-scalibr's semantic package, per ecosystem; CVSS
// scoring is pandatix/go-cvss; Go symbol reachability is golang.org/x/vuln's
// govulncheck in binary mode, completed by the binary's own pclntab when the
// binary is stripped. match does not decide pass or fail: that is policy.
package match
