package fleet

import (
	"slices"
	"strings"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/inventory"
	"github.com/fnaudit/fnaudit/policy"
)

// This file is the fleet's own small adapter between the scan engine's types
// and the inventory's rows (the CLI's inventory.FromReport is built on
// another branch; the lead reconciles the two).

// functionRef is the inventory key of a listed function version.
func functionRef(fn Function) inventory.FunctionRef {
	return inventory.FunctionRef{Source: fn.Source, Account: fn.Account, Region: fn.Region, Name: fn.Name, Qualifier: fn.Qualifier}
}

// packageRows turns the scan's packages into inventory rows.
func packageRows(pkgs []core.Package) []inventory.PackageRow {
	out := make([]inventory.PackageRow, 0, len(pkgs))
	for _, p := range pkgs {
		if p.Ecosystem == "" || p.Name == "" {
			continue // nothing an advisory can name; the inventory refuses it
		}
		kind := inventory.OriginFunction
		switch p.Origin.Kind {
		case core.OriginLayer:
			kind = inventory.OriginLayer
		case core.OriginImageLayer:
			kind = inventory.OriginImageLayer
		}
		out = append(out, inventory.PackageRow{
			Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version, PURL: p.PURL, Path: p.Path(),
			Origin: inventory.Origin{Kind: kind, Index: p.Origin.Index, Digest: p.Origin.Digest},
			Loaded: p.Loaded, ShadowedBy: p.ShadowedBy, Evidence: p.Evidence,
		})
	}
	return out
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

// findingRows turns the gate's verdicts into inventory findings.
func findingRows(d *policy.Decision) []inventory.FindingRow {
	if d == nil {
		return nil
	}
	out := make([]inventory.FindingRow, 0, len(d.Results))
	seen := map[string]bool{}
	for _, r := range d.Results {
		f := r.Finding
		verdict := inventory.VerdictWarn
		switch {
		case r.Fails:
			verdict = inventory.VerdictFail
		case r.Reason == policy.ReasonException || r.Reason == policy.ReasonVEX:
			verdict = inventory.VerdictIgnored
		}
		id := f.PrimaryID()
		if id == "" || f.Package.Ecosystem == "" || f.Package.Name == "" {
			continue
		}
		key := strings.Join([]string{f.Package.Path(), f.Package.Ecosystem, f.Package.Name, id}, "\x00")
		if seen[key] {
			continue
		}
		seen[key] = true
		aliases := slices.Concat(f.IDs[1:], f.Aliases)
		slices.Sort(aliases)
		out = append(out, inventory.FindingRow{
			AdvisoryID: id, Aliases: slices.Compact(aliases), Kind: string(f.Kind), Severity: string(f.Severity),
			Ecosystem: f.Package.Ecosystem, Name: f.Package.Name, Version: f.Package.Version, Path: f.Package.Path(),
			Verdict: verdict,
		})
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
