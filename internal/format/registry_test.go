package format

import (
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	r := NewRegistry("report",
		Spec[string]{ID: "cyclonedx-json", Aliases: []string{"cyclonedx", "cdx"}, New: func(Options) string { return "cdx" }},
		Spec[string]{ID: "table", New: func(o Options) string {
			if o.Color {
				return "table+color"
			}
			return "table"
		}},
	)
	for name, want := range map[string]string{"cyclonedx-json": "cdx", "CycloneDX": "cdx", " cdx ": "cdx", "table": "table"} {
		w, id, err := r.Writer(name, Options{})
		if err != nil || w != want {
			t.Errorf("Writer(%q) = %q, %q, %v; want %q", name, w, id, err, want)
		}
	}
	if w, _, _ := r.Writer("table", Options{Color: true}); w != "table+color" {
		t.Errorf("options not passed: %q", w)
	}
	_, _, err := r.Writer("sarif", Options{})
	if err == nil || !strings.Contains(err.Error(), `unknown report format "sarif" (one of cyclonedx-json, table)`) {
		t.Errorf("unknown format error = %v", err)
	}
}
