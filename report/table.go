package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"

	"github.com/fnaudit/fnaudit/core"
)

// DefaultWidth is the width a table fits when the terminal's is not known
// (a pipe, a CI log): 100 columns, as the help text.
const DefaultWidth = 100

// tableWriter prints the human report: a header, findings grouped by
// origin (the function, then each layer in order), the provenance result,
// the notes and the gate. Tables are laid out by go-pretty, which measures
// display width without colour codes; the package cell wraps its path so
// a row fits the width.
type tableWriter struct {
	color bool
	width int
}

func newTableWriter(o Options) tableWriter {
	w := o.Width
	if w <= 0 {
		w = DefaultWidth
	}
	return tableWriter{color: o.Color, width: w}
}

func (t tableWriter) paint(c text.Colors, s string) string {
	if !t.color {
		return s
	}
	return c.Sprint(s)
}

var (
	red    = text.Colors{text.FgRed}
	yellow = text.Colors{text.FgYellow}
	green  = text.Colors{text.FgGreen}
	bold   = text.Colors{text.Bold}
	boldRd = text.Colors{text.FgRed, text.Bold}
	faint  = text.Colors{text.Faint}
)

func (t tableWriter) Write(w io.Writer, r *Report) error {
	a := r.Artifact
	kv := func(k, v string) { fmt.Fprintf(w, "%-8s %s\n", k, elide(v, t.width-9)) }
	kv("Target", a.Target)
	if a.Digest != "" {
		kv("Digest", a.Digest)
		if a.CodeSha256 != "" && a.Kind == core.ArtifactZip {
			kv("Lambda", "CodeSha256 "+a.CodeSha256)
		}
	}
	kv("Runtime", a.Runtime)
	if db := r.Database; db != nil {
		kv("Database", db.Path)
		kv("Updated", fmt.Sprintf("%s (%.0fh ago)", db.LastUpdated.UTC().Format("2006-01-02 15:04 UTC"), db.AgeHours))
	}
	if p := r.Policy; p != nil {
		kv("Policy", policyLine(p))
	}
	kv("Packages", fmt.Sprint(r.Packages))
	kv("Findings", findingsLine(r))

	for _, g := range groupByOrigin(r) {
		title := originTitle(g.origin)
		if len(title) > t.width && g.origin.Digest != "" {
			title = strings.TrimSuffix(title, " ("+g.origin.Digest+")") + "\n" + g.origin.Digest
		}
		fmt.Fprintf(w, "\n%s\n", t.paint(bold, title))
		fmt.Fprintln(w, t.findingsTable(g.findings))
	}

	if p := r.Provenance; p != nil {
		status := t.paint(green, "verified")
		if p.Fails {
			status = t.paint(red, "FAILED")
		}
		fmt.Fprintf(w, "\nProvenance: %s\n", status)
		fmt.Fprintln(w, wrapSoft("  "+p.Detail, t.width))
		for _, c := range p.Checks {
			fmt.Fprintln(w, wrapSoft(fmt.Sprintf("  %-11s %s  %s", c.Name, c.Status, c.Detail), t.width))
		}
	}
	fmt.Fprintln(w)
	for _, n := range r.Gate.Notes {
		fmt.Fprintln(w, wrapSoft("Note: "+n, t.width))
	}
	if r.Gate.Pass {
		fmt.Fprintf(w, "Gate: %s (fail-on %s; %d findings, none failing)\n", t.paint(green, "PASSED"), r.Gate.FailOn, len(r.Findings))
	} else {
		fmt.Fprintf(w, "Gate: %s (fail-on %s; %d of %d findings fail%s)\n", t.paint(boldRd, "FAILED"), r.Gate.FailOn,
			r.Gate.Failing, len(r.Findings), provenanceSuffix(r))
	}
	return nil
}

