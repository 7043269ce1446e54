package registry

import (
	"reflect"
	"testing"
)

func TestParseBaseURLs(t *testing.T) {
	got, err := ParseBaseURLs([]string{"npm=http://127.0.0.1:4873", "PyPI=https://pypi.example.com/"})
	want := map[string]string{NPM: "http://127.0.0.1:4873", PyPI: "https://pypi.example.com/"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v %v", got, err)
	}
	for v, msg := range map[string]string{
		"npm":            `--registry "npm": want ECOSYSTEM=URL (for example npm=https://npm.example.com)`,
		"maven=http://x": `--registry "maven=http://x": unknown ecosystem "maven" (supported: npm, pypi, go, nuget, rubygems)`,
		"npm=ftp://x":    `--registry: registry URL npm=ftp://x: not an http(s) URL`,
		"npm=":           `--registry "npm=": want ECOSYSTEM=URL (for example npm=https://npm.example.com)`,
	} {
		if _, err := ParseBaseURLs([]string{v}); err == nil || err.Error() != msg {
			t.Errorf("%q: err %v, want %s", v, err, msg)
		}
	}
	if _, err := ParseBaseURLs([]string{"npm=http://a", "NPM=http://b"}); err == nil || err.Error() != `--registry "NPM=http://b": npm given twice` {
		t.Errorf("duplicate: %v", err)
	}
}
