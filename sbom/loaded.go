package sbom

import (
	"path"
	"regexp"
	"strings"

	"github.com/fnaudit/fnaudit/artifact"
	"github.com/fnaudit/fnaudit/core"
)

// searchRoot is one entry of a runtime's module search path.
type searchRoot struct {
	dir string
	// rank orders roots: a package is shadowed by a same-named package in a
	// root of lower rank.
	rank int
	// offPath marks a root the runtime does not search at all (a layer's
	// /opt/nodejs/node18 under nodejs20.x).
	offPath bool
	// unsure marks a root whose place in the order is unknown (the runtime
	// version is not known): it neither shadows nor is shadowed by roots of
	// its neighbouring rank.
	unsure bool
}

var (
	nodeVersionDir   = regexp.MustCompile(`^/opt/nodejs/node(\d+)/node_modules$`)
	pythonVersionDir = regexp.MustCompile(`^/opt/python/lib/python(\d+\.\d+)/site-packages$`)
)

// markLoaded decides for each package whether the runtime would load that
// copy, following Lambda's search paths:
//   - Node: /var/task/node_modules, then /opt/nodejs/nodeNN/node_modules, then
//     /opt/nodejs/node_modules, then /var/task itself (NODE_PATH of the
//     Lambda Node runtimes), by exact folder name;
//   - Python: /var/task, then /opt/python/lib/pythonX.Y/site-packages, then
//     /opt/python (sys.path);
//   - Java: /var/task/lib, then /opt/java/lib (the classpath; first wins).
//
// A package elsewhere, or of another ecosystem, is taken as loaded: fnaudit
// only clears a copy when it knows the runtime reaches another one first.
// When the runtime version is not known, version-specific layer directories
// are assumed to be on the path.
func markLoaded(pkgs []Package, rt artifact.Runtime) {
	type seen struct {
		rank int
		path string
	}
	first := map[string]seen{} // ecosystem+name -> lowest-ranked copy
	type placed struct {
		i    int
		key  string
		root searchRoot
	}
	var candidates []placed
	for i := range pkgs {
		p := &pkgs[i]
		if p.Declared {
			continue // not installed: never loaded, never shadows
		}
		root, name, ok := placeOf(p, rt)
		if !ok {
			continue
		}
		// Node finds a package by its folder name, byte for byte: Linux is
		// case-sensitive, so node_modules/LODASH does not hide lodash.
		if p.Ecosystem != EcosystemNPM {
			name = core.NormalizeName(p.Ecosystem, name)
		}
		key := p.Ecosystem + "\x00" + name
		candidates = append(candidates, placed{i: i, key: key, root: root})
		if root.offPath {
			continue
		}
		if s, ok := first[key]; !ok || root.rank < s.rank {
			first[key] = seen{rank: root.rank, path: p.Path()}
		}
	}
	for _, c := range candidates {
		p := &pkgs[c.i]
		if c.root.offPath {
			p.Loaded = false
			continue
		}
		s := first[c.key]
		// Ranks 1 (version-specific layer dirs) and 2 (generic layer dir)
		// cannot be ordered without the runtime version.
		ambiguous := c.root.unsure && s.rank >= 1
		if s.rank < c.root.rank && !ambiguous {
			p.Loaded = false
			p.ShadowedBy = s.path
		}
	}
	markNestedNode(pkgs)
}

// placeOf finds the search root a package sits in and the name the runtime
// looks it up by.
func placeOf(p *Package, rt artifact.Runtime) (searchRoot, string, bool) {
	switch p.Ecosystem {
	case EcosystemNPM:
		return nodePlace(p.Path(), rt)
	case EcosystemPyPI:
		return pythonPlace(p, rt)
	case EcosystemMaven:
		dir := path.Dir(p.Path())
		switch {
		case strings.Contains(p.Path(), "!/"):
			return searchRoot{}, "", false
		case dir == artifact.TaskRoot || dir == artifact.TaskRoot+"/lib":
			return searchRoot{dir: dir, rank: 0}, p.Name, true
		case dir == "/opt/java/lib":
			return searchRoot{dir: dir, rank: 1}, p.Name, true
		}
	}
	return searchRoot{}, "", false
}

