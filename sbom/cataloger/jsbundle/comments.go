package jsbundle

import (
	"bytes"
	"regexp"
)

// modulePathPatterns are the module paths bundlers leave in unminified
// output. Each has one group: a path containing node_modules/.
var modulePathPatterns = []*regexp.Regexp{
	// esbuild: a line comment before each module, "// node_modules/lodash/lodash.js".
	regexp.MustCompile(`(?m)^[ \t]*//[ \t]+((?:\.{1,2}/)*node_modules/[^\s'"]+)[ \t]*$`),
	// esbuild: __commonJS({ "node_modules/axios/index.js"(exports, module) {
	regexp.MustCompile(`(?m)^[ \t]*["']((?:\.{1,2}/)*node_modules/[^"'\s]+)["']\((?:exports|module)`),
	// webpack (named module ids): /***/ "./node_modules/axios/lib/axios.js":
	regexp.MustCompile(`/\*\*\*/[ \t]*["']((?:\.{1,2}/)*node_modules/[^"']+)["']`),
	// webpack (pathinfo): !*** ./node_modules/axios/lib/axios.js ***!
	regexp.MustCompile(`!\*\*\* ((?:\.{1,2}/)*node_modules/\S+) \*\*\*!`),
	// webpack (named ids in require calls): __webpack_require__(/*! x */ "./node_modules/...")
	regexp.MustCompile(`__webpack_require__\((?:/\*[^*]*\*/\s*)?["']((?:\.{1,2}/)*node_modules/[^"']+)["']\)`),
}

// bundlerMarkers are runtime helpers bundlers emit; a file holding one is a
// bundle even when nothing names its modules.
var bundlerMarkers = regexp.MustCompile(`__webpack_require__|__webpack_modules__|__commonJS\(|__toESM\(|getDefaultExportFromCjs|commonjsRequire|commonjsGlobal`)

// commentSources returns the distinct module paths named in a bundle's
// text. The patterns run on a window around each "node_modules/" (from its
// line's start when that is near): a regexp over a whole multi-megabyte
// bundle costs seconds.
func commentSources(content []byte) []string {
	seen := map[string]bool{}
	var out []string
	anchor := []byte("node_modules/")
	for off := 0; ; {
		i := bytes.Index(content[off:], anchor)
		if i < 0 {
			return out
		}
		i += off
		off = i + len(anchor)
		lo := bytes.LastIndexByte(content[max(0, i-200):i], '\n')
		var w []byte
		switch {
		case lo >= 0:
			w = content[max(0, i-200)+lo+1 : min(len(content), i+400)]
		case i <= 200: // the first line
			w = content[:min(len(content), i+400)]
		default:
			// Mid-line: a leading NUL keeps ^ from matching the window start.
			w = append([]byte{0}, content[max(0, i-200):min(len(content), i+400)]...)
		}
		for _, re := range modulePathPatterns {
			for _, m := range re.FindAllSubmatch(w, -1) {
				if s := string(m[1]); !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
			}
		}
	}
}
