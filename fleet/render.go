package fleet

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
)

// Summary formats.
var SummaryFormats = []string{"table", "json", "sarif", "markdown"}

// WriteSummary renders s in one of SummaryFormats.
func WriteSummary(w io.Writer, format string, s *Summary) error {
	switch format {
	case "table", "":
		return writeTable(w, s)
	case "json":
		e := json.NewEncoder(w)
		e.SetIndent("", "  ")
		return e.Encode(s)
	case "markdown":
		return writeMarkdown(w, s)
	case "sarif":
		return writeSARIF(w, s)
	}
	return fmt.Errorf("unknown format %q (one of %s)", format, strings.Join(SummaryFormats, ", "))
}

func counts(s *Summary) string {
	return fmt.Sprintf("%d listed, %d unchanged, %d scanned, %d failing the gate, %d in error; findings: %d new, %d fixed, %d still open",
		s.Listed, s.Unchanged, s.Scanned, s.Failing, s.Errors, len(s.New), len(s.Fixed), len(s.StillOpen))
}

func writeTable(w io.Writer, s *Summary) error {
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	fmt.Fprintf(tw, "fleet run %s: %s\n", s.RunID, counts(s))
	if s.ListError != "" {
		fmt.Fprintf(tw, "listing incomplete: %s\n", s.ListError)
	}
	fmt.Fprintln(tw, "\nFUNCTION\tGATE\tFINDINGS\tFAILING\tUNCHANGED\tERROR")
	for _, f := range s.Functions {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%v\t%s\n", f.Function, f.Gate, f.Findings, f.Failing, f.Unchanged, f.Error)
	}
	for _, sec := range []struct {
		title string
		fs    []FindingLine
	}{{"NEW", s.New}, {"FIXED", s.Fixed}, {"STILL OPEN", s.StillOpen}} {
		if len(sec.fs) == 0 {
			continue
		}
		fmt.Fprintf(tw, "\n%s\nFUNCTION\tADVISORY\tPACKAGE\tVERSION\tSEVERITY\tVERDICT\n", sec.title)
		for _, f := range sec.fs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", f.Function, f.AdvisoryID, f.Package, f.Version, f.Severity, f.Verdict)
		}
	}
	if len(s.SharedRoles) > 0 {
		fmt.Fprintln(tw, "\nSHARED EXECUTION ROLES\tFUNCTIONS")
		for _, r := range s.SharedRoles {
			fmt.Fprintf(tw, "%s\t%d (%s)\n", r.Role, len(r.Functions), strings.Join(r.Functions, ", "))
		}
	}
	if len(s.EOLRuntimes) > 0 {
		fmt.Fprintln(tw, "\nEOL RUNTIME\tDEPRECATED\tFUNCTION")
		for _, c := range s.EOLRuntimes {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Runtime, c.Date, c.Function)
		}
	}
	if len(s.EnvCredentials) > 0 {
		fmt.Fprintln(tw, "\nCREDENTIAL-LOOKING ENV VAR\tRULE\tFUNCTION")
		for _, c := range s.EnvCredentials {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Variable, c.Rule, c.Function)
		}
	}
	return tw.Flush()
}

func writeMarkdown(w io.Writer, s *Summary) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# fnaudit fleet run %s\n\n%s\n", s.RunID, counts(s))
	if s.ListError != "" {
		fmt.Fprintf(&b, "\n**Listing incomplete:** %s\n", md(s.ListError))
	}
	b.WriteString("\n| function | gate | findings | failing | unchanged | error |\n| --- | --- | --- | --- | --- | --- |\n")
	for _, f := range s.Functions {
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %v | %s |\n", md(f.Function), f.Gate, f.Findings, f.Failing, f.Unchanged, md(f.Error))
	}
	for _, sec := range []struct {
		title string
		fs    []FindingLine
	}{{"New", s.New}, {"Fixed", s.Fixed}, {"Still open", s.StillOpen}} {
		fmt.Fprintf(&b, "\n## %s findings (%d)\n", sec.title, len(sec.fs))
		if len(sec.fs) == 0 {
			continue
		}
		b.WriteString("\n| function | advisory | package | version | severity | verdict |\n| --- | --- | --- | --- | --- | --- |\n")
		for _, f := range sec.fs {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", md(f.Function), f.AdvisoryID, md(f.Package), md(f.Version), f.Severity, f.Verdict)
		}
	}
	for _, r := range s.SharedRoles {
		fmt.Fprintf(&b, "\n- shared execution role `%s`: %d functions\n", r.Role, len(r.Functions))
	}
	for _, c := range s.EOLRuntimes {
		fmt.Fprintf(&b, "\n- %s runs %s, deprecated %s\n", md(c.Function), c.Runtime, c.Date)
	}
	for _, c := range s.EnvCredentials {
		fmt.Fprintf(&b, "\n- %s: environment variable `%s` looks like a credential (%s)\n", md(c.Function), c.Variable, c.Rule)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func md(s string) string { return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s) }

// writeSARIF writes one result per finding still open or new, located at
// the function and the package path.
func writeSARIF(w io.Writer, s *Summary) error {
	run := sarif.NewRunWithInformationURI("fnaudit", "https://github.com/fnaudit/fnaudit")
	rules := map[string]bool{}
	for _, f := range slices.Concat(s.New, s.StillOpen) {
		if !rules[f.AdvisoryID] {
			rules[f.AdvisoryID] = true
			run.AddRule(f.AdvisoryID).WithHelpURI("https://osv.dev/vulnerability/" + f.AdvisoryID)
		}
		level := "warning"
		if f.Verdict == "fail" {
			level = "error"
		} else if f.Verdict == "ignored" {
			level = "note"
		}
		run.CreateResultForRule(f.AdvisoryID).WithLevel(level).
			WithMessage(sarif.NewTextMessage(fmt.Sprintf("%s: %s %s@%s (%s)", f.Function, f.AdvisoryID, f.Package, f.Version, f.Severity))).
			AddLocation(sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
				WithArtifactLocation(sarif.NewSimpleArtifactLocation(f.Function + "/" + strings.TrimPrefix(f.Path, "/")))))
	}
	rep := sarif.NewReport()
	rep.AddRun(run)
	return rep.PrettyWrite(w)
}
