package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// pypiProject holds the fields of PyPI's JSON API answer
// (/pypi/<project>/json) that say what the index thinks of each release.
type pypiProject struct {
	Info struct {
		Name string `json:"name"`
	} `json:"info"`
	Releases map[string][]struct {
		Yanked       bool    `json:"yanked"`
		YankedReason *string `json:"yanked_reason"`
	} `json:"releases"`
}

func (c *client) pypi(ctx context.Context, name string, prev *Package) (*Package, error) {
	a, err := c.get(ctx, c.endpoint(PyPI, "pypi/"+url.PathEscape(normalizeName(PyPI, name))+"/json"), "application/json", etagOf(prev))
	if err != nil {
		return nil, err
	}
	switch {
	case a.notModified:
		return c.reuse(prev), nil
	case a.status == http.StatusNotFound:
		// PyPI answers 404 for a project it never had and for one it
		// removed: the two cannot be told apart from the API.
		return &Package{FetchedAt: c.now().UTC()}, nil
	}
	p, err := parsePyPI(a.body)
	if err != nil {
		return nil, err
	}
	p.FetchedAt, p.ETag = c.now().UTC(), a.etag
	return p, nil
}

// parsePyPI reads a project's JSON. A release is yanked when it has files
// and every one of them is yanked (PEP 592 yanks files; PyPI yanks whole
// releases). A release listed without files says nothing either way.
func parsePyPI(body []byte) (*Package, error) {
	var doc pypiProject
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("not a PyPI JSON API answer: %w", err)
	}
	if doc.Releases == nil {
		return nil, fmt.Errorf("not a PyPI JSON API answer: no releases")
	}
	p := &Package{Known: true, Notes: map[string]Note{}}
	for v, files := range doc.Releases {
		p.Versions = append(p.Versions, v)
		if len(files) == 0 {
			continue
		}
		yanked, reason := true, ""
		for _, f := range files {
			yanked = yanked && f.Yanked
			if f.YankedReason != nil && reason == "" {
				reason = strings.TrimSpace(*f.YankedReason)
			}
		}
		if yanked {
			msg := "PyPI yanked this release"
			if reason != "" {
				msg += ": " + reason
			}
			p.Notes[v] = Note{Status: Yanked, Message: msg}
		}
	}
	sortVersions(p.Versions)
	if len(doc.Releases) == 0 {
		p.TakenDown = &Note{Status: TakenDown, Message: "PyPI lists no release of this project any more (every release was removed)"}
	}
	if len(p.Notes) == 0 {
		p.Notes = nil
	}
	return p, nil
}
