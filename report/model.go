// Package report renders a scan: one Report value, many formats (table,
// JSON, SARIF 2.1.0, CycloneDX 1.6 with vulnerabilities, Markdown), each a
// Writer. It decides nothing: verdicts come from package policy.
package report

import (
	"time"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/match"
	"github.com/fnaudit/fnaudit/policy"
	"github.com/fnaudit/fnaudit/provenance"
)

// SchemaVersion names the JSON report format (docs/report.schema.json).
// Adding a field keeps the version; renaming, removing or changing the
// meaning of one bumps it.
const SchemaVersion = "fnaudit.report/v1"

// Report is everything a scan says.
type Report struct {
	Schema    string    `json:"schema"`
	Tool      Tool      `json:"tool"`
	CreatedAt time.Time `json:"createdAt"`
	Artifact  Artifact  `json:"artifact"`
	Database  *Database `json:"database,omitempty"`
	Gate      Gate      `json:"gate"`
	// Policy names the policy file the gate applied (absent in results
	// written before it was recorded).
	Policy *PolicyInfo `json:"policy,omitempty"`
	// Summary counts the findings per severity (Read fills it in for a
	// result stored without it).
	Summary    *Summary    `json:"summary,omitempty"`
	Provenance *Provenance `json:"provenance,omitempty"`
	Findings   []Finding   `json:"findings"`
	// Packages is how many packages were matched.
	Packages int `json:"packages"`
	// SBOM is every package that was matched, with its paths, origin and
	// whether the runtime loads it: what a stored result needs to be
	// rendered again in any format (fnaudit report --from).
	SBOM *SBOM `json:"sbom,omitempty"`
}

// SBOM is the package list of the scanned artifact.
type SBOM struct {
	Packages []core.Package `json:"packages"`
}

// PolicyInfo says which policy the gate applied and how it was found.
type PolicyInfo struct {
	// Path is the policy file, "" for the built-in default.
	Path string `json:"path,omitempty"`
	// Source is how it was chosen: flag (--policy), env (FNAUDIT_POLICY),
	// search (found from the working directory up to the repository
	// root), config ($XDG_CONFIG_HOME/fnaudit) or default (no file).
	Source string `json:"source"`
}

// Summary counts findings by severity, as Grype's and Trivy's summaries do;
// Malicious counts the malware findings among them.
type Summary struct {
	Critical  int `json:"critical"`
	High      int `json:"high"`
	Medium    int `json:"medium"`
	Low       int `json:"low"`
	None      int `json:"none"`
	Unknown   int `json:"unknown"`
	Malicious int `json:"malicious"`
}

// Summarize counts fs by severity.
func Summarize(fs []Finding) *Summary {
	s := &Summary{}
	for _, f := range fs {
		switch f.Severity {
		case "critical":
			s.Critical++
		case "high":
			s.High++
		case "medium":
			s.Medium++
		case "low":
			s.Low++
		case "none":
			s.None++
		default:
			s.Unknown++
		}
		if f.Kind == core.KindMalicious {
			s.Malicious++
		}
	}
	return s
}

// Tool names fnaudit.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Artifact is what was scanned.
type Artifact struct {
	Target string            `json:"target"`
	Kind   core.ArtifactKind `json:"kind"`
	// Digest is "sha256:<hex>" of the deployed zip (or image manifest);
	// CodeSha256 its base64 form, as Lambda reports it.
	Digest     string        `json:"digest,omitempty"`
	CodeSha256 string        `json:"codeSha256,omitempty"`
	Runtime    string        `json:"runtime"`
	Origins    []core.Origin `json:"origins"`
}

// Database says which advisory data the findings come from.
type Database struct {
	Path        string    `json:"path"`
	LastUpdated time.Time `json:"lastUpdated"`
	AgeHours    float64   `json:"ageHours"`
}

// Gate is the decision.
type Gate struct {
	Pass    bool           `json:"pass"`
	FailOn  match.Severity `json:"failOn"`
	Failing int            `json:"failing"`
	Notes   []string       `json:"notes,omitempty"`
}

// Provenance is the verified build provenance, or why it failed.
type Provenance struct {
	Required  bool               `json:"required"`
	Verified  bool               `json:"verified"`
	Fails     bool               `json:"fails"`
	Detail    string             `json:"detail"`
	Builder   string             `json:"builder,omitempty"`
	SourceURI string             `json:"sourceUri,omitempty"`
	SourceRef string             `json:"sourceRef,omitempty"`
	BuildType string             `json:"buildType,omitempty"`
	Identity  string             `json:"identity,omitempty"`
	Issuer    string             `json:"issuer,omitempty"`
	Checks    []provenance.Check `json:"checks,omitempty"`
}

// Finding is one finding with the gate's verdict on it.
type Finding struct {
	IDs              []string           `json:"ids"`
	Aliases          []string           `json:"aliases,omitempty"`
	Kind             core.Kind          `json:"kind"`
	Severity         match.Severity     `json:"severity"`
	Score            float64            `json:"score,omitempty"`
	Vector           string             `json:"vector,omitempty"`
	SeveritySource   string             `json:"severitySource,omitempty"`
	Summary          string             `json:"summary,omitempty"`
	Package          Package            `json:"package"`
	FixedIn          string             `json:"fixedIn,omitempty"`
	Reachable        match.Reachability `json:"reachable,omitempty"`
	ReachableSymbols []string           `json:"reachableSymbols,omitempty"`
	ReachableReason  string             `json:"reachableReason,omitempty"`
	Gate             Verdict            `json:"gate"`
}

// Package is the affected package copy.
type Package struct {
	Ecosystem  string      `json:"ecosystem"`
	Name       string      `json:"name"`
	Version    string      `json:"version"`
	PURL       string      `json:"purl"`
	Path       string      `json:"path"`
	Origin     core.Origin `json:"origin"`
	Loaded     bool        `json:"loaded"`
	ShadowedBy string      `json:"shadowedBy,omitempty"`
	// Evidence and Declared say how the package was found when not from
	// its installed metadata (core.Package).
	Evidence string `json:"evidence,omitempty"`
	Declared bool   `json:"declared,omitempty"`
	// Alias is the folder name the runtime loads the package by, when its
	// package.json names another package (core.Package.Alias).
	Alias         string `json:"alias,omitempty"`
	AliasDeclared bool   `json:"aliasDeclared,omitempty"`
}

// DisplayName is the package's name, with the folder name it is loaded
// by when that differs ("innocent (folder flatmap-stream)").
func (p Package) DisplayName() string {
	if p.Alias == "" {
		return p.Name
	}
	return p.Name + " (folder " + p.Alias + ")"
}

// Verdict is why a finding fails or passes the gate.
type Verdict struct {
	Fails     bool             `json:"fails"`
	Reason    string           `json:"reason"`
	Detail    string           `json:"detail"`
	Exception *Exception       `json:"exception,omitempty"`
	VEX       *policy.Citation `json:"vex,omitempty"`
}

// Exception is the policy exception that applied (or expired).
type Exception struct {
	ID      string `json:"id"`
	Package string `json:"package,omitempty"`
	Until   string `json:"until"`
	Reason  string `json:"reason"`
	Expired bool   `json:"expired"`
}