// nodePlace handles top-level packages of the Lambda node_modules roots;
// nested copies are decided by markNestedNode.
func nodePlace(pkgPath string, rt artifact.Runtime) (searchRoot, string, bool) {
	dir, name, ok := splitNodeModules(pkgPath)
	if !ok {
		// /var/task closes Lambda's NODE_PATH: /var/task/<name> loads
		// when no node_modules copy comes first.
		if rest, under := strings.CutPrefix(pkgPath, artifact.TaskRoot+"/"); under && !strings.Contains(rest, "/node_modules/") {
			if d, ok := packageDirAt(pkgPath, len(artifact.TaskRoot)+1); ok && d == pkgPath {
				return searchRoot{dir: artifact.TaskRoot, rank: 3}, rest, true
			}
		}
		return searchRoot{}, "", false
	}
	if strings.Contains(name, "/node_modules/") {
		return searchRoot{}, "", false
	}
	switch {
	case dir == artifact.TaskRoot+"/node_modules":
		return searchRoot{dir: dir, rank: 0}, name, true
	case dir == "/opt/nodejs/node_modules":
		return searchRoot{dir: dir, rank: 2, unsure: rt.Version == ""}, name, true
	}
	if m := nodeVersionDir.FindStringSubmatch(dir); m != nil {
		r := searchRoot{dir: dir, rank: 1, unsure: rt.Version == ""}
		if rt.Name == "nodejs" && rt.Version != "" && m[1] != rt.Version {
			r.offPath = true
		}
		return r, name, true
	}
	return searchRoot{}, "", false
}

// splitNodeModules splits ".../node_modules/<name>" (scoped names included)
// into the node_modules directory and the name; the name keeps any nested
// "/node_modules/..." tail so callers can tell nested copies apart.
func splitNodeModules(p string) (dir, name string, ok bool) {
	i := strings.Index(p, "/node_modules/")
	if i < 0 {
		return "", "", false
	}
	return p[:i+len("/node_modules")], p[i+len("/node_modules/"):], true
}

func pythonPlace(p *Package, rt artifact.Runtime) (searchRoot, string, bool) {
	dir := path.Dir(p.Path())
	switch {
	case dir == artifact.TaskRoot:
		return searchRoot{dir: dir, rank: 0}, p.Name, true
	case dir == "/opt/python":
		return searchRoot{dir: dir, rank: 2, unsure: rt.Version == ""}, p.Name, true
	}
	if m := pythonVersionDir.FindStringSubmatch(dir); m != nil {
		r := searchRoot{dir: dir, rank: 1, unsure: rt.Version == ""}
		if rt.Name == "python" && rt.Version != "" && m[1] != rt.Version {
			r.offPath = true
		}
		return r, p.Name, true
	}
	return searchRoot{}, "", false
}

// markNestedNode gives a nested copy (node_modules/a/node_modules/b) the
// loaded state of the package that contains it: only that package's code
// resolves into its own node_modules.
func markNestedNode(pkgs []Package) {
	byPath := map[string]*Package{}
	for i := range pkgs {
		if pkgs[i].Ecosystem == EcosystemNPM {
			byPath[pkgs[i].Path()] = &pkgs[i]
		}
	}
	for i := range pkgs {
		p := &pkgs[i]
		if p.Ecosystem != EcosystemNPM {
			continue
		}
		for parent := nodeParent(p.Path()); parent != ""; parent = nodeParent(parent) {
			if pp, ok := byPath[parent]; ok && !pp.Loaded {
				p.Loaded = false
				if p.ShadowedBy == "" {
					p.ShadowedBy = pp.ShadowedBy
				}
				break
			}
		}
	}
}

// nodeParent is the package directory containing a nested one, or "".
func nodeParent(p string) string {
	i := strings.LastIndex(p, "/node_modules/")
	if i < 0 {
		return ""
	}
	parent := p[:i]
	if !strings.Contains(parent, "/node_modules/") {
		return ""
	}
	return parent
}
