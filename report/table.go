package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/fnaudit/fnaudit/core"
)

// tableWriter prints the human report: findings grouped by origin (the
// function, then each layer in order), the provenance result and the gate.
type tableWriter struct{ color bool }

const (
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiGreen  = "\x1b[32m"
	ansiBold   = "\x1b[1m"
	ansiReset  = "\x1b[0m"
)

func (t tableWriter) paint(code, s string) string {
	if !t.color {
		return s
	}
	return code + s + ansiReset
}

func (t tableWriter) Write(w io.Writer, r *Report) error {
	a := r.Artifact
	fmt.Fprintf(w, "Target:   %s\n", a.Target)
	if a.Digest != "" {
		fmt.Fprintf(w, "Digest:   %s", a.Digest)
		if a.CodeSha256 != "" && a.Kind == core.ArtifactZip {
			fmt.Fprintf(w, " (CodeSha256 %s)", a.CodeSha256)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "Runtime:  %s\n", a.Runtime)
	if db := r.Database; db != nil {
		fmt.Fprintf(w, "Database: %s, updated %s (%.0fh ago)\n", db.Path, db.LastUpdated.UTC().Format("2006-01-02 15:04 UTC"), db.AgeHours)
	}
	fmt.Fprintf(w, "Packages: %d, findings: %d\n", r.Packages, len(r.Findings))

	for _, g := range groupByOrigin(r) {
		o, rows := g.origin, g.findings
		fmt.Fprintf(w, "\n%s\n", t.paint(ansiBold, originTitle(o)))
		reach := anyReachability(rows)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		header := "  SEVERITY\tKIND\tID\tPACKAGE\tFIXED IN\t"
		if reach {
			header += "REACHABLE\t"
		}
		fmt.Fprintln(tw, header+"GATE\tPATH")
		for _, f := range rows {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s %s\t%s\t", t.severity(f), f.Kind, strings.Join(f.IDs, ", "),
				f.Package.Name, f.Package.Version, dash(f.FixedIn))
			if reach {
				fmt.Fprintf(tw, "%s\t", dash(string(f.Reachable)))
			}
			fmt.Fprintf(tw, "%s\t%s\n", t.verdict(f), f.Package.Path)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	if p := r.Provenance; p != nil {
		status := t.paint(ansiGreen, "verified")
		if p.Fails {
			status = t.paint(ansiRed, "FAILED")
		}
		fmt.Fprintf(w, "\nProvenance: %s — %s\n", status, p.Detail)
		for _, c := range p.Checks {
			fmt.Fprintf(w, "  %-11s %s  %s\n", c.Name, c.Status, c.Detail)
		}
	}
	fmt.Fprintln(w)
	for _, n := range r.Gate.Notes {
		fmt.Fprintf(w, "Note: %s\n", n)
	}
	if r.Gate.Pass {
		fmt.Fprintf(w, "Gate: %s (fail-on %s; %d findings, none failing)\n", t.paint(ansiGreen, "PASSED"), r.Gate.FailOn, len(r.Findings))
	} else {
		fmt.Fprintf(w, "Gate: %s (fail-on %s; %d of %d findings fail%s)\n", t.paint(ansiRed+ansiBold, "FAILED"), r.Gate.FailOn,
			r.Gate.Failing, len(r.Findings), provenanceSuffix(r))
	}
	return nil
}

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

func (t tableWriter) severity(f Finding) string {
	s := string(f.Severity)
	switch f.Severity {
	case "critical", "high":
		return t.paint(ansiRed, s)
	case "medium":
		return t.paint(ansiYellow, s)
	}
	return s
}

func (t tableWriter) verdict(f Finding) string {
	if f.Gate.Fails {
		return t.paint(ansiRed, "FAIL") + " " + f.Gate.Reason
	}
	return "pass " + f.Gate.Reason
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
