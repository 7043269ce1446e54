package feeds

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// The manifest's malware GHSA records (CWE-506) in the corpus.
var malwareGHSA = map[string]bool{
	"GHSA-mh6f-8j2x-4483": true, // event-stream / flatmap-stream
	"GHSA-pjwm-rvh2-c87w": true, // ua-parser-js
	"GHSA-73qr-pfmq-6rp8": true, // coa
	"GHSA-g2q5-5433-rhrf": true, // rc
	"GHSA-hxxf-q3w9-4xgw": true, // eslint-scope
}

// Every corpus record's kind follows from what the manifest says it is:
// MAL- ids and the five malware GHSAs are malicious, everything else
// (GHSA, GO, PYSEC vulnerabilities) is not.
func TestClassifyCorpus(t *testing.T) {
	for _, eco := range corpusEcosystems {
		for _, f := range corpusFiles(t, eco) {
			id := strings.TrimSuffix(filepath.Base(f), ".json")
			want := KindVulnerability
			if strings.HasPrefix(id, "MAL-") || malwareGHSA[id] {
				want = KindMalicious
			}
			if got := Classify(readRecord(t, f)); got != want {
				t.Errorf("%s: %s, want %s", id, got, want)
			}
		}
	}
}

func TestClassifySignals(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    *osvschema.Vulnerability
		want Kind
	}{
		{"block list id", &osvschema.Vulnerability{Id: "BLOCK-1"}, KindMalicious},
		{"GitHub malware title", &osvschema.Vulnerability{Id: "GHSA-x", Summary: "Malicious Package in bb-builder"}, KindMalicious},
		{"embedded malicious code title", &osvschema.Vulnerability{Id: "GHSA-x", Summary: "Embedded Malicious Code in foo"}, KindMalicious},
		{"malicious in the middle is a vulnerability", &osvschema.Vulnerability{Id: "GHSA-x", Summary: "Prototype pollution allows malicious code execution"}, KindVulnerability},
		{"withdrawn MAL", &osvschema.Vulnerability{Id: "MAL-2025-1", Withdrawn: timestamppb.Now()}, KindWithdrawn},
		{"plain", &osvschema.Vulnerability{Id: "CVE-2024-1"}, KindVulnerability},
	} {
		if got := Classify(tc.v); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	for _, k := range []Kind{KindVulnerability, KindMalicious, KindWithdrawn} {
		if got, err := ParseKind(string(k)); got != k || err != nil {
			t.Errorf("ParseKind(%q) = %q, %v", k, got, err)
		}
	}
	if _, err := ParseKind("malware"); err == nil {
		t.Error("ParseKind(malware): no error")
	}
	if KindWithdrawn.Matchable() || !KindMalicious.Matchable() || !KindVulnerability.Matchable() {
		t.Error("Matchable")
	}
}
