package sbom

import (
	"archive/zip"
	"bufio"
	"bytes"
	"cmp"
	"debug/buildinfo"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/anchore/syft/syft/pkg"

	"github.com/fnaudit/fnaudit/artifact"
)

// A metadata rule names the files one of syft's enabled catalogers reads
// for an ecosystem, and reads one of them leniently when that cataloger
// gave no package for it (it logged an error, or skipped the file on
// purpose). Node package folders are handled by addNodePackages.
type metadataRule struct {
	ecosystem string
	matches   func(p string) bool
	// lenient reads name and version alone. No package and no error means
	// the file legitimately describes none (a deps.json of the project
	// only, an executable that is not Go).
	lenient func(b []byte, p string) ([]Package, error)
	// executable: the rule applies to the files the resolver sniffed as
	// executables.
	executable bool
	// archive: the file is read whole (a jar, an executable).
	archive bool
}

var (
	jarSuffixes = []string{".jar", ".war", ".ear", ".par", ".sar", ".nar", ".jpi", ".hpi", ".kar", ".lpkg"}
	// a gemspec under a specifications directory: an installed gem.
	gemspecRe = regexp.MustCompile(`/specifications/(.+/)?[^/]+\.gemspec$`)
)

var metadataRules = []metadataRule{
	{ecosystem: EcosystemPyPI, matches: isPythonMetadata, lenient: lenientPythonMetadata},
	{ecosystem: EcosystemMaven, matches: func(p string) bool {
		for _, s := range jarSuffixes {
			if strings.HasSuffix(strings.ToLower(p), s) {
				return true
			}
		}
		return false
	}, lenient: lenientJar, archive: true},
	{ecosystem: EcosystemGo, executable: true, archive: true, lenient: lenientGoBinary},
	{ecosystem: EcosystemNuGet, matches: func(p string) bool { return strings.HasSuffix(p, ".deps.json") }, lenient: lenientDepsJSON},
	{ecosystem: EcosystemRubyGems, matches: gemspecRe.MatchString, lenient: lenientGemspec},
}

func isPythonMetadata(p string) bool {
	dir, base := path.Dir(p), path.Base(p)
	ld := strings.ToLower(dir)
	switch {
	case base == "METADATA" && strings.HasSuffix(ld, ".dist-info"):
		return true
	case base == "PKG-INFO" && strings.HasSuffix(ld, ".egg-info"):
		return true
	}
	return false
}

// addRejected lists, for every metadata file of the enabled catalogers
// that syft produced no package from, the packages a lenient reading finds
// (evidence "lenient"), or fails naming the file.
func (out *SBOM) addRejected(d *artifact.Deployment, syftPkgs []pkg.Package, r *resolver) error {
	covered := map[string]bool{}
	for _, p := range syftPkgs {
		for _, l := range p.Locations.ToSlice() {
			covered[l.RealPath] = true
		}
	}
	r.mimeOnce.Do(r.sniffExecutables)
	for _, f := range d.Files() {
		if f.IsSymlink() || covered[f.Path] {
			continue
		}
		for _, rule := range metadataRules {
			if rule.executable {
				if _, ok := r.mime[f.Path]; !ok {
					continue
				}
			} else if !rule.matches(f.Path) {
				continue
			}
			b, err := readRejected(d, r, f, rule)
			if err != nil {
				return err
			}
			pkgs, err := rule.lenient(b, f.Path)
			if err != nil {
				return inputError(d, f, fmt.Sprintf("%s metadata that syft could not read cannot be read for name and version either", rule.ecosystem), err)
			}
			for _, p := range pkgs {
				p.Ecosystem, p.Evidence, p.Loaded, p.Origin = rule.ecosystem, EvidenceLenient, true, f.Origin()
				if len(p.Paths) == 0 {
					p.Paths = []string{f.Path}
				}
				if rule.ecosystem == EcosystemPyPI {
					p.Paths = []string{pythonMetadataDir(f.Path)}
				}
				out.addPackage(p, f.Path, f.Path)
			}
		}
	}
	return nil
}

// maxArchiveRead bounds a jar or executable read whole by a lenient reader.
const maxArchiveRead = 256 << 20

// readRejected reads a metadata file (capped at maxMetadataSize), or a jar
// or executable whole (capped at maxArchiveRead; executables through the
// binary cache syft's Go cataloger filled).
func readRejected(d *artifact.Deployment, r *resolver, f *artifact.File, rule metadataRule) ([]byte, error) {
	if !rule.archive {
		return readMetadata(d, f.Path)
	}
	if f.Size > maxArchiveRead {
		return nil, inputError(d, f, fmt.Sprintf("syft read no package from this %d-byte file, and it is larger than fnaudit reads itself (%d)", f.Size, maxArchiveRead), nil)
	}
	rc, err := r.FileContentsByLocation(r.location(f.Path, f, f.Path))
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxArchiveRead+1))
	if err != nil {
		return nil, inputError(d, f, "read file", err)
	}
	return b, nil
}

