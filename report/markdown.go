package report

import (
	"fmt"
	"io"
	"strings"
)

// writeMarkdown writes a pull-request comment: the gate first, then a table
// of findings per origin.
func writeMarkdown(w io.Writer, r *Report) error {
	verdict := "✅ **fnaudit: gate passed**"
	if !r.Gate.Pass {
		verdict = fmt.Sprintf("❌ **fnaudit: gate failed** — %d of %d findings fail (fail-on %s)", r.Gate.Failing, len(r.Findings), r.Gate.FailOn)
	}
	fmt.Fprintf(w, "%s\n\n", verdict)
	fmt.Fprintf(w, "`%s` · `%s` · runtime %s · %d packages\n", mdEscape(r.Artifact.Target), dash(r.Artifact.Digest), r.Artifact.Runtime, r.Packages)
	fmt.Fprintf(w, "\n**Findings:** %s\n", mdEscape(findingsLine(r)))
	if p := r.Policy; p != nil {
		fmt.Fprintf(w, "\n**Policy:** %s\n", mdEscape(policyLine(p)))
	}
	if p := r.Provenance; p != nil {
		mark := "✅"
		if p.Fails {
			mark = "❌"
		}
		fmt.Fprintf(w, "\n%s Provenance: %s\n", mark, mdEscape(p.Detail))
	}
	for _, n := range r.Gate.Notes {
		fmt.Fprintf(w, "\n> ⚠️ %s\n", mdEscape(n))
	}
	for _, g := range groupByOrigin(r) {
		rows := g.findings
		fmt.Fprintf(w, "\n### %s\n\n", mdEscape(originTitle(g.origin)))
		fmt.Fprintln(w, "| Gate | Severity | Kind | ID | Package | Fixed in | Path | Why |")
		fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- | --- | --- |")
		for _, f := range rows {
			gate := "pass " + verdictReason(f)
			if f.Gate.Fails {
				gate = "**FAIL** " + verdictReason(f)
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | `%s@%s` | %s | `%s` | %s |\n",
				gate, f.Severity, f.Kind, advisoryLinks(f.IDs), mdEscape(f.Package.DisplayName()), mdEscape(f.Package.Version),
				mdEscape(dash(f.FixedIn)), mdEscape(f.Package.Path), mdEscape(f.Gate.Detail))
		}
	}
	return nil
}

// mdEscape keeps table cells in one cell.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", "").Replace(s)
}

// advisoryLinks links each id to its advisory: GitHub's for GHSA ids,
// NVD's for CVE ids, osv.dev's for the rest (MAL-, GO-, PYSEC-, ...).
func advisoryLinks(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = fmt.Sprintf("[%s](%s)", mdEscape(id), AdvisoryURL(id))
	}
	return strings.Join(out, ", ")
}

// AdvisoryURL is where an advisory id is published.
func AdvisoryURL(id string) string {
	switch {
	case strings.HasPrefix(id, "GHSA-"):
		return "https://github.com/advisories/" + id
	case strings.HasPrefix(id, "CVE-"):
		return "https://nvd.nist.gov/vuln/detail/" + id
	}
	return "https://osv.dev/vulnerability/" + id
}
