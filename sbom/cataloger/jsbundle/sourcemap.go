package jsbundle

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/go-sourcemap/sourcemap"
)

// mapURLComment is a sourceMappingURL annotation ("//# " or "/*# ", or
// the older "@" form), matched on the bundle's tail after its last
// "sourceMappingURL=".
var mapURLComment = regexp.MustCompile(`(?:^|[\n;])[ \t]*(?://|/\*)[ \t]*[#@][ \t]*sourceMappingURL=([^\s*'"]+)`)

// mapRef is where a bundle's source map is: inline bytes or a file path.
type mapRef struct {
	inline []byte
	path   string
}

// findMap locates the bundle's map: the sourceMappingURL annotation (a data:
// URL, or a path relative to the bundle), else <bundle>.map beside it.
func findMap(fsys FS, bundlePath string, content []byte) (mapRef, error) {
	var ms [][]byte
	if i := bytes.LastIndex(content, []byte("sourceMappingURL=")); i >= 0 {
		ms = mapURLComment.FindSubmatch(content[max(0, bytes.LastIndexByte(content[:i], '\n')):])
	}
	if ms != nil {
		u := string(ms[1])
		if strings.HasPrefix(u, "data:") {
			b, err := decodeDataURL(u)
			if err != nil {
				return mapRef{}, fmt.Errorf("inline source map of %s: %w", bundlePath, err)
			}
			return mapRef{inline: b}, nil
		}
		if pu, err := url.PathUnescape(u); err == nil && !strings.Contains(pu, "://") {
			p := path.Join(path.Dir(bundlePath), pu)
			if _, ok := fsys.Size(p); ok {
				return mapRef{path: p}, nil
			}
		}
	}
	if _, ok := fsys.Size(bundlePath + ".map"); ok {
		return mapRef{path: bundlePath + ".map"}, nil
	}
	return mapRef{}, nil
}

// decodeDataURL decodes data:[<mediatype>][;base64],<data>.
func decodeDataURL(u string) ([]byte, error) {
	meta, data, ok := strings.Cut(strings.TrimPrefix(u, "data:"), ",")
	if !ok {
		return nil, fmt.Errorf("data: URL without a comma")
	}
	if strings.HasSuffix(meta, ";base64") {
		b, err := base64.StdEncoding.DecodeString(data)
		if err != nil {
			return nil, fmt.Errorf("base64: %w", err)
		}
		return b, nil
	}
	s, err := url.PathUnescape(data)
	if err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// rawMap is the part of a source map (v3, or an index map with sections)
// that lists the original files.
type rawMap struct {
	SourceRoot string   `json:"sourceRoot"`
	Sources    []string `json:"sources"`
	Sections   []struct {
		Map *rawMap `json:"map"`
	} `json:"sections"`
}

// mapSources validates a map with go-sourcemap (a map it rejects is an
// error: its modules would otherwise go unseen) and returns its sources.
// go-sourcemap v2.1.4 decodes the mappings but exposes no list of sources
// (only per-position lookups), so the list itself is read with
// encoding/json from the same bytes.
func mapSources(name string, b []byte) ([]string, error) {
	if _, err := sourcemap.Parse(name, b); err != nil {
		return nil, fmt.Errorf("source map %s: %w", name, err)
	}
	var m rawMap
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("source map %s: %w", name, err)
	}
	return m.all(), nil
}

func (m *rawMap) all() []string {
	var out []string
	for _, s := range m.Sources {
		out = append(out, m.SourceRoot+s)
	}
	for _, sec := range m.Sections {
		if sec.Map != nil {
			out = append(out, sec.Map.all()...)
		}
	}
	return out
}
