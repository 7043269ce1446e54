package jsbundle

import (
	"bytes"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
)

// longLine is the line length past which a .js file is taken for minified
// output (hand-written code stays far below it).
const longLine = 1000

// Catalog finds the packages bundled into the JavaScript files of fsys.
// Every bundle it cannot see into is in Result.Bundles with Identified
// false. An unreadable or oversized bundle, map or lockfile is an error
// naming the file.
func Catalog(fsys FS, lim Limits) (Result, error) {
	c := &cataloger{fsys: fsys, lim: lim, locks: map[string]*lockIndex{}}
	paths := append([]string(nil), fsys.Paths()...)
	sort.Strings(paths)
	var res Result
	usedLocks := map[string]bool{}
	for _, p := range paths {
		if !isScript(p) {
			continue
		}
		b, pkgs, lock, ok, err := c.bundle(p)
		if err != nil {
			return Result{}, err
		}
		if !ok {
			continue
		}
		if lock != nil && !usedLocks[lock.path] {
			usedLocks[lock.path] = true
			res.Lockfiles = append(res.Lockfiles, lock.path)
		}
		res.Bundles = append(res.Bundles, b)
		res.Packages = append(res.Packages, pkgs...)
	}
	return res, nil
}

// isScript: JavaScript outside node_modules (files there are installed
// packages' own, which the installed-package catalogers list).
func isScript(p string) bool {
	switch path.Ext(p) {
	case ".js", ".mjs", ".cjs":
	default:
		return false
	}
	return !strings.Contains(p, "/node_modules/") && !strings.HasPrefix(p, "node_modules/")
}

type cataloger struct {
	fsys  FS
	lim   Limits
	locks map[string]*lockIndex // by folder; nil entry: none there or above
}

// bundle reads one script; ok is false when it is not a bundle.
func (c *cataloger) bundle(p string) (Bundle, []Package, *lockIndex, bool, error) {
	content, err := c.read(p, c.lim.MaxBundleBytes, "bundle")
	if err != nil {
		return Bundle{}, nil, nil, false, err
	}
	b := Bundle{Path: p}
	var mods []module
	evidence := map[string]string{} // module key -> evidence
	add := func(sources []string, ev string) {
		for _, s := range sources {
			m, ok := moduleOf(s)
			if !ok {
				continue
			}
			if _, seen := evidence[m.key]; !seen {
				evidence[m.key] = ev
				mods = append(mods, m)
			}
		}
	}
	ref, err := findMap(c.fsys, p, content)
	if err != nil {
		return Bundle{}, nil, nil, false, err
	}
	if ref.inline != nil || ref.path != "" {
		raw, name := ref.inline, "inline in "+p
		b.MapPath = "inline"
		if ref.path != "" {
			if raw, err = c.read(ref.path, c.lim.MaxMapBytes, "source map"); err != nil {
				return Bundle{}, nil, nil, false, err
			}
			name, b.MapPath = ref.path, ref.path
		}
		sources, err := mapSources(name, raw)
		if err != nil {
			return Bundle{}, nil, nil, false, err
		}
		add(sources, EvidenceSourceMap)
		b.Identified = true
	}
	comments := commentSources(content)
	add(comments, EvidenceBundleComment)
	if len(comments) > 0 {
		b.Identified = true
	}
	if !b.Identified && !bundlerMarkers.Match(content) && !hasLongLine(content) {
		return Bundle{}, nil, nil, false, nil // hand-written code, not a bundle
	}
	lock, err := c.lockFor(path.Dir(p))
	if err != nil {
		return Bundle{}, nil, nil, false, err
	}
	pkgs := resolve(p, mods, evidence, lock, banners(content))
	b.Packages = len(pkgs)
	return b, pkgs, lock, true, nil
}

// resolve gives each module its version (its own path, then the lockfile,
// then a banner) and adds what banners name beyond the modules.
func resolve(bundlePath string, mods []module, evidence map[string]string, lock *lockIndex, bans []banner) []Package {
	keysByName := map[string]int{}
	for _, m := range mods {
		keysByName[m.name]++
	}
	bannerVersions := map[string][]string{}
	for _, bn := range bans {
		bannerVersions[bn.name] = append(bannerVersions[bn.name], bn.version)
	}
	seen := map[[3]string]bool{}
	var out []Package
	emit := func(p Package) {
		k := [3]string{p.Name, p.Version, p.ModulePath}
		if !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	named := map[string]bool{}
	for _, m := range mods {
		named[m.name] = true
		p := Package{Name: m.name, Evidence: evidence[m.key], BundlePath: bundlePath, ModulePath: m.key}
		switch {
		case m.version != "":
			p.Version, p.VersionEvidence = m.version, "pnpm-path"
		case lock.version(m) != "":
			p.Version, p.VersionEvidence = lock.version(m), EvidenceLockfile
		case keysByName[m.name] == 1 && len(bannerVersions[m.name]) == 1:
			p.Version, p.VersionEvidence = bannerVersions[m.name][0], EvidenceBanner
		}
		emit(p)
		// The bundle's own text outranks a lockfile that may be stale: a
		// banner disagreeing with the locked version is listed as well.
		if keysByName[m.name] == 1 && p.VersionEvidence != EvidenceBanner {
			for _, v := range bannerVersions[m.name] {
				if v != p.Version {
					emit(Package{Name: m.name, Version: v, Evidence: EvidenceBanner, VersionEvidence: EvidenceBanner, BundlePath: bundlePath, ModulePath: m.key})
				}
			}
		}
	}
	for _, bn := range bans {
		if !named[bn.name] {
			emit(Package{Name: bn.name, Version: bn.version, Evidence: EvidenceBanner, VersionEvidence: EvidenceBanner, BundlePath: bundlePath})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.ModulePath != b.ModulePath {
			return a.ModulePath < b.ModulePath
		}
		return a.Version < b.Version
	})
	return out
}

// lockFor returns the lockfile nearest to dir (dir, then its parents).
func (c *cataloger) lockFor(dir string) (*lockIndex, error) {
	if l, ok := c.locks[dir]; ok {
		return l, nil
	}
	var l *lockIndex
	for _, name := range lockNames {
		p := path.Join(dir, name)
		if _, ok := c.fsys.Size(p); !ok {
			continue
		}
		raw, err := c.read(p, c.lim.MaxLockBytes, "lockfile")
		if err != nil {
			return nil, err
		}
		if l, err = parseLock(p, raw); err != nil {
			return nil, err
		}
		break
	}
	if l == nil && dir != "/" && dir != "." && dir != "" {
		var err error
		if l, err = c.lockFor(path.Dir(dir)); err != nil {
			return nil, err
		}
	}
	c.locks[dir] = l
	return l, nil
}

// read returns a file's content, refusing one over max bytes.
func (c *cataloger) read(p string, max int64, what string) ([]byte, error) {
	if size, ok := c.fsys.Size(p); ok && max > 0 && size > max {
		return nil, fmt.Errorf("%s %s: %d bytes, over the %d-byte limit", what, p, size, max)
	}
	rc, err := c.fsys.Open(p)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, p, err)
	}
	defer rc.Close()
	r := io.Reader(rc)
	if max > 0 {
		r = io.LimitReader(rc, max+1)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, p, err)
	}
	if max > 0 && int64(len(b)) > max {
		return nil, fmt.Errorf("%s %s: over the %d-byte limit", what, p, max)
	}
	return b, nil
}

func hasLongLine(b []byte) bool {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return len(b) > longLine
		}
		if i > longLine {
			return true
		}
		b = b[i+1:]
	}
	return false
}
