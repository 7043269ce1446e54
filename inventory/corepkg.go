package inventory

import "github.com/fnaudit/fnaudit/core"

// CorePackage rebuilds the package a stored row was made from, as match
// reads it: a rematch and `investigate --advisory` match stored rows
// without opening the artifact.
func (p PackageRow) CorePackage() core.Package {
	kind := core.OriginFunction
	switch p.Origin.Kind {
	case OriginLayer:
		kind = core.OriginLayer
	case OriginImageLayer:
		kind = core.OriginImageLayer
	}
	var paths []string
	if p.Path != "" {
		paths = []string{p.Path}
	}
	return core.Package{Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version, PURL: p.PURL, Paths: paths,
		Origin: core.Origin{Kind: kind, Index: p.Origin.Index, Digest: p.Origin.Digest},
		Loaded: p.Loaded, ShadowedBy: p.ShadowedBy, Alias: p.Alias, AliasDeclared: p.AliasDeclared}
}
