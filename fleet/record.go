package fleet

import (
	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/inventory"
)

// A scan's result becomes inventory rows through inventory.FromReport, as
// for `fnaudit scan --record`; this file holds only what the fleet knows and
// a report does not: the function's identity and its version as listed.

// functionRef is the inventory key of a listed function version.
func functionRef(fn Function) inventory.FunctionRef {
	return inventory.FunctionRef{Source: fn.Source, Account: fn.Account, Region: fn.Region, Name: fn.Name, Qualifier: fn.Qualifier}
}

// corePackages rebuilds the packages a stored artifact holds, for a re-match
// against today's advisory database without the artifact's bytes. The
// inventory keeps one row per path of a package, consecutive: they become
// one package with its paths again, as the scan found it, so the re-match
// reports what the scan reported (a finding per package, not per copy).
func corePackages(rows []inventory.PackageRow) []core.Package {
	out := make([]core.Package, 0, len(rows))
	for i, r := range rows {
		if i > 0 && samePackage(rows[i-1], r) && r.Path != "" {
			last := &out[len(out)-1]
			last.Paths = append(last.Paths, r.Path)
			continue
		}
		p := r.CorePackage()
		p.Evidence = r.Evidence
		out = append(out, p)
	}
	return out
}

// samePackage: two rows of one package's paths differ only in the path.
func samePackage(a, b inventory.PackageRow) bool {
	a.Path, b.Path = "", ""
	return a == b
}

// versionOf describes the deployed version as the inventory keeps it.
func versionOf(fn Function, codeHex, imageDigest string, layers []inventory.Layer, prov string) inventory.Version {
	pt := string(fn.PackageType)
	if pt == "" {
		pt = string(PackageZip)
	}
	return inventory.Version{
		PackageType: pt, Runtime: fn.Runtime, Architectures: fn.Architectures,
		CodeSha256: fn.CodeSha256, CodeSHA256Hex: codeHex, ImageDigest: imageDigest, Layers: layers,
		SigningProfileVersionArn: fn.SigningProfileVersionArn, SigningJobArn: fn.SigningJobArn, Provenance: prov,
	}
}
