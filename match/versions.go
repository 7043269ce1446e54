package match

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/osv-scalibr/semantic"
	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"golang.org/x/mod/semver"
)

// errNoVersion: the package's version is unknown or not a version of its
// ecosystem, and the record's ranges need one to be decided.
var errNoVersion = errors.New("no usable version")

// GoStdlib is the OSV name of the Go standard library and toolchain.
const GoStdlib = "stdlib"

// installed is a package's version as range events compare with it.
// Parsing is lazy and per range type: SEMVER ranges order by SemVer 2.0
// whatever the ecosystem, ECOSYSTEM ranges by the ecosystem. Records are
// only compared with packages of the same base ecosystem (sameEcosystem),
// so the package's ecosystem picks the parser for both sides.
type installed struct {
	ecosystem string // the package's ecosystem, e.g. "PyPI", "Debian:12"
	raw       string // as the SBOM says
	norm      string // as OSV spells it (Go: no "v", stdlib: 1.26.8)
	valid     bool   // norm is a version of the ecosystem
	parsed    map[osvschema.Range_Type]semantic.Version
	cache     versionCache // shared by one Match call; nil: no memo
}

// versionCache memoises parsed versions within one Match call: the same
// range events are evaluated for every copy of a package, and again for
// each fixed-in candidate. Parsed versions are immutable values.
type versionCache map[versionKey]parsedVersion

type versionKey struct {
	t   osvschema.Range_Type
	eco string
	s   string
}

type parsedVersion struct {
	v   semantic.Version
	err error
}

// parse parses a range event's version for ranges of type t.
func (iv *installed) parse(t osvschema.Range_Type, s string) (semantic.Version, error) {
	if iv.cache == nil {
		return parseVersion(t, iv.ecosystem, s)
	}
	k := versionKey{t, iv.ecosystem, s}
	if p, ok := iv.cache[k]; ok {
		return p.v, p.err
	}
	v, err := parseVersion(t, iv.ecosystem, s)
	iv.cache[k] = parsedVersion{v, err}
	return v, err
}

// sibling is another version of the same package, sharing the cache.
func (iv *installed) sibling(name, version string) *installed {
	o := newInstalled(iv.ecosystem, name, version)
	o.cache = iv.cache
	return o
}

func newInstalled(ecosystem, name, version string) *installed {
	norm, valid := osvVersion(ecosystem, name, version)
	return &installed{ecosystem: ecosystem, raw: version, norm: norm, valid: valid}
}

// version returns the installed version parsed for ranges of type t.
func (iv *installed) version(t osvschema.Range_Type) (semantic.Version, error) {
	if !iv.valid {
		return nil, fmt.Errorf("version %q: %w", iv.raw, errNoVersion)
	}
	if v, ok := iv.parsed[t]; ok {
		return v, nil
	}
	v, err := iv.parse(t, iv.norm)
	if err != nil {
		return nil, fmt.Errorf("version %q: %w: %w", iv.raw, errNoVersion, err)
	}
	if iv.parsed == nil {
		iv.parsed = map[osvschema.Range_Type]semantic.Version{}
	}
	iv.parsed[t] = v
	return v, nil
}

// parseVersion parses s as a version of a range of type t in ecosystem.
func parseVersion(t osvschema.Range_Type, ecosystem, s string) (semantic.Version, error) {
	s = strings.TrimSpace(s) // as osvVersion does for the installed side
	if baseEcosystem(ecosystem) == "npm" {
		s = cleanNPM(s)
	}
	if baseEcosystem(ecosystem) == "Go" {
		// semantic's SemVer parser takes anything; Go versions are strict
		// SemVer, and anything else in a record is the record's error.
		s = strings.TrimPrefix(s, "v")
		if !semver.IsValid("v" + s) {
			return nil, fmt.Errorf("%q is not a Go module version", s)
		}
	}
	if t == osvschema.Range_SEMVER {
		return semantic.ParseSemverVersion(s), nil
	}
	return semantic.Parse(s, ecosystem)
}

// cleanNPM strips what npm's own version parser (node-semver's clean)
// strips before comparing: leading "=" and "v" ("=v5.6.1" is 5.6.1). npm
// publishes the cleaned form, so a package.json saying "v5.6.1" is 5.6.1.
// "V" is taken too: node-semver's loose mode does, and a spelling that
// escapes a malware record's version list is the worse error.
func cleanNPM(s string) string {
	return strings.TrimSpace(strings.TrimLeft(s, "=vV \t"))
}

// osvVersion turns a version as an SBOM reports it into the spelling OSV
// records use, and says whether it is a version at all. Go module versions
// carry a "v" in go.mod and build info but not in OSV; the standard library
// is reported as the toolchain tag (go1.26.8, go1.21rc2), which OSV writes
// as SemVer (1.26.8, 1.21.0-rc.2).
func osvVersion(ecosystem, name, version string) (string, bool) {
	version = strings.TrimSpace(version)
	if version == "" {
		return "", false
	}
	if baseEcosystem(ecosystem) != "Go" {
		return version, true
	}
	if name == GoStdlib {
		v, ok := goTagToSemver(version)
		return v, ok
	}
	// "(devel)" (a main module built from a checkout) and other non-SemVer
	// strings would parse as 0.0.0 pre-releases and match every range.
	v := "v" + strings.TrimPrefix(version, "v")
	if !semver.IsValid(v) {
		return version, false
	}
	return strings.TrimPrefix(v, "v"), true
}

// goTagToSemver converts a Go toolchain tag to OSV's SemVer spelling:
// go1.26.8 -> 1.26.8, go1.21 -> 1.21.0, go1.21rc2 -> 1.21.0-rc.2,
// go1.19beta1 -> 1.19.0-beta.1. Build info may append " X:exp" settings.
func goTagToSemver(tag string) (string, bool) {
	tag, _, _ = strings.Cut(strings.TrimSpace(tag), " ")
	v := strings.TrimPrefix(tag, "go")
	pre := ""
	for _, p := range []string{"rc", "beta", "alpha"} {
		if i := strings.Index(v, p); i > 0 {
			pre = "-" + p + "." + v[i+len(p):]
			v = v[:i]
			break
		}
	}
	switch strings.Count(v, ".") {
	case 0:
		v += ".0.0"
	case 1:
		v += ".0"
	}
	out := v + pre
	if !semver.IsValid("v" + out) {
		return tag, false
	}
	return out, true
}

// displayVersion spells an OSV version the way the package's version is
// spelled, for fixed-in advice: v0.38.0 for a Go module reported as
// v0.0.0-..., go1.26.6 for the standard library reported as go1.26.8.
func displayVersion(ecosystem, name, installedRaw, osv string) string {
	if baseEcosystem(ecosystem) != "Go" || osv == "" {
		return osv
	}
	if name == GoStdlib {
		if strings.HasPrefix(installedRaw, "go") {
			return "go" + osv
		}
		return osv
	}
	if strings.HasPrefix(installedRaw, "v") {
		return "v" + osv
	}
	return osv
}