// findingsTable lays out one origin's findings to fit t.width. Columns
// keep their natural width while the row fits; past it PACKAGE / PATH
// ("name version" over the copy's path), FIXED IN and GATE give up width in
// that order and wrap, paths wrapping at any character as Trivy's do.
func (t tableWriter) findingsTable(rows []Finding) string {
	reach := anyReachability(rows)
	header := table.Row{"SEVERITY", "ID", "PACKAGE / PATH", "FIXED IN"}
	if reach {
		header = append(header, "REACHABLE")
	}
	header = append(header, "GATE")
	const pkgCol, fixCol, gap = 2, 3, 2
	gateCol := len(header) - 1

	type cellsOf struct{ sev, id, pkg, path, fix, reach, gate string }
	cs := make([]cellsOf, len(rows))
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = len(h.(string))
	}
	grow := func(col int, s string) {
		for _, line := range strings.Split(s, "\n") {
			widths[col] = max(widths[col], text.StringWidthWithoutEscSequences(line))
		}
	}
	for i, f := range rows {
		c := cellsOf{sev: t.severity(f), id: strings.Join(f.IDs, "\n"), pkg: f.Package.DisplayName() + " " + f.Package.Version,
			path: f.Package.Path, fix: dash(f.FixedIn), reach: dash(string(f.Reachable)), gate: t.verdict(f)}
		cs[i] = c
		grow(0, c.sev)
		grow(1, c.id)
		grow(pkgCol, c.pkg)
		grow(pkgCol, c.path)
		grow(fixCol, c.fix)
		if reach {
			grow(4, c.reach)
		}
		grow(gateCol, c.gate)
	}
	widths[gateCol] = min(widths[gateCol], 22)
	total := func() int {
		n := -gap
		for _, w := range widths {
			n += w + gap
		}
		return n
	}
	for total() > t.width {
		switch {
		case widths[pkgCol] > 24:
			widths[pkgCol]--
		case widths[fixCol] > 12:
			widths[fixCol]--
		case widths[gateCol] > 16:
			widths[gateCol]--
		case widths[pkgCol] > 14:
			widths[pkgCol]--
		case widths[gateCol] > 12:
			widths[gateCol]--
		default:
			goto layout
		}
	}
layout:
	tw := table.NewWriter()
	tw.SetStyle(plainStyle)
	tw.AppendHeader(header)
	for _, c := range cs {
		row := table.Row{c.sev, c.id,
			wrapSoft(c.pkg, widths[pkgCol]) + "\n" + t.paint(faint, wrapPath(c.path, widths[pkgCol])),
			text.WrapHard(c.fix, widths[fixCol])}
		if reach {
			row = append(row, c.reach)
		}
		tw.AppendRow(append(row, wrapSoft(c.gate, widths[gateCol])))
	}
	tw.SuppressTrailingSpaces()
	return tw.Render()
}

