package policy

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/match"
	"github.com/fnaudit/fnaudit/provenance"
)

// Why a finding passes or fails the gate.
const (
	ReasonMalicious = "malicious"        // fails: malware, whatever its severity
	ReasonSeverity  = "severity"         // fails: at or above fail_on
	ReasonUnknown   = "unknown-severity" // fails: no rating, and fail_on_unknown
	// ReasonReachableUnrated fails: no rating, but the vulnerable Go
	// symbols are in the binary; govulncheck exits 3 on such a finding,
	// and Go's vulnerability database rates none of its records.
	ReasonReachableUnrated = "reachable-unrated"
	ReasonBelow            = "below-threshold" // passes: under fail_on
	ReasonUnrated          = "unrated"         // passes: no rating
	ReasonException        = "exception"       // passes: an exception holds
	ReasonVEX              = "vex"             // passes: a VEX statement says not_affected / fixed
	ReasonShadowed         = "shadowed"        // passes: the runtime loads another copy
	ReasonUnreachable      = "unreachable"     // passes: Go symbols not in the binary
	ReasonDeclared         = "declared"        // passes: declared, not shipped
	ReasonNoFix            = "no-fix"          // passes: no fixed version known, and only_fixed
)

// Result is the gate's verdict on one finding, with its reason.
type Result struct {
	Finding match.Finding `json:"finding"`
	// Fails says whether this finding fails the gate.
	Fails bool `json:"fails"`
	// Reason is one of the Reason* codes; Detail says it in words.
	Reason string `json:"reason"`
	Detail string `json:"detail"`
	// Exception is the exception that suppressed the finding, or the one
	// that expired (ExceptionExpired).
	Exception        *Exception `json:"exception,omitempty"`
	ExceptionExpired bool       `json:"exceptionExpired,omitempty"`
	// VEX is the statement about this finding, whether or not it cleared it.
	VEX *Citation `json:"vex,omitempty"`
}

// ProvenanceResult is the gate's view of signed provenance.
type ProvenanceResult struct {
	Required bool               `json:"required"`
	Result   *provenance.Result `json:"result,omitempty"`
	Fails    bool               `json:"fails"`
	Detail   string             `json:"detail"`
}

// EmptyResult is the gate's view of an SBOM with no installed package: a
// warning, or a failure under fail_on_empty.
type EmptyResult struct {
	Fails  bool   `json:"fails"`
	Detail string `json:"detail"`
}

// Decision is the gate's answer.
type Decision struct {
	Pass       bool              `json:"pass"`
	FailOn     match.Severity    `json:"failOn"`
	Results    []Result          `json:"results"`
	Provenance *ProvenanceResult `json:"provenance,omitempty"`
	// Empty is set when the SBOM listed no installed package.
	Empty *EmptyResult `json:"empty,omitempty"`
	// Notes tell what the user should know about the policy itself
	// (exceptions that expired).
	Notes []string `json:"notes,omitempty"`
}

// Failing counts the findings that fail the gate.
func (d *Decision) Failing() int {
	n := 0
	for _, r := range d.Results {
		if r.Fails {
			n++
		}
	}
	return n
}

// Input is what the gate decides on.
type Input struct {
	Findings []match.Finding
	VEX      []VEXDoc
	// ArtifactDigest ("sha256:<hex>") and ArtifactName (its file name or
	// image reference) identify the deployed artifact as a VEX product.
	ArtifactDigest string
	ArtifactName   string
	// VEXMatchNames lets a VEX statement whose product is only the
	// artifact's name (no digest, no purl) clear findings. Off by default:
	// a name is not an identity (every build of "function.zip" has it), so
	// such a statement would clear the finding for every artifact so
	// named. The CLI's --vex-match-names.
	VEXMatchNames bool
	// Provenance is the verification result, nil when none was given.
	Provenance *provenance.Result
	Now        time.Time
	// Visibility is what the scan could not see into (bundles).
	Visibility Visibility
	// Empty is the SBOM's warning when it lists no installed package
	// (sbom.SBOM.EmptyWarning), "" otherwise.
	Empty string
}

// Evaluate decides. Every finding gets a verdict and a reason; the gate
// passes only if none fails and required provenance verified.
func (p *Policy) Evaluate(in Input) *Decision {
	d := &Decision{Pass: true, FailOn: p.FailOn}
	if len(in.Findings) > 0 {
		d.Results = make([]Result, 0, len(in.Findings)) // a Result holds a whole Finding: no regrowth
	}
	expiredNoted := map[int]bool{}
	for _, f := range in.Findings {
		r := p.judge(f, in, expiredNoted, d)
		d.Results = append(d.Results, r)
		if r.Fails {
			d.Pass = false
		}
	}
	if in.Empty != "" {
		d.Empty = &EmptyResult{Fails: p.FailOnEmpty, Detail: in.Empty}
		if p.FailOnEmpty {
			d.Pass = false
		}
	}
	d.Notes = append(d.Notes, p.exceptionNotes(d.Results, in.Now)...)
	if pr := p.judgeProvenance(in.Provenance); pr != nil {
		d.Provenance = pr
		if pr.Fails {
			d.Pass = false
		}
	}
	p.judgeVisibility(in.Visibility, d)
	return d
}

