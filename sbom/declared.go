package sbom

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"encoding/xml"
	"path"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/fnaudit/fnaudit/artifact"
	"github.com/fnaudit/fnaudit/core"
)

// Declared entries: a lockfile or manifest shipped in the deployment names
// packages that are neither installed nor bundled (devDependencies, the AWS
// SDK the runtime provides, or a package hidden in a minified bundle).
// They are listed with Declared set, never loaded, so that a malicious name
// in a deployed lockfile still fails the gate while the rest pass by
// default ("declared, not shipped").

// declaredReader reads one kind of manifest or lockfile.
type declaredReader struct {
	ecosystem, evidence string
	matches             func(p string) bool
	read                func(b []byte) ([]Package, error)
}

var (
	requirementsRe = regexp.MustCompile(`^[^/]*requirements[^/]*\.txt$`)
	exactNpmRe     = regexp.MustCompile(`^=?v?(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?)$`)
	pipNameRe      = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$`)
)

var declaredReaders = []declaredReader{
	{EcosystemNPM, EvidenceLockfile, baseIs("package-lock.json", "npm-shrinkwrap.json"), readNpmLockDeclared},
	{EcosystemNPM, EvidenceManifest, baseIs("package.json"), readPackageJSONDeclared},
	{EcosystemPyPI, EvidenceManifest, func(p string) bool { return requirementsRe.MatchString(path.Base(p)) }, readRequirementsDeclared},
	{EcosystemMaven, EvidenceManifest, baseIs("pom.xml"), readPomDeclared},
	{EcosystemGo, EvidenceManifest, baseIs("go.mod"), readGoModDeclared},
}

func baseIs(names ...string) func(string) bool {
	return func(p string) bool {
		for _, n := range names {
			if path.Base(p) == n {
				return true
			}
		}
		return false
	}
}

// isOwnManifest keeps the function's own manifests: not those inside an
// installed package (node_modules, site-packages, a dist-info) whose
// dependencies are that package's business.
func isOwnManifest(p string) bool {
	return !strings.Contains(p, "/node_modules/") && !strings.Contains(p, "/site-packages/") && !strings.Contains(p, ".dist-info/")
}

// addDeclared lists the entries of the deployment's own manifests and
// lockfiles that no listed package (installed, lenient or bundled) stands
// for. A lockfile entry is listed unless a package of that name is listed
// at its version (or without a version): a lockfile can pin a name at
// several versions (nested node_modules copies), and a copy at another
// version is another package, which may be the malicious one; an entry
// whose install path holds a listed package is shipped, whatever version
// the lockfile gives it. A manifest
// entry (a range, not a version) is listed only when nothing of that name
// is. Lockfile entries come first, so an entry named in both keeps its
// locked version. A manifest that cannot be parsed is skipped: it adds
// nothing to what is deployed, and the packages it would name are listed
// from what is installed.
func (out *SBOM) addDeclared(d *artifact.Deployment) error {
	named := map[string]bool{}     // ecosystem, name
	versioned := map[string]bool{} // ecosystem, name, version ("" stands for every version)
	see := func(eco, name, version string) {
		k := eco + "\x00" + core.NormalizeName(eco, name)
		named[k] = true
		versioned[k+"\x00"+version] = true
	}
	installed := map[string]bool{} // paths of listed packages
	for _, p := range out.Packages {
		see(p.Ecosystem, p.Name, p.Version)
		for _, pth := range p.Paths {
			installed[pth] = true
		}
	}
	files := d.Files()
	for _, rd := range declaredReaders {
		for _, f := range files {
			if f.IsSymlink() || !isOwnManifest(f.Path) || !rd.matches(f.Path) {
				continue
			}
			b, err := readMetadata(d, f.Path)
			if err != nil {
				return err
			}
			entries, err := rd.read(stripBOM(b))
			if err != nil {
				continue
			}
			for _, e := range entries {
				k := rd.ecosystem + "\x00" + core.NormalizeName(rd.ecosystem, e.Name)
				switch {
				case e.Name == "":
					continue
				case rd.evidence == EvidenceLockfile && e.Version != "":
					// The entry's install path is shipped (a stale lockfile
					// may give it another version): what is installed there
					// is what runs.
					if len(e.Paths) == 1 && installed[path.Join(path.Dir(f.Path), e.Paths[0])] {
						continue
					}
					if versioned[k+"\x00"+e.Version] || versioned[k+"\x00"] {
						continue
					}
				case named[k]:
					continue
				}
				see(rd.ecosystem, e.Name, e.Version)
				e.Ecosystem, e.Evidence, e.Declared, e.Loaded = rd.ecosystem, rd.evidence, true, false
				e.Paths, e.Origin = []string{f.Path}, f.Origin()
				out.addPackage(e, f.Path, f.Path)
			}
		}
	}
	return nil
}

// readNpmLockDeclared reads lockfile v2/v3 "packages" and v1
// "dependencies" (nested too).
func readNpmLockDeclared(b []byte) ([]Package, error) {
	var lock struct {
		Packages     map[string]nodeLockEntry `json:"packages"`
		Dependencies map[string]npmLockV1     `json:"dependencies"`
	}
	if err := json.Unmarshal(b, &lock); err != nil {
		return nil, err
	}
	var out []Package
	for key, e := range lock.Packages {
		i := strings.LastIndex(key, "node_modules/")
		if i < 0 || e.Version == "" {
			continue // the root project, or a workspace link
		}
		// Paths carries the install path (relative to the lockfile) until
		// addDeclared replaces it with the lockfile's own path.
		out = append(out, Package{Name: cmp.Or(e.Name, key[i+len("node_modules/"):]), Version: e.Version, Paths: []string{key}})
	}
	if len(lock.Packages) == 0 {
		var walk func(map[string]npmLockV1)
		walk = func(deps map[string]npmLockV1) {
			for name, e := range deps {
				out = append(out, Package{Name: name, Version: e.Version})
				walk(e.Dependencies)
			}
		}
		walk(lock.Dependencies)
	}
	sortByNameVersion(out)
	return out, nil
}

type npmLockV1 struct {
	Version      string               `json:"version"`
	Dependencies map[string]npmLockV1 `json:"dependencies"`
}

// readPackageJSONDeclared reads dependencies, devDependencies,
// optionalDependencies and peerDependencies; an exact version is kept,
// a range is not a version.
func readPackageJSONDeclared(b []byte) ([]Package, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	var out []Package
	for _, field := range []string{"dependencies", "devDependencies", "optionalDependencies", "peerDependencies"} {
		var deps map[string]string
		if json.Unmarshal(m[field], &deps) != nil {
			continue
		}
		for name, spec := range deps {
			p := Package{Name: name}
			if sm := exactNpmRe.FindStringSubmatch(strings.TrimSpace(spec)); sm != nil {
				p.Version = sm[1]
			}
			out = append(out, p)
		}
	}
	sortByNameVersion(out)
	return out, nil
}

// readRequirementsDeclared reads name==version (other specifiers give no
// version); options, includes and URLs are skipped.
func readRequirementsDeclared(b []byte) ([]Package, error) {
	var out []Package
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == '-' || strings.Contains(line, "://") {
			continue
		}
		line, _, _ = strings.Cut(line, ";") // environment markers
		m := pipNameRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		p := Package{Name: m[1]}
		if v, ok := strings.CutPrefix(strings.TrimSpace(m[3]), "=="); ok && !strings.ContainsAny(v, "*,") {
			p.Version = strings.TrimSpace(v)
		}
		out = append(out, p)
	}
	return out, sc.Err()
}

// readPomDeclared reads <dependencies> of a pom.xml; a version given by a
// property (${...}) is not known.
func readPomDeclared(b []byte) ([]Package, error) {
	var pom struct {
		Dependencies []struct {
			GroupID    string `xml:"groupId"`
			ArtifactID string `xml:"artifactId"`
			Version    string `xml:"version"`
		} `xml:"dependencies>dependency"`
	}
	if err := xml.Unmarshal(b, &pom); err != nil {
		return nil, err
	}
	var out []Package
	for _, d := range pom.Dependencies {
		g, a, v := strings.TrimSpace(d.GroupID), strings.TrimSpace(d.ArtifactID), strings.TrimSpace(d.Version)
		if g == "" || a == "" {
			continue
		}
		if strings.Contains(v, "${") || strings.ContainsAny(v, "[(,") {
			v = ""
		}
		out = append(out, Package{Name: g + ":" + a, Version: v})
	}
	return out, nil
}

// readGoModDeclared reads the require directives of a go.mod.
func readGoModDeclared(b []byte) ([]Package, error) {
	f, err := modfile.ParseLax("go.mod", b, nil)
	if err != nil {
		return nil, err
	}
	var out []Package
	for _, r := range f.Require {
		out = append(out, Package{Name: r.Mod.Path, Version: r.Mod.Version})
	}
	return out, nil
}

func sortByNameVersion(ps []Package) {
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].Name != ps[j].Name {
			return ps[i].Name < ps[j].Name
		}
		return ps[i].Version < ps[j].Version
	})
}