// lenientPythonMetadata reads Name and Version from METADATA / PKG-INFO
// headers, case-insensitively as Python's email parser does, else from the
// folder name (<name>-<version>.dist-info).
func lenientPythonMetadata(b []byte, p string) ([]Package, error) {
	var name, version string
	sc := bufio.NewScanner(bytes.NewReader(stripBOM(b)))
	sc.Buffer(make([]byte, 0, 64<<10), maxMetadataSize)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			break // the body (long description) starts
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "name":
			name = cmp.Or(name, strings.TrimSpace(v))
		case "version":
			version = cmp.Or(version, strings.TrimSpace(v))
		}
	}
	dirName := strings.TrimSuffix(strings.TrimSuffix(path.Base(path.Dir(p)), ".dist-info"), ".egg-info")
	if n, v, ok := strings.Cut(dirName, "-"); ok {
		name, version = cmp.Or(name, n), cmp.Or(version, v)
	}
	if name == "" {
		return nil, fmt.Errorf("no Name header and no <name>-<version> folder name")
	}
	return []Package{{Name: name, Version: version}}, nil
}

// lenientJar reads every META-INF/maven/**/pom.properties of a jar.
func lenientJar(b []byte, _ string) ([]Package, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	var out []Package
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "META-INF/maven/") || path.Base(zf.Name) != "pom.properties" || zf.UncompressedSize64 > maxMetadataSize {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", zf.Name, err)
		}
		props, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", zf.Name, err)
		}
		kv := map[string]string{}
		for _, line := range strings.Split(string(props), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || line[0] == '#' || line[0] == '!' {
				continue
			}
			if k, v, ok := strings.Cut(line, "="); ok {
				kv[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
		if kv["groupId"] == "" || kv["artifactId"] == "" {
			return nil, fmt.Errorf("%s names no groupId and artifactId", zf.Name)
		}
		out = append(out, Package{Name: kv["groupId"] + ":" + kv["artifactId"], Version: kv["version"]})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no META-INF/maven/**/pom.properties names its Maven coordinates")
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// lenientGoBinary reads a Go executable's module list with the standard
// library. An executable that is not Go holds no Go package.
func lenientGoBinary(b []byte, _ string) ([]Package, error) {
	if !bytes.Contains(b, []byte("\xff Go buildinf:")) {
		return nil, nil
	}
	bi, err := buildinfo.Read(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	var out []Package
	for _, m := range bi.Deps {
		if m.Replace != nil {
			m = m.Replace
		}
		out = append(out, Package{Name: m.Path, Version: m.Version})
	}
	return out, nil
}

// lenientDepsJSON reads the "package" libraries of a .NET deps.json
// ("Name/Version" keys).
func lenientDepsJSON(b []byte, _ string) ([]Package, error) {
	var deps struct {
		Libraries map[string]struct {
			Type string `json:"type"`
		} `json:"libraries"`
	}
	if err := json.Unmarshal(stripBOM(b), &deps); err != nil {
		return nil, err
	}
	var out []Package
	for key, lib := range deps.Libraries {
		if !strings.EqualFold(lib.Type, "package") {
			continue
		}
		name, version, _ := strings.Cut(key, "/")
		out = append(out, Package{Name: name, Version: version})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

var (
	gemNameRe    = regexp.MustCompile(`(?m)^\s*\w+\.name\s*=\s*(?:["']([^"']+)["']|%q\{([^}]+)\})`)
	gemVersionRe = regexp.MustCompile(`(?m)^\s*\w+\.version\s*=\s*(?:["']([^"']+)["']|%q\{([^}]+)\})`)
)

// lenientGemspec reads s.name / s.version, else the file name
// (<name>-<version>.gemspec, the version being the last dash-separated part).
func lenientGemspec(b []byte, p string) ([]Package, error) {
	var name, version string
	if m := gemNameRe.FindSubmatch(b); m != nil {
		name = string(m[1]) + string(m[2])
	}
	if m := gemVersionRe.FindSubmatch(b); m != nil {
		version = string(m[1]) + string(m[2])
	}
	base := strings.TrimSuffix(path.Base(p), ".gemspec")
	if i := strings.LastIndex(base, "-"); i > 0 {
		name, version = cmp.Or(name, base[:i]), cmp.Or(version, base[i+1:])
	}
	if name == "" {
		return nil, fmt.Errorf("no name")
	}
	return []Package{{Name: name, Version: version}}, nil
}