func (p *Policy) judge(f match.Finding, in Input, expiredNoted map[int]bool, d *Decision) Result {
	r := Result{Finding: f}
	// An exception that holds clears anything, malware included: it is the
	// explicit, dated, reasoned acceptance the policy asks for.
	for i, e := range p.Exceptions {
		if !e.applies(f) {
			continue
		}
		e := e
		if e.Expired(in.Now) {
			r.Exception, r.ExceptionExpired = &e, true
			if !expiredNoted[i] {
				expiredNoted[i] = true
				d.Notes = append(d.Notes, fmt.Sprintf("exception for %s expired on %s and no longer suppresses it (%s)", e.ID, e.Until, e.Reason))
			}
			continue
		}
		r.Exception, r.ExceptionExpired = &e, false
		r.Reason, r.Detail = ReasonException, fmt.Sprintf("excepted until %s: %s", e.Until, e.Reason)
		return r
	}
	if f.Kind == core.KindRegistry {
		return p.judgeRegistry(r) // policy/registry.go
	}
	if f.Kind == core.KindMalicious {
		r.VEX = vexFor(in.VEX, f, in.artifactIDs())
		r.Fails, r.Reason = true, ReasonMalicious
		r.Detail = "malicious package: fails whatever its severity; only a policy exception clears it"
		if r.VEX.Suppresses() {
			r.Detail += " (a VEX " + r.VEX.Status + " statement does not)"
		}
		return r
	}
	if c := vexFor(in.VEX, f, in.artifactIDs()); c != nil {
		r.VEX = c
		if c.Suppresses() {
			r.Reason = ReasonVEX
			r.Detail = fmt.Sprintf("VEX %s (%s) in %s", c.Status, cmp.Or(c.Justification, c.ImpactStatement, "no justification given"), c.Document)
			return r
		}
	}
	if p.OnlyFixed && f.FixedIn == "" {
		r.Reason = ReasonNoFix
		r.Detail = "no fixed version is known (only_fixed / --only-fixed)"
		return r
	}
	// A package only a shipped manifest or lockfile names is not deployed
	// (devDependencies, the runtime's AWS SDK); malware among them failed
	// above.
	if f.Package.Declared && !p.FailOnDeclared {
		r.Reason = ReasonDeclared
		r.Detail = "declared, not shipped: named in " + f.Package.Path() + " but not installed (set fail_on_declared to fail on these)"
		return r
	}
	if !f.Package.Loaded && !f.Package.Declared && !p.FailOnShadowed {
		r.Reason = ReasonShadowed
		r.Detail = "not loaded: the runtime loads " + cmp.Or(f.Package.ShadowedBy, "no copy at this path") + " instead"
		return r
	}
	if f.Reachable == match.Unreachable && p.IgnoreUnreachable {
		r.Reason = ReasonUnreachable
		r.Detail = "the vulnerable symbols are not in the binary (ignore_unreachable)"
		return r
	}
	switch {
	case f.Severity == match.SeverityUnknown && f.Reachable == match.Reachable:
		r.Fails, r.Reason = true, ReasonReachableUnrated
		r.Detail = "no severity rating, and the vulnerable symbols are in the binary"
		if len(f.ReachableSymbols) > 0 {
			r.Detail += " (" + strings.Join(f.ReachableSymbols, ", ") + ")"
		}
	case f.Severity == match.SeverityUnknown && p.FailOnUnknown:
		r.Fails, r.Reason, r.Detail = true, ReasonUnknown, "no severity rating, and fail_on_unknown is set"
	case f.Severity == match.SeverityUnknown:
		r.Reason, r.Detail = ReasonUnrated, "no severity rating (set fail_on_unknown to fail on these)"
	case p.FailOn == match.SeverityNone:
		r.Reason = ReasonBelow
		r.Detail = fmt.Sprintf("severity %s: fail_on none fails on no severity", f.Severity)
	case f.Severity.Rank() >= p.FailOn.Rank():
		r.Fails, r.Reason = true, ReasonSeverity
		r.Detail = fmt.Sprintf("severity %s is at or above fail_on %s", f.Severity, p.FailOn)
	default:
		r.Reason = ReasonBelow
		r.Detail = fmt.Sprintf("severity %s is below fail_on %s", f.Severity, p.FailOn)
	}
	return r
}

// judgeProvenance fails the gate when provenance is required and missing or
// rejected; given but not required, its failure still fails the gate (a
// signature that does not verify is never a pass).
func (p *Policy) judgeProvenance(res *provenance.Result) *ProvenanceResult {
	required := p.RequireProvenance != nil
	switch {
	case res == nil && !required:
		return nil
	case res == nil:
		return &ProvenanceResult{Required: true, Fails: true, Detail: "provenance is required (require_provenance) and none was given (--provenance)"}
	case !res.Verified:
		return &ProvenanceResult{Required: required, Result: res, Fails: true, Detail: "provenance rejected: " + res.Failure()}
	}
	return &ProvenanceResult{Required: required, Result: res, Detail: fmt.Sprintf("verified: builder %s, source %s@%s", cmp.Or(res.Builder, "-"), cmp.Or(res.SourceURI, "-"), cmp.Or(res.SourceRef, "-"))}
}

// artifactIDs are the identifiers a VEX product may use for the artifact:
// the digest as written, its bare hex (how OpenVEX lists hashes), and the
// name only when VEXMatchNames allows it.
func (in Input) artifactIDs() []string {
	var ids []string
	if in.ArtifactDigest != "" {
		ids = append(ids, in.ArtifactDigest)
		if _, hex, ok := strings.Cut(in.ArtifactDigest, ":"); ok {
			ids = append(ids, hex)
		}
	}
	if in.ArtifactName != "" && in.VEXMatchNames {
		ids = append(ids, in.ArtifactName)
	}
	return ids
}
