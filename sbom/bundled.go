package sbom

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/anchore/syft/syft/file"
	"github.com/anchore/syft/syft/pkg"

	"github.com/fnaudit/fnaudit/artifact"
	"github.com/fnaudit/fnaudit/sbom/cataloger/jsbundle"
)

// PropUnidentifiedBundle (BOM metadata, once per bundle) names a JavaScript
// bundle fnaudit could not see into: its packages are unknown, not absent.
const PropUnidentifiedBundle = "fnaudit:unidentifiedBundle"

// bundledFoundBy names fnaudit's bundle cataloger in syft's package model.
const bundledFoundBy = "fnaudit-jsbundle-cataloger"

// addBundled lists the npm packages bundled into the deployment's
// JavaScript files (esbuild, webpack, rollup output), which syft's
// installed-package catalogers cannot see. Each becomes an npm package whose
// path is the bundle file, loaded by the runtime (the bundle is the code it
// runs). A package also installed under node_modules keeps both entries.
// Bundles nothing could be seen into are recorded in UnidentifiedBundles.
func addBundled(out *SBOM, d *artifact.Deployment) error {
	res, err := jsbundle.Catalog(deploymentFiles{d}, jsbundle.DefaultLimits())
	if err != nil {
		return fmt.Errorf("bundled JavaScript in %s: %w", d.Target, err)
	}
	for _, b := range res.Unidentified() {
		out.UnidentifiedBundles = append(out.UnidentifiedBundles, b.Path)
	}
	// One SBOM entry per (name, version, bundle): the nested module path
	// (node_modules/a/node_modules/b) has done its job choosing the locked
	// version, and copies with equal versions match the same advisories.
	type key struct{ name, version, bundle string }
	seen := map[key]bool{}
	var added []Package
	for _, bp := range res.Packages {
		k := key{bp.Name, bp.Version, bp.BundlePath}
		if seen[k] {
			continue
		}
		seen[k] = true
		p := Package{
			Ecosystem: EcosystemNPM,
			Name:      bp.Name,
			Version:   bp.Version,
			PURL:      npmPURL(bp.Name, bp.Version),
			Paths:     []string{bp.BundlePath},
			Loaded:    true,
			Type:      string(pkg.NpmPkg),
			Evidence:  bp.Evidence,
		}
		if f, ok := d.File(bp.BundlePath); ok {
			p.Origin = f.Origin()
		}
		added = append(added, p)
	}
	sort.SliceStable(added, func(i, j int) bool {
		a, b := added[i], added[j]
		if a.Path() != b.Path() {
			return a.Path() < b.Path()
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Version < b.Version
	})
	for _, p := range added {
		sp := pkg.Package{
			Name:      p.Name,
			Version:   p.Version,
			Type:      pkg.NpmPkg,
			Language:  pkg.JavaScript,
			PURL:      p.PURL,
			FoundBy:   bundledFoundBy,
			Locations: file.NewLocationSet(file.NewLocation(p.Path()).WithAnnotation(pkg.EvidenceAnnotationKey, pkg.PrimaryEvidenceAnnotation)),
		}
		sp.SetID()
		if out.syft != nil {
			out.syft.Artifacts.Packages.Add(sp)
		}
		out.Packages = append(out.Packages, p)
		out.syftIDs = append(out.syftIDs, string(sp.ID()))
	}
	return nil
}

// npmPURL is pkg:npm/name@version, the scope's "@" escaped as the purl
// spec requires; no version, no "@".
func npmPURL(name, version string) string {
	u := "pkg:npm/" + strings.Replace(name, "@", "%40", 1)
	if version != "" {
		u += "@" + version
	}
	return u
}

// deploymentFiles is the deployment's merged view as jsbundle reads it:
// regular files only (a symlinked bundle is read where it points, by its
// own path).
type deploymentFiles struct{ d *artifact.Deployment }

func (f deploymentFiles) Paths() []string {
	var out []string
	for _, file := range f.d.Files() {
		if file.Mode.IsRegular() {
			out = append(out, file.Path)
		}
	}
	return out
}

func (f deploymentFiles) Size(p string) (int64, bool) {
	_, file, ok := f.d.Resolve(p)
	if !ok || !file.Mode.IsRegular() {
		return 0, false
	}
	return file.Size, true
}

func (f deploymentFiles) Open(p string) (io.ReadCloser, error) { return f.d.Open(p) }
