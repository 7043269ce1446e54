package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/core"
)

func twoOriginReport() *Report {
	fn := core.Origin{Kind: core.OriginFunction, Name: "function.zip", Digest: "sha256:aa"}
	layer := core.Origin{Kind: core.OriginLayer, Index: 1, Name: "deps.zip", Digest: "sha256:bb"}
	f := func(id string, o core.Origin, fails bool) Finding {
		return Finding{IDs: []string{id}, Kind: "vulnerability", Severity: "high",
			Package: Package{Name: "lodash", Version: "4.17.15", Path: "/x", Origin: o},
			Gate:    Verdict{Fails: fails, Reason: map[bool]string{true: "severity", false: "shadowed"}[fails]}}
	}
	return &Report{
		Artifact: Artifact{Target: "function.zip", Kind: core.ArtifactZip, Runtime: "nodejs", Origins: []core.Origin{fn, layer}},
		// the layer's finding comes first in the list; the table still
		// shows the function first
		Findings: []Finding{f("GHSA-layer", layer, false), f("GHSA-fn", fn, true)},
		Gate:     Gate{Pass: false, FailOn: "high", Failing: 1},
	}
}

// TestTableGroupsAndColours: findings are grouped by origin in deployment
// order, and ANSI colours appear only when asked for (a terminal).
func TestTableGroupsAndColours(t *testing.T) {
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		if err := newTableWriter(Options{Color: color}).Write(&buf, twoOriginReport()); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		fnAt, layerAt := strings.Index(out, "Function: function.zip"), strings.Index(out, "Layer 1: deps.zip (sha256:bb)")
		if fnAt < 0 || layerAt < 0 || fnAt > layerAt {
			t.Errorf("groups out of order:\n%s", out)
		}
		if strings.Contains(out, "\x1b[") != color {
			t.Errorf("color=%v but ANSI escapes present=%v", color, !color)
		}
		if !strings.Contains(out, "1 of 2 findings fail") {
			t.Errorf("gate line:\n%s", out)
		}
	}
}

// TestMarkdownEscapes keeps a table cell in its cell.
func TestMarkdownEscapes(t *testing.T) {
	r := twoOriginReport()
	r.Findings[1].Gate.Detail = "a | b\nc"
	var buf bytes.Buffer
	if err := writeMarkdown(&buf, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `a \| b c |`) {
		t.Errorf("markdown:\n%s", buf.String())
	}
}
