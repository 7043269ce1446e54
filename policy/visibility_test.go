package policy

import (
	"slices"
	"testing"
)

func TestVisibility(t *testing.T) {
	v := Visibility{Unversioned: 2, UnidentifiedBundles: []string{"/var/task/index.js"}}
	d := Default().Evaluate(Input{Visibility: v})
	want := []string{
		"2 bundled packages without a version: matched only against advisories that affect every version",
		"bundle /var/task/index.js: no source map, module comment or lockfile names its modules; its packages are not known",
	}
	if !d.Pass || !slices.Equal(d.Notes, want) {
		t.Errorf("default policy: pass %v, notes %q; want pass with %q", d.Pass, d.Notes, want)
	}
	strict := Default()
	strict.FailOnUnversioned = true
	if d := strict.Evaluate(Input{Visibility: v}); d.Pass || d.Notes[0] != "fail_on_unversioned: the gate fails on what the scan could not see" {
		t.Errorf("fail_on_unversioned: pass %v, notes %q", d.Pass, d.Notes)
	}
	if d := strict.Evaluate(Input{}); !d.Pass || len(d.Notes) != 0 {
		t.Errorf("nothing unseen: pass %v, notes %q", d.Pass, d.Notes)
	}
}
