package sbom

import (
	"encoding/json"
	"strings"

	"github.com/fnaudit/fnaudit/artifact"
)

// nodeLockEntry is one "packages" entry of an npm lockfile.
type nodeLockEntry struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Dev     bool   `json:"dev"`
}

// nodeLockfiles reads, once per project root, the lockfile npm writes into
// node_modules (node_modules/.package-lock.json, the hidden lockfile of
// npm 7+), else the project's package-lock.json or npm-shrinkwrap.json:
// the versions of package folders that have no package.json.
type nodeLockfiles struct {
	d     *artifact.Deployment
	roots map[string]map[string]nodeLockEntry
}

func newNodeLockfiles(d *artifact.Deployment) *nodeLockfiles {
	return &nodeLockfiles{d: d, roots: map[string]map[string]nodeLockEntry{}}
}

// entry is the lockfile entry of the package folder dir
// (<root>/node_modules/...), keyed as npm keys it: relative to the root.
func (l *nodeLockfiles) entry(dir string) (nodeLockEntry, bool, error) {
	i := strings.Index(dir, "/node_modules/")
	if i < 0 {
		return nodeLockEntry{}, false, nil
	}
	root := dir[:i]
	pkgs, ok := l.roots[root]
	if !ok {
		var err error
		if pkgs, err = l.load(root); err != nil {
			return nodeLockEntry{}, false, err
		}
		l.roots[root] = pkgs
	}
	e, ok := pkgs[strings.TrimPrefix(dir, root+"/")]
	return e, ok && e.Version != "", nil
}

// load reads the first lockfile of root that exists. A lockfile that is
// there but unreadable fails: it was the only word on these folders.
func (l *nodeLockfiles) load(root string) (map[string]nodeLockEntry, error) {
	for _, name := range []string{"node_modules/.package-lock.json", "npm-shrinkwrap.json", "package-lock.json"} {
		real, f, ok := l.d.Resolve(root + "/" + name)
		if !ok {
			continue
		}
		b, err := readMetadata(l.d, real)
		if err != nil {
			return nil, err
		}
		var lock struct {
			Packages map[string]nodeLockEntry `json:"packages"`
		}
		if err := json.Unmarshal(stripBOM(b), &lock); err != nil {
			return nil, inputError(l.d, f, "npm lockfile is not valid JSON", err)
		}
		if lock.Packages != nil {
			return lock.Packages, nil
		}
	}
	return nil, nil
}
