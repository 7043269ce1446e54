package jsbundle

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"gopkg.in/yaml.v3"
)

// lockNames are the lockfiles read for versions, in order of precedence
// within one folder (npm uses a shrinkwrap over a package-lock).
var lockNames = []string{"npm-shrinkwrap.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml"}

// lockIndex is one lockfile reduced to what versions a bundle needs.
//
// Why not syft's parsers: syft v1.57.0 exposes its JavaScript lockfile
// parsing only as catalogers over a file.Resolver, and its package-lock
// reader keeps the name from each "packages" key but drops the key itself,
// so node_modules/a/node_modules/b can no longer be told from
// node_modules/b. The formats are read here with encoding/json and yaml.v3.
type lockIndex struct {
	path string
	// byKey: package-lock "packages" keys (v2/v3) or the same paths built
	// from v1's nested "dependencies"; exact, so the only lookup for npm.
	byKey map[string]string
	// byName: yarn.lock and pnpm-lock.yaml, which name no install path; a
	// version is used only when the name has exactly one.
	byName map[string]map[string]bool
}

// version is the locked version of m, or "".
func (l *lockIndex) version(m module) string {
	if l == nil {
		return ""
	}
	if l.byKey != nil {
		return l.byKey[m.key]
	}
	if vs := l.byName[m.name]; len(vs) == 1 {
		for v := range vs {
			return v
		}
	}
	return ""
}

func parseLock(p string, b []byte) (*lockIndex, error) {
	var (
		l   *lockIndex
		err error
	)
	switch path.Base(p) {
	case "yarn.lock":
		l = parseYarnLock(b)
	case "pnpm-lock.yaml":
		l, err = parsePnpmLock(b)
	default:
		l, err = parsePackageLock(b)
	}
	if err != nil {
		return nil, fmt.Errorf("lockfile %s: %w", p, err)
	}
	l.path = p
	return l, nil
}

type npmLock struct {
	LockfileVersion int                       `json:"lockfileVersion"`
	Packages        map[string]npmLockPackage `json:"packages"`
	Dependencies    map[string]npmLockV1Entry `json:"dependencies"`
}

type npmLockPackage struct {
	Version string `json:"version"`
	Link    bool   `json:"link"`
}

type npmLockV1Entry struct {
	Version      string                    `json:"version"`
	Dependencies map[string]npmLockV1Entry `json:"dependencies"`
}

func parsePackageLock(b []byte) (*lockIndex, error) {
	var lock npmLock
	if err := json.Unmarshal(b, &lock); err != nil {
		return nil, err
	}
	l := &lockIndex{byKey: map[string]string{}}
	if len(lock.Packages) > 0 {
		for k, e := range lock.Packages {
			if k != "" && !e.Link && e.Version != "" {
				l.byKey[k] = e.Version
			}
		}
		return l, nil
	}
	var walk func(prefix string, deps map[string]npmLockV1Entry)
	walk = func(prefix string, deps map[string]npmLockV1Entry) {
		for name, e := range deps {
			k := prefix + "node_modules/" + name
			if e.Version != "" {
				l.byKey[k] = e.Version
			}
			walk(k+"/", e.Dependencies)
		}
	}
	walk("", lock.Dependencies)
	return l, nil
}

// parseYarnLock reads yarn v1 ("name@range", version "x") and berry
// ("name@npm:range":, version: x) lockfiles.
func parseYarnLock(b []byte) *lockIndex {
	l := &lockIndex{byName: map[string]map[string]bool{}}
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case !strings.HasPrefix(line, " ") && strings.HasSuffix(line, ":"):
			names = names[:0]
			for _, spec := range strings.Split(strings.TrimSuffix(line, ":"), ",") {
				spec = strings.Trim(strings.TrimSpace(spec), `"`)
				if at := strings.LastIndex(spec, "@"); at > 0 {
					names = append(names, spec[:at])
				}
			}
		case strings.HasPrefix(line, "  version"):
			v := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "version"))
			v = strings.Trim(strings.TrimPrefix(v, ":"), ` "`)
			for _, n := range names {
				l.add(n, v)
			}
		}
	}
	return l
}

// parsePnpmLock reads the package keys of pnpm-lock.yaml v5
// (/name/1.0.0), v6 (/name@1.0.0) and v9 (name@1.0.0), peer suffixes
// ("_peer@2" or "(peer@2)") dropped.
func parsePnpmLock(b []byte) (*lockIndex, error) {
	var lock struct {
		Packages map[string]yaml.Node `yaml:"packages"`
	}
	if err := yaml.Unmarshal(b, &lock); err != nil {
		return nil, err
	}
	l := &lockIndex{byName: map[string]map[string]bool{}}
	for k := range lock.Packages {
		if name, v := pnpmKey(k); name != "" && v != "" {
			l.add(name, v)
		}
	}
	return l, nil
}

func (l *lockIndex) add(name, version string) {
	if l.byName[name] == nil {
		l.byName[name] = map[string]bool{}
	}
	l.byName[name][version] = true
}

// pnpmKey splits a pnpm-lock package key into name and version.
func pnpmKey(k string) (name, version string) {
	k = strings.TrimPrefix(k, "/")
	scope := ""
	if strings.HasPrefix(k, "@") {
		sc, rest, ok := strings.Cut(k, "/")
		if !ok {
			return "", ""
		}
		scope, k = sc+"/", rest
	}
	sl, at := strings.IndexByte(k, '/'), strings.IndexByte(k, '@')
	switch {
	case sl > 0 && (at < 0 || sl < at): // v5: name/1.0.0_peer@2
		name, version = k[:sl], k[sl+1:]
	case at > 0: // v6, v9: name@1.0.0(peer@2)
		name, version = k[:at], k[at+1:]
	default:
		return "", ""
	}
	if i := strings.IndexAny(version, "_("); i >= 0 {
		version = version[:i]
	}
	return scope + name, version
}
