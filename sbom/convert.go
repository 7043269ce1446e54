package sbom

import (
	"cmp"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/anchore/packageurl-go"
	"github.com/anchore/syft/syft/file"
	"github.com/anchore/syft/syft/linux"
	"github.com/anchore/syft/syft/pkg"
	syftsbom "github.com/anchore/syft/syft/sbom"

	"github.com/fnaudit/fnaudit/artifact"
	"github.com/fnaudit/fnaudit/core"
)

// fromSyft turns syft's packages into fnaudit's: one entry per installed
// package (a distribution Debian ships with both .dist-info and .egg-info is
// one), with the path the runtime sees and the origin it came from. It keeps
// a syft SBOM reduced to exactly those packages for the encoders.
//
// decoded marks an SBOM read from a file: its packages are taken as listed,
// without the checks that tell an installed package from other metadata in
// a filesystem.
func (out *SBOM) fromSyft(s *syftsbom.SBOM, sorted []pkg.Package, originOf func(realPath string) (artifact.Origin, bool), decoded bool) {
	type group struct {
		pkg  Package
		syft pkg.Package
	}
	groups := map[string]*group{}
	var keys []string
	for _, p := range sorted {
		fp, primary, ok := toPackage(p, s.Artifacts.LinuxDistribution, decoded)
		if !ok {
			continue
		}
		if originOf != nil {
			if o, found := originOf(primary); found {
				fp.Origin = o
			}
		}
		k := dedupKey(fp)
		if g, dup := groups[k]; dup {
			g.pkg.Paths = mergePaths(g.pkg.Paths, fp.Paths)
			g.syft.Locations.Add(p.Locations.ToSlice()...)
			continue
		}
		groups[k] = &group{pkg: fp, syft: p}
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := groups[keys[i]].pkg, groups[keys[j]].pkg
		if a.Path() != b.Path() {
			return a.Path() < b.Path()
		}
		return keys[i] < keys[j]
	})
	reduced := *s
	reduced.Artifacts.Packages = pkg.NewCollection()
	reduced.Relationships = nil
	out.Packages = make([]Package, 0, len(keys))
	out.syftIDs = make([]string, 0, len(keys))
	for _, k := range keys {
		g := groups[k]
		out.Packages = append(out.Packages, g.pkg)
		out.syftIDs = append(out.syftIDs, string(g.syft.ID()))
		reduced.Artifacts.Packages.Add(g.syft)
	}
	out.syft = &reduced
}

// toPackage maps one syft package, or says it is not a deployed third-party
// package (an app's own package.json, a Go binary's main module). It also
// returns the real path of the package's primary evidence.
func toPackage(p pkg.Package, distro *linux.Release, decoded bool) (Package, string, bool) {
	primary := primaryLocation(p)
	// A package inside an archive of the deployment (a wheel, a zip on
	// sys.path) is named by its full path through the archive:
	// /var/task/vendor.zip!/six-1.16.0.dist-info.
	where := primary.Coordinates.FullNestedPath()
	fp := Package{
		Ecosystem: ecosystemOf(p, distro),
		Name:      p.Name,
		Version:   p.Version,
		PURL:      p.PURL,
		Type:      string(p.Type),
		Loaded:    true,
		Licenses:  declaredLicenses(p),
	}
	switch p.Type {
	case pkg.NpmPkg:
		if !decoded {
			// Generate lists every Node package folder itself, at the path
			// require() resolves (addNodePackages), taking syft's reading
			// of each package.json where it has one.
			return Package{}, "", false
		}
		fp.Paths = []string{path.Dir(where)}
	case pkg.PythonPkg:
		fp.Paths = []string{pythonMetadataDir(where)}
	case pkg.JavaPkg, pkg.JenkinsPluginPkg:
		if purl, err := packageurl.FromString(p.PURL); err == nil && purl.Namespace != "" {
			fp.Name = purl.Namespace + ":" + purl.Name
		}
		fp.Paths = []string{where}
		if m, ok := p.Metadata.(pkg.JavaArchive); ok && m.VirtualPath != "" {
			fp.Paths = []string{absolute(strings.ReplaceAll(m.VirtualPath, ":", "!/"))}
		}
	case pkg.GoModulePkg:
		if m, ok := p.Metadata.(pkg.GolangBinaryBuildinfoEntry); ok && m.MainModule == p.Name {
			return Package{}, "", false // the function's own code, not a dependency
		}
		fp.Paths = []string{where}
	default:
		fp.Paths = []string{where}
	}
	if where == "" {
		fp.Paths = nil // an SBOM from elsewhere may not say where a package is
	}
	return fp, primary.RealPath, true
}

// primaryLocation is the location syft marks as primary evidence (the
// package.json, METADATA, jar or binary), else the first.
func primaryLocation(p pkg.Package) file.Location {
	locs := p.Locations.ToSlice()
	for _, l := range locs {
		if l.Annotations[pkg.EvidenceAnnotationKey] == pkg.PrimaryEvidenceAnnotation {
			return l
		}
	}
	if len(locs) > 0 {
		return locs[0]
	}
	return file.Location{}
}

// pythonMetadataDir is the .dist-info / .egg-info directory holding a
// metadata file, or the file itself for a single-file .egg-info.
func pythonMetadataDir(p string) string {
	dir := path.Dir(p)
	if strings.HasSuffix(dir, ".dist-info") || strings.HasSuffix(dir, ".egg-info") {
		return dir
	}
	return p
}

func absolute(p string) string {
	if strings.HasPrefix(p, "/") {
		return p
	}
	return "/" + p
}

// dedupKey identifies one installed package: the same name and version from
// the same origin at the same place. Python's place is the site directory,
// so a distribution's .dist-info and .egg-info there are one package.
func dedupKey(p Package) string {
	place := p.Path()
	if p.Ecosystem == "PyPI" {
		place = path.Dir(place)
	}
	return strings.Join([]string{p.Ecosystem, core.NormalizeName(p.Ecosystem, p.Name), p.Version, p.Origin.String(), p.Origin.Digest, place}, "\x00")
}

func mergePaths(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range append(append([]string{}, a...), b...) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// declaredLicenses are the licenses a package's own metadata declares, as
// SPDX expressions where syft could parse them, else as written; sorted, so
// a report rendered again from its JSON lists them the same way.
func declaredLicenses(p pkg.Package) []string {
	var out []string
	for _, l := range p.Licenses.ToSlice() {
		v := cmp.Or(l.SPDXExpression, l.Value)
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}
