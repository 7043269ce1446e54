package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// npmAccept asks for the abbreviated packument, with the full document as a
// fallback for registries (and mirrors) that only serve that.
const npmAccept = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"

// npmHoldingVersion is the version npm publishes when it replaces a
// malicious package with a security holding package.
const npmHoldingVersion = "0.0.1-security"

// npmPackument holds the fields of an abbreviated or full packument that
// say what the registry thinks of the package. The abbreviated document has
// no "time"; the full one (and some mirrors) have it, with
// time.unpublished when npm unpublished the whole package.
type npmPackument struct {
	Name     string `json:"name"`
	Modified string `json:"modified"`
	Versions map[string]struct {
		// Deprecated is a message; npm documents a string, some
		// registries write true.
		Deprecated json.RawMessage `json:"deprecated"`
	} `json:"versions"`
	Time map[string]json.RawMessage `json:"time"`
}

func (c *client) npm(ctx context.Context, name string, prev *Package) (*Package, error) {
	// Scoped names keep their "@" and escape the "/": @scope%2fname.
	escaped := url.PathEscape(name)
	if strings.HasPrefix(name, "@") {
		escaped = "@" + url.PathEscape(name[1:])
	}
	a, err := c.get(ctx, c.endpoint(NPM, escaped), npmAccept, etagOf(prev))
	if err != nil {
		return nil, err
	}
	switch {
	case a.notModified:
		return c.reuse(prev), nil
	case a.status == http.StatusNotFound:
		return &Package{FetchedAt: c.now().UTC()}, nil
	}
	p, err := parseNPM(a.body)
	if err != nil {
		return nil, err
	}
	p.FetchedAt, p.ETag = c.now().UTC(), a.etag
	return p, nil
}

// parseNPM reads a packument.
func parseNPM(body []byte) (*Package, error) {
	var doc npmPackument
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("not an npm packument: %w", err)
	}
	if doc.Versions == nil && doc.Name == "" {
		return nil, fmt.Errorf("not an npm packument: no name and no versions")
	}
	p := &Package{Known: true, Notes: map[string]Note{}}
	for v, meta := range doc.Versions {
		p.Versions = append(p.Versions, v)
		if msg := npmDeprecation(meta.Deprecated); msg != "" {
			p.Notes[v] = Note{Status: Deprecated, Message: msg}
		}
	}
	sortVersions(p.Versions)
	switch {
	case len(doc.Versions) == 0:
		n := Note{Status: TakenDown, Message: "npm lists no version of this package any more (every version was removed)"}
		var un struct {
			Time string `json:"time"`
		}
		if raw, ok := doc.Time["unpublished"]; ok && json.Unmarshal(raw, &un) == nil {
			n.Since = parseTime(un.Time)
			n.Message = "npm unpublished every version of this package"
		}
		p.TakenDown = &n
	case len(doc.Versions) == 1 && p.Versions[0] == npmHoldingVersion:
		n := Note{Status: TakenDown, Message: "npm replaced this package with a security holding package (" + npmHoldingVersion + ")"}
		var t string
		if raw, ok := doc.Time[npmHoldingVersion]; ok && json.Unmarshal(raw, &t) == nil {
			n.Since = parseTime(t)
		}
		p.TakenDown = &n
	}
	if len(p.Notes) == 0 {
		p.Notes = nil
	}
	return p, nil
}

// npmDeprecation returns the deprecation message, "" when the version is
// not deprecated (an empty string undeprecates a version).
func npmDeprecation(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil && b {
		return "deprecated"
	}
	return ""
}

// parseTime reads the timestamps registries write (RFC 3339, with or
// without a zone); zero when it cannot.
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

func etagOf(p *Package) string {
	if p == nil {
		return ""
	}
	return p.ETag
}

// sortVersions orders a version list for stable output (string order: the
// order is not used to compare versions).
func sortVersions(vs []string) { sort.Strings(vs) }
