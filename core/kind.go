package core

import "fmt"

// Kind classifies an advisory record, and so a finding.
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
	// KindRegistry is a finding from what a package's registry says today
	// (taken down, unpublished, yanked, retracted, unlisted, deprecated),
	// not from an advisory record: never stored, never matched.
	KindRegistry Kind = "registry"
)

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
