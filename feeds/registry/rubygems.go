package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// rubygemsVersion is one entry of /api/v1/versions/<gem>.json. The API
// lists the versions rubygems.org serves; a yanked version is left out.
type rubygemsVersion struct {
	Number   string `json:"number"`
	Platform string `json:"platform"`
}

func (c *client) rubygems(ctx context.Context, name string, prev *Package) (*Package, error) {
	a, err := c.get(ctx, c.endpoint(RubyGems, "api/v1/versions/"+url.PathEscape(name)+".json"), "application/json", etagOf(prev))
	if err != nil {
		return nil, err
	}
	switch {
	case a.notModified:
		return c.reuse(prev), nil
	case a.status == http.StatusNotFound:
		// Also the answer for a gem whose every version was yanked.
		return &Package{FetchedAt: c.now().UTC()}, nil
	}
	p, err := parseRubyGems(a.body)
	if err != nil {
		return nil, err
	}
	p.FetchedAt, p.ETag = c.now().UTC(), a.etag
	return p, nil
}

func parseRubyGems(body []byte) (*Package, error) {
	var doc []rubygemsVersion
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("not a RubyGems versions answer: %w", err)
	}
	p := &Package{Known: true}
	seen := map[string]bool{}
	for _, v := range doc {
		if v.Number == "" {
			return nil, fmt.Errorf("not a RubyGems versions answer: a version without a number")
		}
		if !seen[v.Number] { // one entry per platform
			seen[v.Number] = true
			p.Versions = append(p.Versions, v.Number)
		}
	}
	sortVersions(p.Versions)
	if len(p.Versions) == 0 {
		p.TakenDown = &Note{Status: TakenDown, Message: "rubygems.org lists no version of this gem any more (every version was yanked)"}
	}
	return p, nil
}
