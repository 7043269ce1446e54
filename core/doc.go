// Package core holds the plain types every stage of fnaudit passes forward —
// a package copy and its origin, a finding's kind and severity, the
// ecosystem names — together with the one rule by which package names are
// compared and the one package-URL parser.
//
// It is a leaf: it imports nothing of fnaudit's and no heavy library, so
// match, policy and report build without syft, stereoscope or SQLite
// (TestLeafDependencies in package scan keeps it so).
package core
