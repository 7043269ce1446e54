// Package advisory holds what fnaudit knows about an OSV record itself,
// shared by the store that imports records (feeds) and the matcher (match)
// without either importing the other.
package advisory

import (
	"strings"
	"time"

	"github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/fnaudit/fnaudit/core"
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

// Classify says what kind of record v is. Withdrawn wins over everything:
// a withdrawn malware record must not fail a gate either. A record is
// malicious when its id says so (MAL-, BLOCK-), when its database_specific
// carries OpenSSF malicious-packages origins or CWE-506 (GitHub's marker for
// malware), or when its summary is one of the malware titles above.
func Classify(v *osvschema.Vulnerability) core.Kind { return ClassifyAt(v, time.Now()) }

// ClassifyAt says what kind of record v is at now. Withdrawn wins over
// everything once the withdrawal time has come: a withdrawn malware record
// must not fail a gate either, but a record announcing its withdrawal for a
// future date still holds until then.
func ClassifyAt(v *osvschema.Vulnerability, now time.Time) core.Kind {
	if w := v.GetWithdrawn(); w != nil && !w.AsTime().After(now) {
		return core.KindWithdrawn
	}
	id := v.GetId()
	if strings.HasPrefix(id, "MAL-") || strings.HasPrefix(id, BlockListPrefix) {
		return core.KindMalicious
	}
	if ds := v.GetDatabaseSpecific(); ds != nil {
		if _, ok := ds.GetFields()["malicious-packages-origins"]; ok {
			return core.KindMalicious
		}
		if cwes := ds.GetFields()["cwe_ids"].GetListValue(); cwes != nil {
			for _, c := range cwes.GetValues() {
				if c.GetStringValue() == cweEmbeddedMaliciousCode {
					return core.KindMalicious
				}
			}
		}
	}
	summary := strings.ToLower(strings.TrimSpace(v.GetSummary()))
	for _, p := range malwareSummaryPrefixes {
		if strings.HasPrefix(summary, p) {
			return core.KindMalicious
		}
	}
	return core.KindVulnerability
}
