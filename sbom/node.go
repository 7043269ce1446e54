package sbom

import (
	"cmp"
	"fmt"
	"sort"
	"strings"

	"github.com/anchore/syft/syft/pkg"

	"github.com/fnaudit/fnaudit/artifact"
	"github.com/fnaudit/fnaudit/core"
)

// nodeDir is one folder the Node runtime can load as a package, at the path
// require() resolves (a symlinked folder at the link's path, not its
// target's).
type nodeDir struct {
	path string
	// file is a file of the deployment inside (or, for a symlinked folder,
	// the link itself): where the package came from when it has no
	// package.json.
	file *artifact.File
}

// nodePackageDirs lists every folder Node can load as a package:
//   - node_modules/<name> and node_modules/@scope/<name>, at any depth, as
//     real folders or symlinks to folders (npm file: dependencies,
//     workspaces, pnpm);
//   - /var/task/<name> and /var/task/@scope/<name> holding a package.json:
//     Lambda puts /var/task on NODE_PATH, so require('<name>') loads it.
//
// Folders are found from the files below them, so a folder with no
// package.json (Node loads its index.js all the same) is listed too.
func nodePackageDirs(d *artifact.Deployment) []nodeDir {
	seen := map[string]bool{}
	checked := map[string]bool{} // /var/task/<name> folders already looked at
	var out []nodeDir
	add := func(dir string, f *artifact.File) {
		if !seen[dir] {
			seen[dir] = true
			out = append(out, nodeDir{path: dir, file: f})
		}
	}
	for _, f := range d.Files() {
		p := f.Path
		for off := 0; ; {
			i := strings.Index(p[off:], "/node_modules/")
			if i < 0 {
				break
			}
			start := off + i + len("/node_modules/")
			off = start - 1
			if dir, ok := packageDirAt(p, start); ok && (dir != p || (f.IsSymlink() && d.IsDir(p))) {
				add(dir, f)
			}
		}
		if rest, ok := strings.CutPrefix(p, artifact.TaskRoot+"/"); ok && !strings.HasPrefix(rest, "node_modules/") {
			if dir, ok := packageDirAt(p, len(artifact.TaskRoot)+1); ok && !checked[dir] && (dir != p || (f.IsSymlink() && d.IsDir(p))) {
				checked[dir] = true
				if _, _, hasManifest := d.Resolve(dir + "/package.json"); hasManifest {
					add(dir, f)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

// packageDirAt is the package folder whose name starts at p[start:]: one
// segment, or two for a scope. Names starting with "." (.bin, .pnpm,
// .package-lock.json) are npm's own.
func packageDirAt(p string, start int) (string, bool) {
	rest := p[start:]
	seg, tail, _ := strings.Cut(rest, "/")
	if seg == "" || strings.HasPrefix(seg, ".") || seg == "node_modules" {
		return "", false
	}
	if strings.HasPrefix(seg, "@") {
		name, _, _ := strings.Cut(tail, "/")
		if name == "" || strings.HasPrefix(name, ".") {
			return "", false
		}
		return p[:start] + seg + "/" + name, true
	}
	return p[:start] + seg, true
}

// nodeFolderName is the name require() finds a package folder by.
func nodeFolderName(dir string) string {
	if i := strings.LastIndex(dir, "/node_modules/"); i >= 0 {
		return dir[i+len("/node_modules/"):]
	}
	return strings.TrimPrefix(dir, artifact.TaskRoot+"/")
}

// addNodePackages lists every Node package folder of the deployment. syft's
// package.json cataloger supplies the package when it read the file; a
// package.json it rejected is read leniently for name and version (evidence
// "lenient"), or the command fails naming the file; a folder without a
// package.json is versioned from node_modules/.package-lock.json (evidence
// "lockfile") or listed by its name alone (evidence "folder"). Folders that
// lead to one package.json (a symlink and its target) are one package,
// listed under every path, the runtime's first, unless the folders' names
// differ: require() finds the package by each name, so each name is a
// package of its own (see nodeAlias).
func (out *SBOM) addNodePackages(d *artifact.Deployment, syftPkgs []pkg.Package) error {
	bySyft := map[string]pkg.Package{}
	for _, p := range syftPkgs {
		if p.Type == pkg.NpmPkg {
			bySyft[primaryLocation(p).RealPath] = p
		}
	}
	type group struct {
		dirs     []nodeDir
		manifest string // real path of the package.json, "" when none
		file     *artifact.File
	}
	groups := map[string]*group{}
	var keys []string
	for _, nd := range nodePackageDirs(d) {
		key := "folder\x00" + nd.path
		real, f, ok := d.Resolve(nd.path + "/package.json")
		if ok {
			key = real + "\x00" + core.NormalizeName(core.EcosystemNPM, nodeFolderName(nd.path))
		}
		g := groups[key]
		if g == nil {
			g = &group{file: nd.file}
			if ok {
				g.manifest, g.file = real, f
			}
			groups[key] = g
			keys = append(keys, key)
		}
		g.dirs = append(g.dirs, nd)
	}
	locks := newNodeLockfiles(d)
	for _, k := range keys {
		g := groups[k]
		paths := runtimeOrder(g.dirs)
		primary := paths[0]
		fp := Package{Ecosystem: EcosystemNPM, Paths: paths, Origin: g.file.Origin(), Loaded: true, Type: string(pkg.NpmPkg)}
		if sp, ok := bySyft[g.manifest]; ok && g.manifest != "" {
			fp.Name, fp.Version, fp.PURL = sp.Name, sp.Version, sp.PURL
			fp.Licenses = declaredLicenses(sp)
			if err := nodeAlias(&fp, locks); err != nil {
				return err
			}
			out.appendPackage(fp, sp)
			continue
		}
		switch {
		case g.manifest != "":
			b, err := readMetadata(d, g.manifest)
			if err != nil {
				return err
			}
			name, version, err := lenientPackageJSON(b)
			if err != nil {
				return inputError(d, g.file, fmt.Sprintf("package.json of %s cannot be read, even for its name and version", primary), err)
			}
			fp.Name, fp.Version, fp.Evidence = cmp.Or(name, nodeFolderName(primary)), version, EvidenceLenient
			if err := nodeAlias(&fp, locks); err != nil {
				return err
			}
			out.addPackage(fp, g.manifest, primary+"/package.json")
		default:
			fp.Name = nodeFolderName(primary)
			fp.Evidence = EvidenceFolder
			if e, ok, err := locks.entry(primary); err != nil {
				return err
			} else if ok {
				fp.Name, fp.Version, fp.Evidence = cmp.Or(e.Name, fp.Name), e.Version, EvidenceLockfile
			}
			if err := nodeAlias(&fp, locks); err != nil {
				return err
			}
			out.addPackage(fp, primary, primary)
		}
	}
	return nil
}

// runtimeOrder puts first the path require() reaches most directly (the
// fewest node_modules levels, then the shortest), then the others sorted.
func runtimeOrder(dirs []nodeDir) []string {
	paths := make([]string, len(dirs))
	for i, d := range dirs {
		paths[i] = d.path
	}
	sort.Slice(paths, func(i, j int) bool {
		ni, nj := strings.Count(paths[i], "/node_modules/"), strings.Count(paths[j], "/node_modules/")
		if ni != nj {
			return ni < nj
		}
		if len(paths[i]) != len(paths[j]) {
			return len(paths[i]) < len(paths[j])
		}
		return paths[i] < paths[j]
	})
	return paths
}

// inputError names the user-given file and the entry of f.
func inputError(d *artifact.Deployment, f *artifact.File, reason string, err error) error {
	file := d.Target
	if o := f.Origin(); o.Kind == artifact.OriginLayer && o.Name != "" {
		file = o.Name
	}
	return &artifact.InputError{File: file, Entry: f.Entry(), Reason: reason, Err: err}
}
