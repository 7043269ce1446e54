package registry

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// The event-stream reconstruction (every package of
// testdata/functions/event-stream-reconstruction.zip) against the npm
// answers recorded on 2026-11-28: flatmap-stream has no version left
// (taken down), event-stream no longer lists 3.3.6 (unpublished), the
// other seven say nothing.
func TestNPMEventStreamReconstruction(t *testing.T) {
	names := []string{"duplexer", "event-stream", "flatmap-stream", "from", "map-stream", "pause-stream", "split", "stream-combiner", "through"}
	srv := newRegistryServer(t, npmRoutes(t, names...))
	cs := functionCoords(t, "event-stream-reconstruction.zip")
	if len(cs) != 9 {
		t.Fatalf("%d packages in the reconstruction, want 9", len(cs))
	}
	snap, err := Lookup(context.Background(), cs, fastOptions("npm", srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	got := Assess(snap, cs)
	want := []Finding{
		{Ecosystem: NPM, Name: "event-stream", Version: "3.3.6", Status: Unpublished,
			Message: "the version is no longer in the registry's version list (unpublished or deleted)", FetchedAt: testNow},
		{Ecosystem: NPM, Name: "flatmap-stream", Version: "0.1.1", Status: TakenDown,
			Message: "npm lists no version of this package any more (every version was removed)", FetchedAt: testNow},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("findings:\n got %+v\nwant %+v", got, want)
	}
	if n := srv.requests.Load(); n != 9 {
		t.Errorf("%d requests, want 9 (one per package)", n)
	}
	for _, a := range srv.accepts {
		if a != npmAccept {
			t.Errorf("Accept %q, want %q", a, npmAccept)
		}
	}
	if u := Unchecked(snap, cs); len(u) != 0 {
		t.Errorf("unchecked %v", u)
	}
}

func TestNPMLodashAndLeftPadSayNothing(t *testing.T) {
	srv := newRegistryServer(t, npmRoutes(t, "lodash", "left-pad"))
	cs := coords(NPM, "lodash@4.17.15", "left-pad@1.3.0")
	snap, err := Lookup(context.Background(), cs, fastOptions("npm", srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if got := Assess(snap, cs); len(got) != 0 {
		t.Fatalf("findings %+v, want none", got)
	}
	p := snap.Get(NPM, "lodash")
	if !p.Known || len(p.Versions) != 117 || p.TakenDown != nil {
		t.Fatalf("lodash: known %v, %d versions, taken down %v", p.Known, len(p.Versions), p.TakenDown)
	}
}

// request-deprecated.json is the recorded request packument with the
// deprecation message npmjs.org carries for 2.88.2 (the mirror this
// machine reaches drops "deprecated"; see testdata/registry/README.md).
func TestNPMDeprecated(t *testing.T) {
	srv := newRegistryServer(t, map[string][]byte{"/request": fixture(t, "npm/request-deprecated.json")})
	cs := coords(NPM, "request@2.88.2", "request@2.88.0")
	snap, err := Lookup(context.Background(), cs, fastOptions("npm", srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	want := []Finding{{Ecosystem: NPM, Name: "request", Version: "2.88.2", Status: Deprecated,
		Message: "request has been deprecated, see https://github.com/request/request/issues/3142", FetchedAt: testNow}}
	if got := Assess(snap, cs); !reflect.DeepEqual(got, want) {
		t.Fatalf("findings:\n got %+v\nwant %+v", got, want)
	}
	// The recorded bytes as fetched carry no deprecation at all.
	p, err := parseNPM(fixture(t, "npm/request.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Notes) != 0 || len(p.Versions) != 126 {
		t.Fatalf("request.json: %d notes, %d versions", len(p.Notes), len(p.Versions))
	}
}

// A package the registry never knew (404: a private package) is unknown:
// no finding, but not unchecked either.
func TestNPMPrivatePackageIsUnknown(t *testing.T) {
	srv := newRegistryServer(t, npmRoutes(t, "lodash"))
	cs := coords(NPM, "@acme/internal-lib@1.0.0", "lodash@4.17.15")
	snap, err := Lookup(context.Background(), cs, fastOptions("npm", srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	p := snap.Get(NPM, "@acme/internal-lib")
	if p == nil || p.Known {
		t.Fatalf("private package: %+v, want known=false", p)
	}
	if got := Assess(snap, cs); len(got) != 0 {
		t.Fatalf("findings %+v, want none", got)
	}
	if got := p.status("1.0.0"); got.Status != Unknown {
		t.Fatalf("status %q, want unknown", got.Status)
	}
}

func TestNPMScopedNameEscaping(t *testing.T) {
	srv := newRegistryServer(t, map[string][]byte{"/@acme%2Fwidget": fixture(t, "npm/left-pad.json")})
	cs := coords(NPM, "@acme/widget@1.3.0")
	snap, err := Lookup(context.Background(), cs, fastOptions("npm", srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if p := snap.Get(NPM, "@acme/widget"); p == nil || !p.Known {
		t.Fatalf("scoped package not found at /@acme%%2Fwidget: %+v", p)
	}
}

func TestNPMSecurityHoldingPackage(t *testing.T) {
	body := []byte(`{"name":"evil-pkg","versions":{"0.0.1-security":{"name":"evil-pkg","version":"0.0.1-security"}},"time":{"0.0.1-security":"2021-10-22T18:37:44.152Z"}}`)
	p, err := parseNPM(body)
	if err != nil {
		t.Fatal(err)
	}
	p.Ecosystem, p.Name = NPM, "evil-pkg"
	want := Note{Status: TakenDown, Message: "npm replaced this package with a security holding package (0.0.1-security)",
		Since: time.Date(2021, 10, 22, 18, 37, 44, 152000000, time.UTC)}
	if got := p.status("1.2.3"); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestNPMUnpublishedPackageSince(t *testing.T) {
	// The full packument of a package npm unpublished entirely.
	body := []byte(`{"_id":"gone","name":"gone","time":{"created":"2018-09-09T10:00:00.000Z","unpublished":{"time":"2018-11-26T12:44:33.521Z","versions":["0.1.0","0.1.1"]}}}`)
	p, err := parseNPM(body)
	if err != nil {
		t.Fatal(err)
	}
	want := &Note{Status: TakenDown, Message: "npm unpublished every version of this package",
		Since: time.Date(2018, 11, 26, 12, 44, 33, 521000000, time.UTC)}
	if !reflect.DeepEqual(p.TakenDown, want) {
		t.Fatalf("got %+v, want %+v", p.TakenDown, want)
	}
}

func TestNPMNotAPackument(t *testing.T) {
	srv := newRegistryServer(t, map[string][]byte{"/x": []byte("<html>captive portal</html>")})
	_, err := Lookup(context.Background(), coords(NPM, "x@1.0.0"), fastOptions("npm", srv.URL))
	if err == nil || err.Error() != `npm registry, package "x": not an npm packument: invalid character '<' looking for beginning of value` {
		t.Fatalf("err = %v", err)
	}
}
