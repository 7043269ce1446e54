package registry

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// PyPI: the JSON API example of https://docs.pypi.org/api/json/ (warehouse
// docs/api-reference/json.rst). 1.2.0 and 1.0 are listed (1.0 without
// files), 1.1 is not: unpublished.
func TestPyPIDocumentedExample(t *testing.T) {
	srv := newRegistryServer(t, map[string][]byte{"/pypi/sampleproject/json": fixture(t, "pypi/sampleproject.json")})
	cs := coords(PyPI, "SampleProject@1.2.0", "sampleproject@1.0", "sampleproject@1.0.0", "sampleproject@1.1")
	snap, err := Lookup(context.Background(), cs, fastOptions("pypi", srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{{Ecosystem: PyPI, Name: "sampleproject", Version: "1.1", Status: Unpublished,
		Message: "the version is no longer in the registry's version list (unpublished or deleted)", FetchedAt: testNow}}
	if got := Assess(snap, cs); !reflect.DeepEqual(got, want) {
		t.Fatalf("findings:\n got %+v\nwant %+v", got, want)
	}
	if n := srv.requests.Load(); n != 1 {
		t.Errorf("%d requests for three spellings of one project, want 1", n)
	}
}

// sampleproject-yanked.json: the same example with both files of 1.2.0
// yanked (yanked true, a yanked_reason), as PyPI reports a yanked release.
func TestPyPIYanked(t *testing.T) {
	srv := newRegistryServer(t, map[string][]byte{"/pypi/sampleproject/json": fixture(t, "pypi/sampleproject-yanked.json")})
	cs := coords(PyPI, "sampleproject@1.2.0", "sampleproject@1.0")
	snap, err := Lookup(context.Background(), cs, fastOptions("pypi", srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{{Ecosystem: PyPI, Name: "sampleproject", Version: "1.2.0", Status: Yanked,
		Message: "PyPI yanked this release: Broken packaging", FetchedAt: testNow}}
	if got := Assess(snap, cs); !reflect.DeepEqual(got, want) {
		t.Fatalf("findings:\n got %+v\nwant %+v", got, want)
	}
}

// Go: the retract example of https://go.dev/ref/mod#go-mod-file-retract
// (example.com/m, whose v1.0.1 retracts v1.0.0 and itself).
func TestGoDocumentedRetractions(t *testing.T) {
	srv := newRegistryServer(t, map[string][]byte{
		"/example.com/m/@v/list":       fixture(t, "go/example.com-m.list"),
		"/example.com/m/@v/v1.0.1.mod": fixture(t, "go/example.com-m.v1.0.1.mod"),
	})
	cs := coords(Go, "example.com/m@v1.0.0", "example.com/m@v1.0.1", "example.com/m@v0.9.5",
		"example.com/m@v0.9.4", "example.com/m@v0.0.0-20200101000000-abcdefabcdef")
	snap, err := Lookup(context.Background(), cs, fastOptions("go", srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{
		{Ecosystem: Go, Name: "example.com/m", Version: "v0.9.4", Status: Retracted, Message: "the Go module proxy no longer lists this version", FetchedAt: testNow},
		{Ecosystem: Go, Name: "example.com/m", Version: "v1.0.0", Status: Retracted, Message: "retracted by the module's go.mod at v1.0.1: Published accidentally.", FetchedAt: testNow},
		{Ecosystem: Go, Name: "example.com/m", Version: "v1.0.1", Status: Retracted, Message: "retracted by the module's go.mod at v1.0.1: Contains retractions only.", FetchedAt: testNow},
	}
	if got := Assess(snap, cs); !reflect.DeepEqual(got, want) {
		t.Fatalf("findings:\n got %+v\nwant %+v", got, want)
	}
}

// Go: the answers proxy.golang.org gave on 2026-11-28 for
// github.com/mattn/go-sqlite3 (uppercase-free path; the escaping is
// exercised below). The latest compatible release's go.mod retracts
// [v2.0.0+incompatible, v2.0.7+incompatible].
func TestGoRecordedRetraction(t *testing.T) {
	srv := newRegistryServer(t, map[string][]byte{
		"/github.com/mattn/go-sqlite3/@v/list":         fixture(t, "go/github.com-mattn-go-sqlite3.list"),
		"/github.com/mattn/go-sqlite3/@v/v1.14.53.mod": fixture(t, "go/github.com-mattn-go-sqlite3.v1.14.53.mod"),
	})
	cs := coords(Go, "github.com/mattn/go-sqlite3@v2.0.3+incompatible", "github.com/mattn/go-sqlite3@v1.14.32")
	snap, err := Lookup(context.Background(), cs, fastOptions("go", srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{{Ecosystem: Go, Name: "github.com/mattn/go-sqlite3", Version: "v2.0.3+incompatible", Status: Retracted,
		Message: "retracted by the module's go.mod at v1.14.53: Accidental; no major changes or features.", FetchedAt: testNow}}
	if got := Assess(snap, cs); !reflect.DeepEqual(got, want) {
		t.Fatalf("findings:\n got %+v\nwant %+v", got, want)
	}
}

func TestGoModulePathEscaping(t *testing.T) {
	srv := newRegistryServer(t, map[string][]byte{
		"/github.com/!burnt!sushi/toml/@v/list":       []byte("v1.0.0\n"),
		"/github.com/!burnt!sushi/toml/@v/v1.0.0.mod": []byte("module github.com/BurntSushi/toml\n"),
	})
	snap, err := Lookup(context.Background(), coords(Go, "github.com/BurntSushi/toml@v1.0.0"), fastOptions("go", srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if p := snap.Get(Go, "github.com/BurntSushi/toml"); p == nil || !p.Known || p.Latest != "v1.0.0" {
		t.Fatalf("escaped module path not asked: %+v", p)
	}
}

// NuGet: the registration examples of
// https://learn.microsoft.com/nuget/api/registration-base-url-resource
// (docs/api/_data/*.json of NuGet/docs.microsoft.com-nuget): an index with
// its leaves inline (listed), and a page (fetched by its @id) with one
// unlisted and one unlisted+deprecated version.
func TestNuGetDocumentedExamples(t *testing.T) {
	srv := newRegistryServer(t, nil)
	index := strings.ReplaceAll(string(fixture(t, "nuget/nuget.protocol.v3.example-index.json")), "{{BASE}}", srv.URL)
	srv.routes = map[string][]byte{
		"/nuget.server.core/index.json":                                 fixture(t, "nuget/nuget.server.core-index.json"),
		"/nuget.protocol.v3.example/index.json":                         []byte(index),
		"/nuget.protocol.v3.example/page/1.0.531/1.0.729-unstable.json": fixture(t, "nuget/nuget.protocol.v3.example-page.json"),
	}
	cs := coords(NuGet, "NuGet.Server.Core@3.0.0-beta", "NuGet.Protocol.V3.Example@1.0.531",
		"NuGet.Protocol.V3.Example@1.0.729-unstable", "NuGet.Protocol.V3.Example@1.0.600")
	snap, err := Lookup(context.Background(), cs, fastOptions("nuget", srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{
		{Ecosystem: NuGet, Name: "NuGet.Protocol.V3.Example", Version: "1.0.531", Status: Unlisted,
			Message: "unlisted on NuGet (hidden from search and new installs)", FetchedAt: testNow},
		{Ecosystem: NuGet, Name: "NuGet.Protocol.V3.Example", Version: "1.0.600", Status: Unpublished,
			Message: "the version is no longer in the registry's version list (unpublished or deleted)", FetchedAt: testNow},
		{Ecosystem: NuGet, Name: "NuGet.Protocol.V3.Example", Version: "1.0.729-unstable", Status: Unlisted,
			Message: "unlisted on NuGet (hidden from search and new installs); deprecated (CriticalBugs): This package is unstable and broken!; alternative: Newtonsoft.JSON 12.0.2", FetchedAt: testNow},
	}
	if got := Assess(snap, cs); !reflect.DeepEqual(got, want) {
		t.Fatalf("findings:\n got %+v\nwant %+v", got, want)
	}
}

// A registration page on another host is refused, not fetched.
func TestNuGetPageOnAnotherHost(t *testing.T) {
	srv := newRegistryServer(t, map[string][]byte{
		"/x/index.json": []byte(`{"items":[{"@id":"https://elsewhere.example/x/page.json"}]}`),
	})
	_, err := Lookup(context.Background(), coords(NuGet, "X@1.0.0"), fastOptions("nuget", srv.URL))
	if err == nil || !strings.Contains(err.Error(), `registration page "https://elsewhere.example/x/page.json": on another host than the registry`) {
		t.Fatalf("err = %v", err)
	}
}

// RubyGems: the /api/v1/versions example of
// https://guides.rubygems.org/rubygems-org-api/ is not JSON as printed
// (Ruby's nil): it is refused with the package named. coulda-null.json is
// the same with null; 0.7.1 is listed, 0.7.0 is not: yanked.
func TestRubyGemsDocumentedExample(t *testing.T) {
	srv := newRegistryServer(t, map[string][]byte{"/api/v1/versions/coulda.json": fixture(t, "rubygems/coulda.json")})
	_, err := Lookup(context.Background(), coords(RubyGems, "coulda@0.7.1"), fastOptions("rubygems", srv.URL))
	if err == nil || err.Error() != `RubyGems registry, package "coulda": not a RubyGems versions answer: invalid character 'i' in literal null (expecting 'u')` {
		t.Fatalf("err = %v", err)
	}
	srv.routes["/api/v1/versions/coulda.json"] = fixture(t, "rubygems/coulda-null.json")
	cs := coords(RubyGems, "coulda@0.7.1", "coulda@0.7.0")
	snap, err := Lookup(context.Background(), cs, fastOptions("rubygems", srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{{Ecosystem: RubyGems, Name: "coulda", Version: "0.7.0", Status: Yanked,
		Message: "the version is no longer in the gem's version list (yanked)", FetchedAt: testNow}}
	if got := Assess(snap, cs); !reflect.DeepEqual(got, want) {
		t.Fatalf("findings:\n got %+v\nwant %+v", got, want)
	}
}

func TestUnsupportedEcosystemIsSkipped(t *testing.T) {
	cs := []Coord{{Ecosystem: "Maven", Name: "org.example:x", Version: "1.0"}}
	snap, err := Lookup(context.Background(), cs, Options{})
	if err != nil || len(snap.Packages) != 0 {
		t.Fatalf("snap %+v, err %v", snap, err)
	}
	if _, err := Lookup(context.Background(), nil, Options{BaseURLs: map[string]string{"maven": "http://127.0.0.1:1"}}); err == nil {
		t.Fatal("a base URL for an unsupported ecosystem was accepted")
	}
	if _, err := Lookup(context.Background(), nil, Options{BaseURLs: map[string]string{"npm": "file:///etc"}}); err == nil {
		t.Fatal("a non-http base URL was accepted")
	}
}

// What Go SBOMs also list and the proxy cannot know: the toolchain
// ("stdlib"), a main module built from a checkout ("(devel)").
func TestGoNonModulesSayNothing(t *testing.T) {
	srv := newRegistryServer(t, map[string][]byte{
		"/example.com/app/@v/list":       []byte("v1.0.0\n"),
		"/example.com/app/@v/v1.0.0.mod": []byte("module example.com/app\n"),
	})
	cs := coords(Go, "stdlib@go1.22.4", "example.com/app@(devel)")
	snap, err := Lookup(context.Background(), cs, fastOptions("go", srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if got := Assess(snap, cs); len(got) != 0 {
		t.Fatalf("findings %+v", got)
	}
	if p := snap.Get(Go, "stdlib"); p == nil || p.Known {
		t.Fatalf("stdlib: %+v", p)
	}
	if n := srv.requests.Load(); n != 2 {
		t.Fatalf("%d requests, want 2 (none for stdlib)", n)
	}
}
