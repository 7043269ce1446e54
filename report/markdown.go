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
			gate := "pass"
			if f.Gate.Fails {
				gate = "**FAIL**"
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | `%s@%s` | %s | `%s` | %s |\n",
				gate, f.Severity, f.Kind, mdEscape(strings.Join(f.IDs, ", ")), mdEscape(f.Package.Name), mdEscape(f.Package.Version),
				mdEscape(dash(f.FixedIn)), mdEscape(f.Package.Path), mdEscape(f.Gate.Detail))
		}
	}
	return nil
}

// mdEscape keeps table cells in one cell.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", "").Replace(s)
}
