package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// golang asks the module proxy for the module's version list and reads the
// retract directives of its latest version's go.mod, as the go command
// does (https://go.dev/ref/mod#go-mod-file-retract).
func (c *client) golang(ctx context.Context, modPath string, prev *Package) (*Package, error) {
	if module.CheckPath(modPath) != nil {
		// Not a module the proxy can serve: "stdlib" (SBOMs list the Go
		// toolchain under that name), a local replacement's path. The
		// registry cannot know it.
		return &Package{FetchedAt: c.now().UTC()}, nil
	}
	esc, err := module.EscapePath(modPath)
	if err != nil {
		return nil, fmt.Errorf("module path: %w", err)
	}
	a, err := c.get(ctx, c.endpoint(Go, esc+"/@v/list"), "text/plain", etagOf(prev))
	if err != nil {
		return nil, err
	}
	switch {
	case a.notModified:
		// Same list, same latest version; a version's go.mod never changes.
		return c.reuse(prev), nil
	case a.status == http.StatusNotFound:
		return &Package{FetchedAt: c.now().UTC()}, nil
	}
	p := &Package{Known: true, FetchedAt: c.now().UTC(), ETag: a.etag}
	p.Versions, err = parseGoList(a.body)
	if err != nil {
		return nil, err
	}
	p.Latest = latestGo(p.Versions)
	if p.Latest == "" {
		// Only pseudo-versions (never listed): ask for @latest.
		la, err := c.get(ctx, c.endpoint(Go, esc+"/@latest"), "application/json", "")
		if err != nil {
			return nil, err
		}
		if la.status == http.StatusNotFound {
			return p, nil
		}
		var info struct{ Version string }
		if err := json.Unmarshal(la.body, &info); err != nil || !semver.IsValid(info.Version) {
			return nil, fmt.Errorf("%s/@latest: not a version info answer", modPath)
		}
		p.Latest = info.Version
	}
	ev, err := module.EscapeVersion(p.Latest)
	if err != nil {
		return nil, fmt.Errorf("version %s: %w", p.Latest, err)
	}
	ma, err := c.get(ctx, c.endpoint(Go, esc+"/@v/"+ev+".mod"), "text/plain", "")
	if err != nil {
		return nil, err
	}
	if ma.status == http.StatusNotFound {
		return nil, fmt.Errorf("the proxy lists %s but has no go.mod for it", p.Latest)
	}
	p.Retractions, err = parseRetractions(modPath, p.Latest, ma.body)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// parseGoList reads an @v/list answer: one version per line.
func parseGoList(body []byte) ([]string, error) {
	var vs []string
	for _, line := range strings.Split(string(body), "\n") {
		v := strings.TrimSpace(line)
		if v == "" {
			continue
		}
		if !semver.IsValid(v) {
			return nil, fmt.Errorf("@v/list: %q is not a version", v)
		}
		vs = append(vs, v)
	}
	sortVersions(vs)
	return vs, nil
}

// latestGo picks the version whose go.mod holds the module's retractions:
// the highest release, else the highest pre-release; +incompatible
// versions only when there is no other (the go command ignores them once
// the module has a go.mod).
func latestGo(vs []string) string {
	pick := func(ok func(string) bool) string {
		best := ""
		for _, v := range vs {
			if ok(v) && (best == "" || semver.Compare(v, best) > 0) {
				best = v
			}
		}
		return best
	}
	compatible := func(v string) bool { return !strings.HasSuffix(v, "+incompatible") }
	for _, ok := range []func(string) bool{
		func(v string) bool { return compatible(v) && semver.Prerelease(v) == "" },
		func(v string) bool { return compatible(v) },
		func(v string) bool { return semver.Prerelease(v) == "" },
		func(string) bool { return true },
	} {
		if b := pick(ok); b != "" {
			return b
		}
	}
	return ""
}

// parseRetractions reads the retract directives of a go.mod.
func parseRetractions(modPath, version string, data []byte) ([]Retraction, error) {
	f, err := modfile.ParseLax(modPath+"@"+version+"/go.mod", data, nil)
	if err != nil {
		return nil, fmt.Errorf("go.mod of %s: %w", version, err)
	}
	var out []Retraction
	for _, r := range f.Retract {
		out = append(out, Retraction{Low: r.Low, High: r.High, Rationale: strings.TrimSpace(r.Rationale)})
	}
	return out, nil
}
