package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// NuGet's registration API (RegistrationsBaseUrl): an index per package
// id, whose pages either carry their leaves inline or are fetched by their
// @id (https://learn.microsoft.com/nuget/api/registration-base-url-resource).
type nugetIndex struct {
	Items []nugetPage `json:"items"`
}

type nugetPage struct {
	ID    string      `json:"@id"`
	Items []nugetLeaf `json:"items"`
}

type nugetLeaf struct {
	CatalogEntry struct {
		Version string `json:"version"`
		// Listed is absent on older entries: absent means listed.
		Listed      *bool `json:"listed"`
		Deprecation *struct {
			Reasons          []string `json:"reasons"`
			Message          string   `json:"message"`
			AlternatePackage *struct {
				ID    string `json:"id"`
				Range string `json:"range"`
			} `json:"alternatePackage"`
		} `json:"deprecation"`
	} `json:"catalogEntry"`
}

// nugetMaxPages bounds the pages of one package fetched (nuget.org pages
// hold 64 versions each).
const nugetMaxPages = 1000

func (c *client) nuget(ctx context.Context, id string, prev *Package) (*Package, error) {
	a, err := c.get(ctx, c.endpoint(NuGet, url.PathEscape(strings.ToLower(id))+"/index.json"), "application/json", etagOf(prev))
	if err != nil {
		return nil, err
	}
	switch {
	case a.notModified:
		return c.reuse(prev), nil
	case a.status == http.StatusNotFound:
		return &Package{FetchedAt: c.now().UTC()}, nil
	}
	var idx nugetIndex
	if err := json.Unmarshal(a.body, &idx); err != nil {
		return nil, fmt.Errorf("not a NuGet registration index: %w", err)
	}
	if len(idx.Items) > nugetMaxPages {
		return nil, fmt.Errorf("registration index has %d pages, more than %d", len(idx.Items), nugetMaxPages)
	}
	var leaves []nugetLeaf
	for _, pg := range idx.Items {
		if pg.Items != nil {
			leaves = append(leaves, pg.Items...)
			continue
		}
		u, err := c.sameRegistry(NuGet, pg.ID)
		if err != nil {
			return nil, fmt.Errorf("registration page %q: %w", pg.ID, err)
		}
		pa, err := c.get(ctx, u, "application/json", "")
		if err != nil {
			return nil, err
		}
		if pa.status != http.StatusOK {
			return nil, fmt.Errorf("registration page %s: not found", u)
		}
		var page nugetPage
		if err := json.Unmarshal(pa.body, &page); err != nil {
			return nil, fmt.Errorf("registration page %s: %w", u, err)
		}
		leaves = append(leaves, page.Items...)
	}
	p, err := nugetPackage(leaves)
	if err != nil {
		return nil, err
	}
	p.FetchedAt, p.ETag = c.now().UTC(), a.etag
	return p, nil
}

// sameRegistry resolves a URL the registry gave and refuses one on another
// host: a registry answer must not send fnaudit elsewhere.
func (c *client) sameRegistry(eco, ref string) (string, error) {
	base := c.base[eco]
	u, err := base.Parse(ref)
	if err != nil {
		return "", err
	}
	if u.Scheme != base.Scheme || u.Host != base.Host {
		return "", fmt.Errorf("on another host than the registry %s", base.Host)
	}
	u.Fragment = ""
	return u.String(), nil
}

func nugetPackage(leaves []nugetLeaf) (*Package, error) {
	p := &Package{Known: true, Notes: map[string]Note{}}
	for _, l := range leaves {
		e := l.CatalogEntry
		if e.Version == "" {
			return nil, fmt.Errorf("registration leaf without a version")
		}
		p.Versions = append(p.Versions, e.Version)
		var dep string
		if d := e.Deprecation; d != nil {
			dep = "deprecated"
			if len(d.Reasons) > 0 {
				dep += " (" + strings.Join(d.Reasons, ", ") + ")"
			}
			if d.Message != "" {
				dep += ": " + strings.TrimSpace(d.Message)
			}
			if d.AlternatePackage != nil && d.AlternatePackage.ID != "" {
				dep += "; alternative: " + d.AlternatePackage.ID
				if d.AlternatePackage.Range != "" {
					dep += " " + d.AlternatePackage.Range
				}
			}
		}
		switch {
		case e.Listed != nil && !*e.Listed:
			msg := "unlisted on NuGet (hidden from search and new installs)"
			if dep != "" {
				msg += "; " + dep
			}
			p.Notes[e.Version] = Note{Status: Unlisted, Message: msg}
		case dep != "":
			p.Notes[e.Version] = Note{Status: Deprecated, Message: dep}
		}
	}
	sortVersions(p.Versions)
	if len(p.Versions) == 0 {
		p.TakenDown = &Note{Status: TakenDown, Message: "NuGet lists no version of this package any more"}
	}
	if len(p.Notes) == 0 {
		p.Notes = nil
	}
	return p, nil
}
