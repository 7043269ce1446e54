package sbom

import (
	"cmp"
	"slices"
	"sort"

	cyclonedx "github.com/CycloneDX/cyclonedx-go"
)

// cdxLicenses reads a component's licenses back as the SBOM writes them:
// the SPDX id or expression where there is one, else the name; sorted, as
// declaredLicenses gives them.
func cdxLicenses(lc *cyclonedx.Licenses) []string {
	if lc == nil {
		return nil
	}
	var out []string
	for _, c := range *lc {
		v := c.Expression
		if l := c.License; l != nil {
			v = cmp.Or(l.ID, l.Name, v)
		}
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}
