package match

import (
	"slices"
	"time"

	"github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/fnaudit/fnaudit/core"
)

// Finding is one flaw in one copy of a package: the advisory records that
// affect the package and alias each other (GHSA-x, CVE-y, PYSEC-z), merged.
// Two records that do not alias each other are two findings, even when they
// describe the same package (a malware GHSA and a MAL record, say).
type Finding struct {
	// IDs are the ids of the matched records, primary first. The order
	// ranks the databases, then ids as strings: an organisation's block
	// list (BLOCK-), the ecosystem's own database (GO-, PYSEC-, RUSTSEC-),
	// GitHub (GHSA-), OpenSSF malicious-packages (MAL-), anything else.
	IDs []string `json:"ids"`
	// Aliases are the other identifiers the records give for the flaw
	// (typically CVE ids) that are not themselves matched records; sorted.
	Aliases []string `json:"aliases,omitempty"`
	// Kind is core.KindVulnerability or core.KindMalicious (malicious when
	// any of the records is).
	Kind core.Kind `json:"kind"`
	// Severity is the highest across the records; always critical for
	// malicious findings.
	Severity Severity `json:"severity"`
	// Score is the CVSS base score behind Severity, 0 when Severity comes
	// from a label or there is no score.
	Score float64 `json:"score,omitempty"`
	// Vector is the CVSS vector that gave Score.
	Vector string `json:"vector,omitempty"`
	// SeveritySource says where Severity comes from: "CVSS:3.1", "CVSS:4.0",
	// ... (the vector's version), "label" (the record's own
	// database_specific.severity), "malicious", or "" when unknown.
	SeveritySource string `json:"severitySource,omitempty"`
	// Summary is the primary record's summary (or the first line of its
	// details).
	Summary string `json:"summary,omitempty"`
	// Package is the affected package copy, as the SBOM reported it.
	Package core.Package `json:"package"`
	// FixedIn is the lowest version above the installed one that none of
	// the records affects, in the package's own spelling (a "v" for Go
	// modules, "go" for the Go standard library); "" when there is none.
	FixedIn string `json:"fixedIn,omitempty"`
	// Reachable is set for findings of Go binaries only (see
	// AnnotateGoBinary): whether the vulnerable symbols are in the binary.
	Reachable Reachability `json:"reachable,omitempty"`
	// ReachableSymbols are the vulnerable symbols found in the binary
	// ("golang.org/x/net/html.Parse"), when Reachable is true.
	ReachableSymbols []string `json:"reachableSymbols,omitempty"`
	// ReachableReason says how Reachable was decided.
	ReachableReason string `json:"reachableReason,omitempty"`
	// Records are the matched records, in IDs order.
	Records []Record `json:"records"`
}

// Record is one matched advisory record of a finding.
type Record struct {
	ID        string    `json:"id"`
	Kind      core.Kind `json:"kind"`
	Modified  time.Time `json:"modified"`
	Published time.Time `json:"published,omitzero"`
	// Aliases are the record's own aliases field.
	Aliases []string `json:"aliases,omitempty"`
	// Severity, Score and Vector are this record's own rating.
	Severity Severity `json:"severity"`
	Score    float64  `json:"score,omitempty"`
	Vector   string   `json:"vector,omitempty"`
	// FixedIn is the lowest version above the installed one that this
	// record does not affect.
	FixedIn string `json:"fixedIn,omitempty"`
	// Vuln is the record itself, for renderers that need references,
	// details or CWEs. Not serialised: the ids and modified dates identify
	// it in the store.
	Vuln *osvschema.Vulnerability `json:"-"`
}

// PrimaryID is the id a report shows first.
func (f Finding) PrimaryID() string {
	if len(f.IDs) == 0 {
		return ""
	}
	return f.IDs[0]
}

// Names reports whether id is one of the finding's ids or aliases, so that
// a policy exception or VEX statement naming any of them applies.
func (f Finding) Names(id string) bool {
	return slices.Contains(f.IDs, id) || slices.Contains(f.Aliases, id)
}

// Reachability says whether a Go binary contains the vulnerable code of an
// advisory.
type Reachability string

const (
	// Reachable: a vulnerable symbol is in the binary.
	Reachable Reachability = "true"
	// Unreachable: the vulnerable module is in the binary at an affected
	// version, but none of the vulnerable symbols (nor, for a stripped
	// binary, any code of the vulnerable packages) is.
	Unreachable Reachability = "false"
	// ReachabilityUnknown: the binary does not say (no symbol information,
	// or vulnerable code that may have been inlined).
	ReachabilityUnknown Reachability = "unknown"
)
