package feeds

import (
	"fmt"
	"strings"
	"time"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
)

// Kind classifies an advisory record.
type Kind string

const (
	// KindVulnerability is an ordinary security flaw.
	KindVulnerability Kind = "vulnerability"
	// KindMalicious is a package (version) that is malware: MAL- records from
	// OpenSSF malicious-packages, GitHub malware advisories (CWE-506), and
	// entries of an organisation's block list.
	KindMalicious Kind = "malicious"
	// KindWithdrawn is a record its publisher withdrew; kept, never matched.
	KindWithdrawn Kind = "withdrawn"
)

// BlockListPrefix starts the id of every record imported from an
// organisation's own block list, so they are malicious by construction and
// never collide with a public id.
const BlockListPrefix = "BLOCK-"

// cweEmbeddedMaliciousCode is "Embedded Malicious Code", the CWE GitHub's
// advisory database assigns to malware advisories.
const cweEmbeddedMaliciousCode = "CWE-506"

// malwareSummaryPrefixes are the titles GitHub's advisory database gives its
// malware advisories ("Malicious Package in eslint-scope", "Embedded malware
// in rc") and OpenSSF malicious-packages gives its records ("Malicious code in
// flatmap-stream (npm)"). Matched as lower-case prefixes only: "... allows
// malicious code execution" is an ordinary vulnerability.
var malwareSummaryPrefixes = []string{
	"malicious package in ",
	"malicious code in ",
	"embedded malware in ",
	"embedded malicious code in ",
}

// Classify says what kind of record v is now (see ClassifyAt).
func Classify(v *osvschema.Vulnerability) Kind { return ClassifyAt(v, time.Now()) }

// ClassifyAt says what kind of record v is at now. Withdrawn wins over
// everything, once the withdrawal time has come: a withdrawn malware record
// must not fail a gate either, but a record announcing its withdrawal for
// a future date still holds until then. A record is
// malicious when its id says so (MAL-, BLOCK-), when its database_specific
// carries OpenSSF malicious-packages origins or CWE-506 (GitHub's marker for
// malware), or when its summary is one of the malware titles above.
func ClassifyAt(v *osvschema.Vulnerability, now time.Time) Kind {
	if w := v.GetWithdrawn(); w != nil && !w.AsTime().After(now) {
		return KindWithdrawn
	}
	id := v.GetId()
	if strings.HasPrefix(id, "MAL-") || strings.HasPrefix(id, BlockListPrefix) {
		return KindMalicious
	}
	if ds := v.GetDatabaseSpecific(); ds != nil {
		if _, ok := ds.GetFields()["malicious-packages-origins"]; ok {
			return KindMalicious
		}
		if cwes := ds.GetFields()["cwe_ids"].GetListValue(); cwes != nil {
			for _, c := range cwes.GetValues() {
				if c.GetStringValue() == cweEmbeddedMaliciousCode {
					return KindMalicious
				}
			}
		}
	}
	summary := strings.ToLower(strings.TrimSpace(v.GetSummary()))
	for _, p := range malwareSummaryPrefixes {
		if strings.HasPrefix(summary, p) {
			return KindMalicious
		}
	}
	return KindVulnerability
}

// Matchable reports whether records of kind k take part in matching:
// withdrawn records are kept for history and status, never matched.
func (k Kind) Matchable() bool { return k == KindVulnerability || k == KindMalicious }

// ParseKind is the inverse of Kind's string form.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(s); k {
	case KindVulnerability, KindMalicious, KindWithdrawn:
		return k, nil
	}
	return "", fmt.Errorf("unknown record kind %q (want %s, %s or %s)", s, KindVulnerability, KindMalicious, KindWithdrawn)
}
