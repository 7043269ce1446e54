package match

import (
	"context"
	"reflect"
	"testing"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/proto"

	"github.com/fnaudit/fnaudit/core"
)

func rec(id string, aliases ...string) recordMatch {
	return recordMatch{vuln: &osvschema.Vulnerability{Id: id, Aliases: aliases}, kind: core.KindVulnerability}
}

func TestGroupByAlias(t *testing.T) {
	cases := []struct {
		name string
		in   []recordMatch
		want [][]string
	}{
		{"unrelated", []recordMatch{rec("GHSA-b"), rec("GHSA-a")}, [][]string{{"GHSA-a"}, {"GHSA-b"}}},
		{"one lists the other", []recordMatch{rec("GHSA-a", "CVE-1"), rec("PYSEC-1", "GHSA-a")}, [][]string{{"PYSEC-1", "GHSA-a"}}},
		{"listed the other way", []recordMatch{rec("PYSEC-1"), rec("GHSA-a", "PYSEC-1")}, [][]string{{"PYSEC-1", "GHSA-a"}}},
		{"shared CVE", []recordMatch{rec("GHSA-a", "CVE-1"), rec("PYSEC-1", "CVE-1")}, [][]string{{"PYSEC-1", "GHSA-a"}}},
		// a~c through CVE-1, c~b through CVE-2: one flaw, whatever the order.
		{"transitive", []recordMatch{rec("GHSA-a", "CVE-1"), rec("GHSA-b", "CVE-2"), rec("OSV-c", "CVE-1", "CVE-2")}, [][]string{{"GHSA-a", "GHSA-b", "OSV-c"}}},
		{"transitive reversed", []recordMatch{rec("OSV-c", "CVE-1", "CVE-2"), rec("GHSA-b", "CVE-2"), rec("GHSA-a", "CVE-1")}, [][]string{{"GHSA-a", "GHSA-b", "OSV-c"}}},
		// Primary: block list, then GO/PYSEC/RUSTSEC, then GHSA, then MAL.
		{"primary order", []recordMatch{rec("MAL-2025-1", "X"), rec("GHSA-z", "X"), rec("GO-2024-1", "X"), rec("BLOCK-7", "X"), rec("CVE-9", "X")},
			[][]string{{"BLOCK-7", "GO-2024-1", "GHSA-z", "MAL-2025-1", "CVE-9"}}},
	}
	for _, c := range cases {
		var got [][]string
		for _, g := range groupByAlias(c.in) {
			var ids []string
			for _, m := range g {
				ids = append(ids, m.vuln.GetId())
			}
			got = append(got, ids)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// Grouped records make one finding: all ids, the aliases that are not
// records, the highest severity, malicious if any is, and the fix that
// clears every record. GHSA-j8r2-6x86-q33q is the real GitHub advisory for
// CVE-2023-32681 (requests), which PYSEC-2023-74 lists as an alias; the
// corpus has no copy, so this test builds its matching part from the
// PYSEC record with GitHub's ids, rating and fix.
func TestGroupedFinding(t *testing.T) {
	src := corpusSource(t)
	pysec := src.byID(t, "PYSEC-2023-74")
	ghsa := proto.Clone(pysec).(*osvschema.Vulnerability)
	ghsa.Id, ghsa.Aliases, ghsa.Summary = "GHSA-j8r2-6x86-q33q", []string{"CVE-2023-32681"}, "Unintended leak of Proxy-Authorization header in requests"
	ghsa.Severity = []*osvschema.Severity{{Type: osvschema.Severity_CVSS_V3, Score: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N"}}

	fs, err := Match(context.Background(), newMemSource([]*osvschema.Vulnerability{ghsa, pysec}),
		[]core.Package{pkgOf("PyPI", "requests", "2.28.1")})
	if err != nil || len(fs) != 1 {
		t.Fatalf("%v %v", summarize(fs), err)
	}
	f := fs[0]
	want := Finding{
		IDs: []string{"PYSEC-2023-74", "GHSA-j8r2-6x86-q33q"}, Aliases: []string{"CVE-2023-32681"},
		Kind: core.KindVulnerability, Severity: SeverityMedium, Score: 6.1,
		Vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N", SeveritySource: "CVSS:3.1",
		FixedIn: "2.31.0",
	}
	if !reflect.DeepEqual(f.IDs, want.IDs) || !reflect.DeepEqual(f.Aliases, want.Aliases) || f.Kind != want.Kind ||
		f.Severity != want.Severity || f.Score != want.Score || f.Vector != want.Vector ||
		f.SeveritySource != want.SeveritySource || f.FixedIn != want.FixedIn || len(f.Records) != 2 ||
		f.Records[0].ID != "PYSEC-2023-74" || f.Records[0].Severity != SeverityUnknown || f.Records[1].Score != 6.1 {
		t.Errorf("got %s %v %+v", describe(f), f.Aliases, f.Records)
	}
	if !f.Names("CVE-2023-32681") || !f.Names("GHSA-j8r2-6x86-q33q") || f.Names("CVE-2023-0000") {
		t.Error("Names")
	}
}