// wrapPath wraps a path after a '/' where it can, inside a name only
// when one name is longer than n.
func wrapPath(p string, n int) string {
	var lines []string
	cur := ""
	for _, seg := range strings.SplitAfter(p, "/") {
		if len(cur)+len(seg) > n && cur != "" {
			lines = append(lines, cur)
			cur = ""
		}
		for len(seg) > n {
			lines = append(lines, seg[:n])
			seg = seg[n:]
		}
		cur += seg
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return strings.Join(lines, "\n")
}

// wrapSoft wraps at spaces (hard within a word longer than n), with no
// trailing padding.
func wrapSoft(s string, n int) string {
	lines := strings.Split(text.WrapSoft(s, n), "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
		// A word longer than the column (reachable-unrated) is cut, so
		// the row still fits the terminal.
		if text.StringWidthWithoutEscSequences(lines[i]) > n {
			lines[i] = text.WrapHard(lines[i], n)
		}
	}
	return strings.Join(lines, "\n")
}

// plainStyle is Grype's and Trivy's plain table: no borders, a header
// row, columns two spaces apart.
var plainStyle = func() table.Style {
	s := table.StyleDefault
	s.Name = "fnaudit"
	s.Box.PaddingLeft, s.Box.PaddingRight = "", "  "
	s.Options = table.Options{SeparateRows: false}
	s.Format.Header = text.FormatDefault
	return s
}()

func anyReachability(fs []Finding) bool {
	for _, f := range fs {
		if f.Reachable != "" {
			return true
		}
	}
	return false
}

func provenanceSuffix(r *Report) string {
	if r.Provenance != nil && r.Provenance.Fails {
		return "; provenance failed"
	}
	return ""
}

// findingsLine is the summary: the count, then per severity as Grype's
// and Trivy's summaries do.
func findingsLine(r *Report) string {
	s := r.Summary
	if s == nil {
		s = Summarize(r.Findings)
	}
	line := fmt.Sprintf("%d (critical %d, high %d, medium %d, low %d, unknown %d", len(r.Findings), s.Critical, s.High, s.Medium, s.Low, s.Unknown+s.None)
	if s.Malicious > 0 {
		line += fmt.Sprintf("; %d malicious", s.Malicious)
	}
	return line + fmt.Sprintf("), %d failing", r.Gate.Failing)
}

func policyLine(p *PolicyInfo) string {
	if p.Path == "" {
		return "built-in default (no policy file found)"
	}
	return p.Path + " (" + p.Source + ")"
}

// severity is the severity cell: malware is shown as such, whatever its
// rating.
func (t tableWriter) severity(f Finding) string {
	if f.Kind == core.KindMalicious {
		return t.paint(boldRd, "MALWARE")
	}
	s := string(f.Severity)
	switch f.Severity {
	case "critical", "high":
		return t.paint(red, s)
	case "medium":
		return t.paint(yellow, s)
	}
	return s
}

func (t tableWriter) verdict(f Finding) string {
	if f.Gate.Fails {
		return t.paint(red, "FAIL") + " " + verdictReason(f)
	}
	return "pass " + verdictReason(f)
}

// verdictReason is the gate's reason as a row shows it; an exception says
// until when it holds, or that it expired and no longer does.
func verdictReason(f Finding) string {
	if e := f.Gate.Exception; e != nil {
		if e.Expired {
			return f.Gate.Reason + "; exception expired " + e.Until
		}
		return "exception until " + e.Until
	}
	return f.Gate.Reason
}

// elide shortens s to n display columns by cutting its middle, as Grype
// and Trivy shorten long paths.
func elide(s string, n int) string {
	r := []rune(s)
	if n <= 1 || text.StringWidthWithoutEscSequences(s) <= n {
		return s
	}
	keep := n - 1
	head := keep / 3
	return string(r[:head]) + "…" + string(r[len(r)-(keep-head):])
}

// originGroup is the findings of one origin.
type originGroup struct {
	origin   core.Origin
	findings []Finding
}

// groupByOrigin groups findings by origin: the deployment's origins in order
// (function, then each layer), then any origin a finding names that the
// deployment did not list. Origins without findings are left out.
func groupByOrigin(r *Report) []originGroup {
	index := map[core.Origin]int{}
	var groups []originGroup
	add := func(o core.Origin) int {
		i, ok := index[o]
		if !ok {
			i = len(groups)
			index[o] = i
			groups = append(groups, originGroup{origin: o})
		}
		return i
	}
	for _, o := range r.Artifact.Origins {
		add(o)
	}
	for _, f := range r.Findings {
		i := add(f.Package.Origin)
		groups[i].findings = append(groups[i].findings, f)
	}
	out := groups[:0]
	for _, g := range groups {
		if len(g.findings) > 0 {
			out = append(out, g)
		}
	}
	return out
}

func originTitle(o core.Origin) string {
	switch o.Kind {
	case core.OriginLayer:
		return fmt.Sprintf("Layer %d: %s (%s)", o.Index, o.Name, o.Digest)
	case core.OriginImageLayer:
		return fmt.Sprintf("Image layer %d: %s", o.Index, o.Digest)
	case core.OriginFunction:
		return "Function: " + o.Name
	case "":
		return "Packages"
	}
	return string(o.Kind) + ": " + o.Name
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
