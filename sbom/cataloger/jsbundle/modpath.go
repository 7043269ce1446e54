package jsbundle

import (
	"regexp"
	"strings"
)

// module is a package a bundler read files from.
type module struct {
	name string
	// key is the package folder from the first node_modules on, the form
	// package-lock.json v2/v3 uses as its "packages" key.
	key string
	// version is set only when the path itself states it (pnpm's
	// node_modules/.pnpm/name@version/node_modules/name layout).
	version string
}

// npmName accepts what npm accepts as a package name (lower case, URL-safe,
// optional @scope/), so a stray path segment is not taken for one.
var npmName = regexp.MustCompile(`^(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$`)

// moduleOf reads the package a source path names: the text after the last
// "node_modules/" is "name/..." or "@scope/name/...". Anything before the
// first node_modules/ (a webpack:// prefix, ../../app/) is the bundler's
// working directory and is dropped. ok is false for the project's own files.
func moduleOf(source string) (module, bool) {
	source = strings.ReplaceAll(source, `\`, "/")
	i := strings.Index(source, "node_modules/")
	if i < 0 {
		return module{}, false
	}
	rest := source[i:]
	segs := strings.Split(rest, "/")
	var key []string
	var m module
	for j := 0; j < len(segs); {
		if segs[j] != "node_modules" || j+1 >= len(segs) {
			break
		}
		name := segs[j+1]
		n := 2
		if strings.HasPrefix(name, "@") {
			if j+2 >= len(segs) {
				return module{}, false
			}
			name += "/" + segs[j+2]
			n = 3
		}
		if name == ".pnpm" && j+2 < len(segs) {
			// node_modules/.pnpm/<name@version>/node_modules/<name>/...
			m.version = pnpmVersion(segs[j+2])
			key = append(key, segs[j:j+3]...)
			j += 3
			continue
		}
		if !npmName.MatchString(name) {
			return module{}, false
		}
		key = append(key, segs[j:j+n]...)
		m.name = name
		j += n
	}
	if m.name == "" {
		return module{}, false
	}
	m.key = strings.Join(key, "/")
	return m, true
}

// pnpmVersion reads the version of a .pnpm store folder name:
// "lodash@4.17.15", "@scope+name@1.2.3", "name@1.0.0_peer@2.0.0".
func pnpmVersion(dir string) string {
	at := strings.IndexByte(dir[min(1, len(dir)):], '@') + 1 // past a scope's "@"
	if at <= 0 {
		return ""
	}
	v := dir[at+1:]
	if i := strings.IndexAny(v, "_("); i >= 0 {
		v = v[:i]
	}
	return v
}
