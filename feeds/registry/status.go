// Package registry asks package registries what they say today about the
// packages a function ships: a version npm unpublished, a package replaced
// by a security holding package, a PyPI or RubyGems release yanked, a Go
// version retracted, a NuGet version unlisted or deprecated. Registries
// often say so before (and beyond) any advisory.
//
// Lookup fetches the registries' answers into a Snapshot (cached in the
// advisory database by Save, read back offline by Load); Assess turns a
// snapshot and the deployed (ecosystem, name, version) coordinates into
// findings. Neither decides pass or fail: that is policy's job.
package registry

import (
	"sort"
	"strings"
	"time"

	"github.com/google/osv-scalibr/semantic"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// Ecosystem names, as OSV spells them (the advisory store's spelling).
const (
	NPM      = "npm"
	PyPI     = "PyPI"
	Go       = "Go"
	NuGet    = "NuGet"
	RubyGems = "RubyGems"
)

// Ecosystems lists the ecosystems whose registries Lookup can ask.
var Ecosystems = []string{NPM, PyPI, Go, NuGet, RubyGems}

// CanonicalEcosystem maps the spellings users and SBOMs use ("pypi",
// "golang", "gem") to the ecosystem's name, and reports whether Lookup
// supports it.
func CanonicalEcosystem(s string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "npm":
		return NPM, true
	case "pypi", "pip", "python":
		return PyPI, true
	case "go", "golang":
		return Go, true
	case "nuget":
		return NuGet, true
	case "rubygems", "gem", "gems":
		return RubyGems, true
	}
	return s, false
}

// Status is what a registry says about one deployed version.
type Status string

const (
	// StatusNone: the registry lists the version and says nothing against it.
	StatusNone Status = ""
	// TakenDown: every version of the package was removed, or the package
	// was replaced by a security holding package (npm's 0.0.1-security).
	TakenDown Status = "taken-down"
	// Unpublished: the package exists but this version is no longer in the
	// registry's list (npm, PyPI, NuGet).
	Unpublished Status = "unpublished"
	// Yanked: PyPI (PEP 592, every file of the release yanked) or RubyGems
	// (the version is missing from the gem's version list).
	Yanked Status = "yanked"
	// Retracted: a retract directive in the module's latest go.mod covers
	// the version, or the Go module proxy no longer lists it.
	Retracted Status = "retracted"
	// Unlisted: NuGet's listed=false (hidden from search and from new
	// resolution, still restorable), NuGet's equivalent of a yank.
	Unlisted Status = "unlisted"
	// Deprecated: npm's deprecated message, NuGet's deprecation. A note,
	// never a failure.
	Deprecated Status = "deprecated"
	// Unknown: the registry does not know the package (HTTP 404: a private
	// package, or one the registry never had). Never a finding.
	Unknown Status = "unknown"
)

// Coord is one deployed package version.
type Coord struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	Version   string `json:"version"`
}

// Note is what a registry states about a version or a package, and since
// when when it states a date.
type Note struct {
	Status  Status    `json:"status"`
	Message string    `json:"message,omitempty"`
	Since   time.Time `json:"since,omitzero"`
}

// Retraction is one Go retract directive: [Low, High] inclusive.
type Retraction struct {
	Low       string `json:"low"`
	High      string `json:"high"`
	Rationale string `json:"rationale,omitempty"`
}

// Package is one registry answer, reduced to what Assess needs. It is what
// the advisory database caches (as JSON), so its fields are stable.
type Package struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"` // as asked
	// Known is false when the registry answered 404 (or 410): it never knew
	// the package, or does not serve it (a private package).
	Known     bool      `json:"known"`
	FetchedAt time.Time `json:"fetched_at"`
	ETag      string    `json:"etag,omitempty"`
	// Versions are the versions the registry lists today, yanked,
	// unlisted and deprecated ones included.
	Versions []string `json:"versions,omitempty"`
	// Notes holds what the registry says about some listed versions.
	Notes map[string]Note `json:"notes,omitempty"`
	// TakenDown is set when the whole package was removed or replaced.
	TakenDown *Note `json:"taken_down,omitempty"`
	// Retractions are the Go retract directives of the latest go.mod.
	Retractions []Retraction `json:"retractions,omitempty"`
	// Latest is the Go version whose go.mod gave Retractions.
	Latest string `json:"latest,omitempty"`
}

// Snapshot is a set of registry answers keyed by Key(ecosystem, name).
type Snapshot struct {
	Packages map[string]*Package `json:"packages"`
}

// Key is a snapshot's key for a package: the ecosystem and the name as the
// registry compares names (npm is case-sensitive, PyPI folds case and runs
// of "-_.", NuGet folds case, Go module paths and gem names are exact).
func Key(ecosystem, name string) string {
	eco, _ := CanonicalEcosystem(ecosystem)
	return eco + "\x00" + normalizeName(eco, name)
}

func normalizeName(eco, name string) string {
	name = strings.TrimSpace(name)
	switch eco {
	case PyPI:
		var b strings.Builder
		sep := false
		for _, r := range strings.ToLower(name) {
			if r == '-' || r == '_' || r == '.' {
				sep = true
				continue
			}
			if sep && b.Len() > 0 {
				b.WriteByte('-')
			}
			sep = false
			b.WriteRune(r)
		}
		return b.String()
	case NuGet:
		return strings.ToLower(name)
	}
	return name
}

