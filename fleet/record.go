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
// against today's advisory database without the artifact's bytes.
func corePackages(rows []inventory.PackageRow) []core.Package {
	out := make([]core.Package, 0, len(rows))
	for _, r := range rows {
		p := core.Package{Ecosystem: r.Ecosystem, Name: r.Name, Version: r.Version, PURL: r.PURL,
			Origin: core.Origin{Kind: core.OriginKind(r.Origin.Kind), Index: r.Origin.Index, Digest: r.Origin.Digest},
			Loaded: r.Loaded, ShadowedBy: r.ShadowedBy, Evidence: r.Evidence}
		if r.Path != "" {
			p.Paths = []string{r.Path}
		}
		out = append(out, p)
	}
	return out
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
