package registry

import (
	"encoding/json"
	"testing"
)

// FuzzParseAnswers feeds arbitrary bytes to every registry parser: a
// registry answer is untrusted input and must give an answer or an error,
// never a panic.
//
//	go test -run '^$' -fuzz FuzzParseAnswers -fuzztime 60s ./feeds/registry/
func FuzzParseAnswers(f *testing.F) {
	for _, rel := range []string{"npm/flatmap-stream.json", "npm/left-pad.json", "pypi/sampleproject-yanked.json",
		"nuget/nuget.protocol.v3.example-page.json", "rubygems/coulda-null.json",
		"go/github.com-mattn-go-sqlite3.list", "go/github.com-mattn-go-sqlite3.v1.14.53.mod"} {
		f.Add(fixture(f, rel))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if p, err := parseNPM(data); err == nil {
			p.Ecosystem = NPM
			p.status("1.0.0")
		}
		if p, err := parsePyPI(data); err == nil {
			p.Ecosystem = PyPI
			p.status("1.0")
		}
		parseRubyGems(data)
		if vs, err := parseGoList(data); err == nil {
			latestGo(vs)
		}
		if rs, err := parseRetractions("example.com/m", "v1.0.0", data); err == nil {
			p := &Package{Ecosystem: Go, Known: true, Retractions: rs}
			p.status("v1.0.0")
		}
		var page nugetPage
		if json.Unmarshal(data, &page) == nil {
			nugetPackage(page.Items)
		}
	})
}
