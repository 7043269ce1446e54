package jsbundle

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// locked is the fixture app's package-lock.json, module path -> version:
// what npm 11.19.1 installed for testdata/bundles/src/package.json.
var locked = map[string]string{
	"node_modules/@tootallnate/once":                    "1.1.2",
	"node_modules/axios":                                "0.21.0",
	"node_modules/duplexer":                             "0.1.2",
	"node_modules/event-stream":                         "3.3.6",
	"node_modules/event-stream/node_modules/through":    "2.3.8",
	"node_modules/flatmap-stream":                       "0.1.1",
	"node_modules/follow-redirects":                     "1.13.0",
	"node_modules/from":                                 "0.1.7",
	"node_modules/lodash":                               "4.17.15",
	"node_modules/map-stream":                           "0.0.7",
	"node_modules/pause-stream":                         "0.0.11",
	"node_modules/pause-stream/node_modules/through":    "2.3.8",
	"node_modules/split":                                "1.0.1",
	"node_modules/stream-combiner":                      "0.2.2",
	"node_modules/stream-combiner/node_modules/through": "2.3.8",
	"node_modules/through":                              "2.2.7",
}

// stated is what the bundle says of itself: lodash's VERSION constant and
// axios's inlined package.json (esbuild, webpack; rollup's json plugin keeps
// only axios's version, not its name, so nothing ties it to axios).
var stated = map[string]string{"node_modules/lodash": "4.17.15", "node_modules/axios": "0.21.0"}

func statedBy(bundler string) map[string]string {
	if bundler == "rollup" {
		return map[string]string{"node_modules/lodash": "4.17.15"}
	}
	return stated
}

func nameOfKey(k string) string {
	i := strings.LastIndex(k, "node_modules/")
	return k[i+len("node_modules/"):]
}

// rows renders packages as "name@version evidence/versionEvidence modulePath".
func rows(pkgs []Package) []string {
	var out []string
	for _, p := range pkgs {
		out = append(out, fmt.Sprintf("%s@%s %s/%s %s %s", p.Name, p.Version, p.Evidence, p.VersionEvidence, p.BundlePath, p.ModulePath))
	}
	slices.Sort(out)
	return out
}

// wantModules is every bundled package, versioned from the lockfile or,
// without it, only where the bundle states a version.
func wantModules(bundler, evidence string, lock bool) []string {
	var out []string
	for k, v := range locked {
		vev := EvidenceLockfile
		if !lock {
			v, vev = statedBy(bundler)[k], ""
			if v != "" {
				vev = EvidenceBanner
			}
		}
		out = append(out, fmt.Sprintf("%s@%s %s/%s /var/task/index.js %s", nameOfKey(k), v, evidence, vev, k))
	}
	slices.Sort(out)
	return out
}

func wantBanners(names ...string) []string {
	var out []string
	for _, n := range names {
		out = append(out, fmt.Sprintf("%s@%s banner/banner /var/task/index.js ", n, stated["node_modules/"+n]))
	}
	return out
}

// TestCatalogMatrix runs every committed cell (bundler x minified x map x
// lockfile) and asserts exactly what is found and what stays unknown.
func TestCatalogMatrix(t *testing.T) {
	n := 0
	for _, bundler := range []string{"esbuild", "webpack", "rollup"} {
		for _, min := range []string{"plain", "min"} {
			for _, mp := range []string{"map", "inline", "none"} {
				for _, lock := range []string{"lock", "nolock"} {
					cell := strings.Join([]string{bundler, min, mp, lock}, "-")
					n++
					t.Run(cell, func(t *testing.T) {
						res, err := Catalog(openZipFS(t, filepath.Join(bundlesDir, cell+".zip")), DefaultLimits())
						if err != nil {
							t.Fatal(err)
						}
						var want []string
						identified := true
						switch {
						case mp != "none":
							want = wantModules(bundler, EvidenceSourceMap, lock == "lock")
						case min == "plain" && bundler != "rollup":
							want = wantModules(bundler, EvidenceBundleComment, lock == "lock")
						default:
							// Minified (or rollup) without a map: no module
							// names survive, only the versions the packages
							// state; event-stream, flatmap-stream and the rest
							// are unknown.
							identified = false
							switch bundler {
							case "rollup":
								// rollup's json plugin keeps axios's version
								// but not its name.
								want = wantBanners("lodash")
							default:
								want = wantBanners("axios", "lodash")
							}
						}
						if got := rows(res.Packages); !slices.Equal(got, want) {
							t.Errorf("packages:\n got %q\nwant %q", got, want)
						}
						wantMap := map[string]string{"map": "/var/task/index.js.map", "inline": "inline", "none": ""}[mp]
						wantBundle := Bundle{Path: "/var/task/index.js", MapPath: wantMap, Identified: identified, Packages: len(want)}
						if len(res.Bundles) != 1 || res.Bundles[0] != wantBundle {
							t.Errorf("bundles = %+v, want [%+v]", res.Bundles, wantBundle)
						}
						if got := len(res.Unidentified()); got != map[bool]int{true: 0, false: 1}[identified] {
							t.Errorf("unidentified = %d", got)
						}
						wantLocks := []string(nil)
						if lock == "lock" {
							wantLocks = []string{"/var/task/package-lock.json"}
						}
						if !slices.Equal(res.Lockfiles, wantLocks) {
							t.Errorf("lockfiles = %q, want %q", res.Lockfiles, wantLocks)
						}
					})
				}
			}
		}
	}
	if n != 36 {
		t.Fatalf("matrix has %d cells", n)
	}
}

// TestHandWrittenHandlerIsNotABundle: the corpus event-stream function ships
// a plain index.js beside node_modules; that is no bundle and no result.
func TestHandWrittenHandlerIsNotABundle(t *testing.T) {
	res, err := Catalog(openZipFS(t, "../../../testdata/functions/event-stream-reconstruction.zip"), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Bundles) != 0 || len(res.Packages) != 0 {
		t.Fatalf("got %+v", res)
	}
}
