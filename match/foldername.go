package match

import (
	"github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/fnaudit/fnaudit/core"
)

// aliasName is the second name a package is matched under: the folder
// name the runtime finds it by (core.Package.Alias), when that is another
// name than Name; "" otherwise.
func aliasName(pkg core.Package) string {
	if pkg.Alias == "" || core.NormalizeName(pkg.Ecosystem, pkg.Alias) == core.NormalizeName(pkg.Ecosystem, pkg.Name) {
		return ""
	}
	return pkg.Alias
}

// aliasAffects decides a record found under the package's folder name. A
// folder name no npm alias explains fails closed: the record is evaluated
// as if the package were that name at its installed version. An npm alias
// a shipped lockfile declares (AliasDeclared) installs another package's
// versions under the name, so only a malicious record that flags every
// version of the folder name counts: the name itself is then flagged,
// and the folder's contents are what require() of that name runs.
func aliasAffects(v *osvschema.Vulnerability, kind core.Kind, pkg core.Package, iv *installed) ([]*osvschema.Affected, bool, error) {
	as := pkg
	as.Name, as.PURL = pkg.Alias, ""
	norm := core.NormalizeName(pkg.Ecosystem, pkg.Alias)
	var entries []*osvschema.Affected
	var index []int
	for i, a := range v.GetAffected() {
		if affectsPackage(a, as, norm) {
			entries = append(entries, a)
			index = append(index, i)
		}
	}
	if !pkg.AliasDeclared {
		hit, err := anyAffects(entries, index, iv)
		return entries, hit, err
	}
	if kind != core.KindMalicious {
		return nil, false, nil
	}
	for _, a := range entries {
		if flagsEveryVersion(a) {
			return entries, true, nil
		}
	}
	return nil, false, nil
}

// flagsEveryVersion reports whether an affected entry covers every version
// of its package: a SEMVER or ECOSYSTEM range introduced at "0" that is
// never fixed or limited.
func flagsEveryVersion(a *osvschema.Affected) bool {
	for _, r := range a.GetRanges() {
		if r.GetType() == osvschema.Range_GIT {
			continue
		}
		open := false
		for _, e := range r.GetEvents() {
			switch {
			case e.GetIntroduced() == "0":
				open = true
			case e.GetFixed() != "", e.GetLastAffected() != "", e.GetLimit() != "":
				open = false
			}
		}
		if open {
			return true
		}
	}
	return false
}
