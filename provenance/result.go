package provenance

import (
	"fmt"
	"time"
)

// Names of the checks, in the order they are reported. The order is also the
// order of blame: when several checks fail, Result.Failure names the first,
// so a tampered payload is reported as a bad signature rather than as the
// transparency-log mismatch it also causes.
const (
	CheckSignature   = "signature"   // the DSSE envelope / message signature verifies with the certificate or key
	CheckTlog        = "tlog"        // transparency-log inclusion (SET / proof) or an RFC 3161 timestamp
	CheckCertificate = "certificate" // Fulcio chain to the trusted root, valid at signing time, SCT
	CheckIdentity    = "identity"    // certificate SAN = --certificate-identity(-regexp)
	CheckIssuer      = "issuer"      // certificate OIDC issuer = --certificate-oidc-issuer(-regexp)
	CheckDigest      = "digest"      // subject / message digest = the artifact's digest
	CheckProvenance  = "provenance"  // the statement carries a SLSA provenance v0.2 / v1 predicate that parses
	CheckBuilder     = "builder"     // builder id in the --builder-id allow-list
	CheckSource      = "source"      // source repository = --source-uri
	CheckRef         = "ref"         // source ref = --source-ref
	CheckBuildType   = "build-type"  // build type = --build-type
)

// checkOrder lists every check once, in report order.
var checkOrder = []string{
	CheckSignature, CheckTlog, CheckCertificate, CheckIdentity, CheckIssuer,
	CheckDigest, CheckProvenance, CheckBuilder, CheckSource, CheckRef, CheckBuildType,
}

// Status is the outcome of one check.
type Status string

const (
	// Pass: the check ran and succeeded.
	Pass Status = "pass"
	// Fail: the check ran and failed; the bundle is rejected.
	Fail Status = "fail"
	// Skip: the check does not apply (e.g. no certificate when signed with a
	// key) or nothing was required of it (no --builder-id given). A skipped
	// check never makes a bundle verified on its own: Verify only reports
	// Verified when every check it must run passed.
	Skip Status = "skip"
)

// Check is one line of the verification report.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
}

// Passed reports whether the check ran and succeeded.
func (c Check) Passed() bool { return c.Status == Pass }

// Failed reports whether the check ran and failed.
func (c Check) Failed() bool { return c.Status == Fail }

func (c Check) String() string { return fmt.Sprintf("%s: %s: %s", c.Name, c.Status, c.Detail) }

// Result is the outcome of verifying one provenance file against one artifact.
// Every field but Checks and Verified is informational and filled as far as
// verification got; only the values of a Verified result are trustworthy.
type Result struct {
	// Verified is true when every check passed or was legitimately skipped.
	Verified bool `json:"verified"`
	// Undecided is true when the artifact could not be compared with what
	// was signed (no digest algorithm in common: a sha256 digest against
	// sha512-only subjects). Verified is then false, but nothing was
	// rejected either: the caller reports "could not check" (exit 2).
	Undecided bool `json:"undecided,omitempty"`
	// Checks holds every check in report order (see the Check* constants).
	Checks []Check `json:"checks"`

	// Bundle is the provenance file; Format describes what it held
	// ("sigstore bundle v0.3", "npm attestations", "intoto.jsonl", "dsse").
	Bundle string `json:"bundle"`
	Format string `json:"format"`
	// Entry is the 1-based index of the entry reported, out of Entries, when
	// the file holds several (a .intoto.jsonl line, an npm attestation).
	Entry   int `json:"entry,omitempty"`
	Entries int `json:"entries,omitempty"`

	// Artifact names what was verified (a file path or "sha256:…").
	Artifact string `json:"artifact"`
	// Digest is the artifact digest the signed content vouches for, as
	// "alg:hex"; Subject is the matching in-toto subject name, if any.
	Digest  string `json:"digest,omitempty"`
	Subject string `json:"subject,omitempty"`

	// Signer: the certificate identity and OIDC issuer, or the key's hint.
	Identity string `json:"identity,omitempty"`
	Issuer   string `json:"issuer,omitempty"`
	KeyHint  string `json:"keyHint,omitempty"`
	// SignedAt is the verified signing time (tlog integrated time or RFC
	// 3161 timestamp), zero when none was verified.
	SignedAt time.Time `json:"signedAt,omitzero"`

	// From the SLSA provenance predicate.
	PredicateType string `json:"predicateType,omitempty"`
	Builder       string `json:"builder,omitempty"`
	BuildType     string `json:"buildType,omitempty"`
	SourceURI     string `json:"sourceUri,omitempty"`
	SourceRef     string `json:"sourceRef,omitempty"`
	SourceDigest  string `json:"sourceDigest,omitempty"`
}

// Check returns the named check, or nil if the result has none by that name.
func (r *Result) Check(name string) *Check {
	for i := range r.Checks {
		if r.Checks[i].Name == name {
			return &r.Checks[i]
		}
	}
	return nil
}

// FailedCheck returns the first failed check in report order, or nil.
func (r *Result) FailedCheck() *Check {
	for i := range r.Checks {
		if r.Checks[i].Failed() {
			return &r.Checks[i]
		}
	}
	return nil
}

// Failure is a one-line reason for a rejection ("signature: …"), or "" when
// the result is verified.
func (r *Result) Failure() string {
	if r.Verified {
		return ""
	}
	if c := r.FailedCheck(); c != nil {
		return c.Name + ": " + c.Detail
	}
	return "not verified"
}

// set records the outcome of a check, replacing an earlier one of that name.
func (r *Result) set(name string, st Status, format string, args ...any) {
	c := Check{Name: name, Status: st, Detail: fmt.Sprintf(format, args...)}
	for i := range r.Checks {
		if r.Checks[i].Name == name {
			r.Checks[i] = c
			return
		}
	}
	r.Checks = append(r.Checks, c)
}

// finish orders the checks, fills in the ones never reached and decides.
func (r *Result) finish() {
	byName := make(map[string]Check, len(r.Checks))
	for _, c := range r.Checks {
		byName[c.Name] = c
	}
	ordered := make([]Check, 0, len(checkOrder))
	for _, name := range checkOrder {
		c, ok := byName[name]
		if !ok {
			// A check that never ran must not look like a pass.
			c = Check{Name: name, Status: Fail, Detail: "not checked"}
		}
		ordered = append(ordered, c)
	}
	r.Checks = ordered
	r.Verified = true
	for _, c := range r.Checks {
		if c.Failed() {
			r.Verified = false
		}
	}
	// The cryptographic core must have run, whatever else was skipped.
	for _, name := range []string{CheckSignature, CheckDigest} {
		if !r.Check(name).Passed() {
			r.Verified = false
		}
	}
}

// furthest scores how far a rejected result got, to pick the most telling
// one among several entries of a file: the index of its first failure.
func (r *Result) furthest() int {
	for i, c := range r.Checks {
		if c.Failed() {
			return i
		}
	}
	return len(r.Checks)
}
