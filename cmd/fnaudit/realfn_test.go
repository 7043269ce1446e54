package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/internal/lockfiletest"
)

// realFunction is a real 373-package Node function (testdata/realfn).
const realFunction = "../../testdata/realfn/orders-api.zip"

// TestRealFunctionCLI: `fnaudit sbom` on the real function lists exactly
// the packages its shipped package-lock.json installs, each at every path
// npm put it, toposort-class 1.0.1 (whose package.json syft rejects) among
// them; the table's count is the same.
func TestRealFunctionCLI(t *testing.T) {
	t.Parallel()
	want, err := lockfiletest.FromZip(realFunction, "package-lock.json", "/var/task/")
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "sbom", realFunction, "-o", "cyclonedx-json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var bom struct {
		Components []struct {
			Type, Name, Group, Version string
			Properties                 []struct{ Name, Value string }
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(out), &bom); err != nil {
		t.Fatal(err)
	}
	var got []string
	topo := 0
	for _, c := range bom.Components {
		if c.Type != "library" {
			continue
		}
		name := c.Name
		if c.Group != "" {
			name = c.Group + "/" + c.Name
		}
		id := name + "@" + c.Version
		for _, p := range c.Properties {
			switch {
			case p.Name == "fnaudit:path":
				got = append(got, id+" "+p.Value)
			case p.Name == "fnaudit:declared":
				t.Errorf("%s declared, not installed", id)
			case p.Name == "fnaudit:evidence" && id == "toposort-class@1.0.1":
				if p.Value == "lenient" {
					topo++
				}
			}
		}
	}
	slices.Sort(got)
	entries := want.Entries()
	if !slices.Equal(got, entries) {
		t.Errorf("%d packages listed, want the lockfile's %d; listed, not locked: %q; locked, not listed: %q",
			len(got), len(entries), minus(got, entries), minus(entries, got))
	}
	if topo != 1 {
		t.Errorf("toposort-class 1.0.1 listed %d times with evidence lenient, want once", topo)
	}
	code, table, errs := runCLI(t, "sbom", realFunction)
	if line := fmt.Sprintf("Packages: %d\n", want.Keys); code != 0 || !strings.Contains(table, line) {
		t.Errorf("table (exit %d) lacks %q: %s\n%s", code, line, errs, table)
	}
}

// minus is what a holds and b does not (both sorted).
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if _, ok := slices.BinarySearch(b, x); !ok {
			out = append(out, x)
		}
	}
	return out
}
