package inventory

import "time"

// FunctionRef names one function: the key of the functions table. Empty
// fields are stored as "" (a local scan has no account or region).
type FunctionRef struct {
	Source    string // where it was found: "local", "aws", "manifest", ...
	Account   string
	Region    string
	Name      string // function name, or for a local scan the target path or --name
	Qualifier string // alias or version ("$LATEST", "42"); "" when none
}

// Function is a function's identity as recorded.
type Function struct {
	FunctionRef
	ARN string
}

// Layer is one layer of a deployed version, in the order Lambda applies them.
type Layer struct {
	ARN        string
	Digest     string // digest of the layer's bytes, e.g. "sha256:<hex>"
	CodeSha256 string // base64, as Lambda reports it
}

// Provenance outcomes kept per version (free text is refused).
const (
	ProvenanceVerified   = "verified"
	ProvenanceUnverified = "unverified" // checked and failed
	ProvenanceAbsent     = "absent"     // no attestation found
	ProvenanceUnknown    = ""           // not checked
)

// Version describes one deployed version of a function: what Lambda (or the
// local target) reports about the code that runs.
type Version struct {
	PackageType              string   // "zip" or "image"
	Runtime                  string   // "nodejs20.x", ...; "" for images
	Architectures            []string // "x86_64", "arm64"
	CodeSha256               string   // base64, as Lambda gives it
	CodeSHA256Hex            string   // the same digest in hex
	ImageDigest              string   // "sha256:<hex>" for image functions
	Layers                   []Layer
	SigningProfileVersionArn string
	SigningJobArn            string
	Provenance               string // one of the Provenance* constants
}

// Origin kinds of a package row.
const (
	OriginFunction   = "function"
	OriginLayer      = "layer"
	OriginImageLayer = "image-layer"
)

// Origin says which part of a deployment a package came from.
type Origin struct {
	Kind   string // OriginFunction, OriginLayer or OriginImageLayer
	Index  int    // layer position (0 for the function's own code)
	Digest string // digest of that layer or code package
}

// PackageRow is one package found in an artifact.
type PackageRow struct {
	Ecosystem  string // OSV ecosystem: "npm", "PyPI", "Go", "Maven", ...
	Name       string // as written in the artifact
	Version    string
	PURL       string
	Path       string // where the runtime finds it, e.g. "/opt/nodejs/node_modules/lodash"
	Origin     Origin
	Loaded     bool   // the runtime loads this copy
	ShadowedBy string // path of the copy that wins, when not loaded
	Evidence   string // manifest file(s) the package was read from
	// Alias is the folder name an npm package is loaded by when its
	// package.json names another package; AliasDeclared says a shipped
	// lockfile installs it so (core.Package). Matched under both names.
	Alias         string
	AliasDeclared bool
}

// Artifact is what a deployment contains, keyed by a digest of all the bytes
// that decide its package list (see DeploymentDigest). Its packages are stored
// once however many functions deploy the same bytes.
type Artifact struct {
	Digest   string
	Packages []PackageRow
}

// Gate verdicts of one finding.
const (
	VerdictFail    = "fail"    // blocks the gate
	VerdictWarn    = "warn"    // reported, does not block
	VerdictIgnored = "ignored" // excepted by policy or VEX
)

// FindingRow is one advisory matched against one package of an artifact.
type FindingRow struct {
	AdvisoryID string
	Aliases    []string
	Kind       string // "vulnerability", "malicious", "blocked", ...
	Severity   string
	Ecosystem  string // the package it names
	Name       string
	Version    string
	Path       string
	Verdict    string // one of the Verdict* constants
}

// Scan results. A run that could not decide is ResultUndecided, never a pass.
const (
	ResultPass      = "pass"
	ResultFail      = "fail"
	ResultUndecided = "undecided"
)

// Run is one scan (a gate run) of a function.
type Run struct {
	// Key makes recording idempotent: a retried job that records the same
	// Key again changes nothing. Empty: a digest of the whole ScanRecord.
	Key      string
	At       time.Time // when the scan ran; required
	Target   string    // what was scanned (path, ARN, image reference)
	Result   string    // ResultPass, ResultFail or ResultUndecided; required
	Decision string    // the gate's one-line summary
	Error    string    // why the run failed or could not decide
}

// Reachability of an advisory's symbols in a Go binary.
const (
	ReachableTrue    = "true"
	ReachableFalse   = "false"
	ReachableUnknown = "unknown"
)

// ReachabilityFact is what govulncheck found for one advisory in one Go
// binary; kept per binary digest so a rematch can reuse it without the binary.
type ReachabilityFact struct {
	BinaryDigest string
	AdvisoryID   string
	Reachable    string // ReachableTrue, ReachableFalse or ReachableUnknown
	Symbols      []string
}

// ScanRecord is everything one scan contributes to the inventory. Artifact
// (and with it Version) may be empty only for a run that is not a pass: a
// scan that could not open the target still leaves its failure on record.
type ScanRecord struct {
	Function     Function
	Version      Version
	Artifact     Artifact
	DBGeneration string // advisory database generation the findings come from
	Findings     []FindingRow
	Reachability []ReachabilityFact
	Run          Run
}
