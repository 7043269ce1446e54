package jsbundle

import (
	"bytes"
	"regexp"
	"sort"
)

// banner is a version a bundled package states about itself.
type banner struct{ name, version string }

var (
	// An inlined package.json (axios 0.21.0 requires its own for the
	// User-Agent): {"name":"axios","version":"0.21.0"} as JSON, as a JS
	// object literal, or as the string JSON.parse reads.
	inlinedManifest = regexp.MustCompile(`["']?name["']?\s*:\s*["']((?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*)["']\s*,\s*["']?version["']?\s*:\s*["'](\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)["']`)
	// lodash: `var VERSION = '4.17.15'` directly precedes its CORE_ERROR_TEXT
	// constant (esbuild keeps both literals there even when minifying);
	// terser inlines it into `lodash.VERSION = "4.17.15"`, which is followed
	// by lodash's placeholder loop over bind, bindKey, ...
	lodashBeforeCoreError = regexp.MustCompile(`["'](\d+\.\d+\.\d+)["'][^'"]{0,400}$`)
	lodashAssigned        = regexp.MustCompile(`\.VERSION\s*=\s*["'](\d+\.\d+\.\d+)["'][,;]\s*\w+\(\s*\[\s*["']bind["']\s*,\s*["']bindKey["']`)
)

// banners returns the distinct (name, version) pairs the bundle states.
func banners(content []byte) []banner {
	seen := map[banner]bool{}
	// Each pattern runs only on a window around a literal anchor: a regexp
	// over a whole multi-megabyte bundle costs seconds.
	eachWindow(content, []byte("version"), 300, 60, func(w []byte) {
		for _, m := range inlinedManifest.FindAllSubmatch(w, -1) {
			seen[banner{string(m[1]), string(m[2])}] = true
		}
	})
	// The window ends with the quote opening the CORE_ERROR_TEXT literal.
	eachWindow(content, []byte("Unsupported core-js use. Try https://npms.io/search?q=ponyfill."), 420, -len("Unsupported core-js use. Try https://npms.io/search?q=ponyfill.")-1, func(w []byte) {
		if m := lodashBeforeCoreError.FindSubmatch(w); m != nil {
			seen[banner{"lodash", string(m[1])}] = true
		}
	})
	eachWindow(content, []byte(".VERSION"), 0, 120, func(w []byte) {
		if m := lodashAssigned.FindSubmatch(w); m != nil {
			seen[banner{"lodash", string(m[1])}] = true
		}
	})
	out := make([]banner, 0, len(seen))
	for b := range seen {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].name != out[j].name {
			return out[i].name < out[j].name
		}
		return out[i].version < out[j].version
	})
	return out
}

// eachWindow calls fn with content[i-before : i+len(anchor)+after] around
// each occurrence i of anchor (clipped to content; a negative after ends the
// window inside or before the anchor).
func eachWindow(content, anchor []byte, before, after int, fn func([]byte)) {
	for off := 0; ; {
		i := bytes.Index(content[off:], anchor)
		if i < 0 {
			return
		}
		i += off
		lo, hi := max(0, i-before), min(len(content), i+len(anchor)+after)
		if hi > lo {
			fn(content[lo:hi])
		}
		off = i + len(anchor)
	}
}
