package policy

import "fmt"

// Visibility is what a scan could not fully see: packages found inside a
// bundle without a version (matched only against records that affect every
// version) and bundles whose modules nothing names.
type Visibility struct {
	Unversioned         int
	UnidentifiedBundles []string
}

// judgeVisibility notes what the scan could not see, and fails the gate on
// it under fail_on_unversioned. By default it passes with a note, as Grype
// and Trivy pass what they do not know: the note keeps it from passing
// quietly.
func (p *Policy) judgeVisibility(v Visibility, d *Decision) {
	var notes []string
	if v.Unversioned > 0 {
		notes = append(notes, fmt.Sprintf("%d bundled packages without a version: matched only against advisories that affect every version", v.Unversioned))
	}
	for _, b := range v.UnidentifiedBundles {
		notes = append(notes, fmt.Sprintf("bundle %s: no source map, module comment or lockfile names its modules; its packages are not known", b))
	}
	if len(notes) == 0 {
		return
	}
	if p.FailOnUnversioned {
		d.Pass = false
		d.Notes = append(d.Notes, "fail_on_unversioned: the gate fails on what the scan could not see")
	}
	d.Notes = append(d.Notes, notes...)
}