// Get returns the answer for a package, or nil when the snapshot has none.
func (s Snapshot) Get(ecosystem, name string) *Package {
	if s.Packages == nil {
		return nil
	}
	return s.Packages[Key(ecosystem, name)]
}

func (s *Snapshot) put(p *Package) {
	if s.Packages == nil {
		s.Packages = map[string]*Package{}
	}
	s.Packages[Key(p.Ecosystem, p.Name)] = p
}

// Finding is one deployed version about which its registry says something.
type Finding struct {
	Ecosystem string    `json:"ecosystem"`
	Name      string    `json:"name"`
	Version   string    `json:"version"`
	Status    Status    `json:"status"`
	Message   string    `json:"message,omitempty"`
	Since     time.Time `json:"since,omitzero"`
	FetchedAt time.Time `json:"fetched_at"` // when the registry said so
}

// Assess returns the findings for coords against snap, sorted by
// ecosystem, name, version. A coordinate whose package the snapshot does
// not hold, or whose registry does not know the package, gives none (see
// Unchecked for the former). Ecosystems Lookup does not support give none.
func Assess(snap Snapshot, coords []Coord) []Finding {
	var out []Finding
	seen := map[Coord]bool{}
	for _, c := range coords {
		eco, ok := CanonicalEcosystem(c.Ecosystem)
		if !ok {
			continue
		}
		c.Ecosystem = eco
		if seen[c] {
			continue
		}
		seen[c] = true
		p := snap.Get(eco, c.Name)
		if p == nil {
			continue
		}
		n := p.status(c.Version)
		if n.Status == StatusNone || n.Status == Unknown {
			continue
		}
		out = append(out, Finding{Ecosystem: eco, Name: c.Name, Version: c.Version,
			Status: n.Status, Message: n.Message, Since: n.Since, FetchedAt: p.FetchedAt})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Ecosystem != b.Ecosystem {
			return a.Ecosystem < b.Ecosystem
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Version < b.Version
	})
	return out
}

// Unchecked returns the coordinates of supported ecosystems whose package
// the snapshot holds no answer for: a scan that relies on the snapshot
// should say it could not check them.
func Unchecked(snap Snapshot, coords []Coord) []Coord {
	var out []Coord
	seen := map[string]bool{}
	for _, c := range coords {
		eco, ok := CanonicalEcosystem(c.Ecosystem)
		if !ok {
			continue
		}
		k := Key(eco, c.Name)
		if snap.Get(eco, c.Name) == nil && !seen[k] {
			seen[k] = true
			c.Ecosystem = eco
			out = append(out, c)
		}
	}
	return out
}

// OldestFetch is the oldest fetch time among the answers coords use (zero
// when none): the age a scan should compare with its maximum.
func OldestFetch(snap Snapshot, coords []Coord) time.Time {
	var oldest time.Time
	for _, c := range coords {
		if p := snap.Get(c.Ecosystem, c.Name); p != nil && (oldest.IsZero() || p.FetchedAt.Before(oldest)) {
			oldest = p.FetchedAt
		}
	}
	return oldest
}

// Status returns what the registry says about one version of p.
func (p *Package) status(version string) Note {
	if !p.Known {
		return Note{Status: Unknown}
	}
	if p.TakenDown != nil {
		return *p.TakenDown
	}
	if p.Ecosystem == Go {
		if r, ok := p.retraction(version); ok {
			msg := "retracted by the module's go.mod at " + p.Latest
			if r.Rationale != "" {
				msg += ": " + r.Rationale
			}
			return Note{Status: Retracted, Message: msg}
		}
	}
	listed, ok := p.find(version)
	if ok {
		return p.Notes[listed] // zero Note (StatusNone) when nothing is said
	}
	switch p.Ecosystem {
	case Go:
		if !semver.IsValid(version) || module.IsPseudoVersion(version) {
			// "(devel)" (a main module built from a checkout) is no
			// release; pseudo-versions name commits, which the proxy
			// never lists.
			return Note{}
		}
		return Note{Status: Retracted, Message: "the Go module proxy no longer lists this version"}
	case RubyGems:
		return Note{Status: Yanked, Message: "the version is no longer in the gem's version list (yanked)"}
	}
	return Note{Status: Unpublished, Message: "the version is no longer in the registry's version list (unpublished or deleted)"}
}

// find returns the listed version equal to v: the same string, or, for
// ecosystems whose versions have several spellings (PyPI's "1.0" and
// "1.0.0", NuGet's case and trailing zeros), an equal version.
func (p *Package) find(v string) (string, bool) {
	for _, l := range p.Versions {
		if l == v {
			return l, true
		}
	}
	switch p.Ecosystem {
	case PyPI, NuGet, RubyGems:
		pv, err := semantic.Parse(v, p.Ecosystem)
		if err != nil {
			return "", false
		}
		for _, l := range p.Versions {
			if c, err := pv.CompareStr(l); err == nil && c == 0 {
				return l, true
			}
		}
	case Go:
		// The proxy lists canonical semver; a deployed "v1.2" is "v1.2.0".
		if cv := semver.Canonical(v); cv != "" && semver.Build(v) == "" {
			for _, l := range p.Versions {
				if l == cv {
					return l, true
				}
			}
		}
	}
	return "", false
}

func (p *Package) retraction(v string) (Retraction, bool) {
	if !semver.IsValid(v) {
		return Retraction{}, false
	}
	for _, r := range p.Retractions {
		if semver.Compare(r.Low, v) <= 0 && semver.Compare(v, r.High) <= 0 {
			return r, true
		}
	}
	return Retraction{}, false
}
