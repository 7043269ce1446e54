package match

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/fnaudit/fnaudit/core"
)

// peerFile is testdata/peers/osv-scanner-v2.5.0.json, written by
// testdata/peers/generate.go (see testdata/peers/README.md).
type peerFile struct {
	Tool      string `json:"tool"`
	Version   string `json:"version"`
	Functions map[string]struct {
		Runs map[string][]struct {
			Ecosystem string     `json:"ecosystem"`
			Name      string     `json:"name"`
			Version   string     `json:"version"`
			Source    string     `json:"source"`
			IDs       []string   `json:"ids"`
			Groups    [][]string `json:"groups"`
		} `json:"runs"`
	} `json:"functions"`
}

// peerException is one documented difference between fnaudit and the peer.
type peerException struct {
	Function  string `json:"function"`
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	Version   string `json:"version"`
	Path      string `json:"path"`
	// Kind: "fnaudit-only" or "peer-only" (an id one side matched and the
	// other did not), "not-seen" (the peer reported no such package),
	// "grouping" (both matched the ids but grouped them differently).
	Kind   string `json:"kind"`
	ID     string `json:"id,omitempty"`
	Reason string `json:"reason"`
}

func (e peerException) key() string {
	return strings.Join([]string{e.Function, e.Ecosystem, e.Name, e.Version, e.Path, e.Kind, e.ID}, " | ")
}

func readJSON(t *testing.T, file string, v any) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// pkgKey identifies a package across tools: ecosystem, name under the
// ecosystem's normalisation, version as OSV spells it (osv-scanner writes
// Go versions without "v" and the standard library as 1.26.8).
func pkgKey(eco, name, version string) string {
	v, _ := osvVersion(eco, name, version)
	return eco + " " + core.NormalizeName(eco, name) + " " + v
}

// For every corpus function, fnaudit's matches over the ground-truth
// packages equal osv-scanner v2.5.0's over the same records (the union of
// its runs: lockfile, artifact and package.json extractors), except for
// the differences listed, each with its reason, in
// testdata/peers/osv-scanner-v2.5.0-exceptions.json. A new difference, or
// an exception that no longer happens, fails the test.
func TestPeerOSVScanner(t *testing.T) {
	var peer peerFile
	readJSON(t, filepath.Join("..", "testdata", "peers", "osv-scanner-v2.5.0.json"), &peer)
	if peer.Tool != "osv-scanner" || peer.Version != "2.5.0" {
		t.Fatalf("peer file is %s %s", peer.Tool, peer.Version)
	}
	var exceptions []peerException
	readJSON(t, filepath.Join("..", "testdata", "peers", "osv-scanner-v2.5.0-exceptions.json"), &exceptions)

	src := corpusSource(t)
	var diffs []peerException
	for zip, fn := range expectedPackages(t) {
		pf, ok := peer.Functions[zip]
		if !ok {
			t.Errorf("%s: not in the peer file", zip)
			continue
		}
		// What osv-scanner matched per package, over all its runs.
		peerIDs := map[string][]string{}
		peerGroups := map[string][][]string{}
		for _, run := range pf.Runs {
			for _, p := range run {
				k := pkgKey(p.Ecosystem, p.Name, p.Version)
				peerIDs[k] = union(peerIDs[k], p.IDs)
				for _, g := range p.Groups {
					if !slices.ContainsFunc(peerGroups[k], func(h []string) bool { return slices.Equal(g, h) }) {
						peerGroups[k] = append(peerGroups[k], g)
					}
				}
			}
		}
		fs := matchFunction(t, src, zip, fn)
		for _, p := range functionPackages(zip, fn) {
			k := pkgKey(p.Ecosystem, p.Name, p.Version)
			var ours []string
			var groups [][]string
			for _, f := range fs {
				if f.Package.Path() == p.Path() && f.Package.Name == p.Name {
					ours = union(ours, f.IDs)
					g := slices.Clone(f.IDs)
					slices.Sort(g)
					groups = append(groups, g)
				}
			}
			d := peerException{Function: zip, Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version, Path: p.Path()}
			theirs, seen := peerIDs[k]
			if !seen {
				d.Kind = "not-seen"
				diffs = append(diffs, d)
			}
			for _, id := range ours {
				if !slices.Contains(theirs, id) && seen {
					d.Kind, d.ID = "fnaudit-only", id
					diffs = append(diffs, d)
				}
			}
			for _, id := range theirs {
				if !slices.Contains(ours, id) {
					d.Kind, d.ID = "peer-only", id
					diffs = append(diffs, d)
				}
			}
			// Grouping, over the ids both matched.
			both := func(gs [][]string) []string {
				var out []string
				for _, g := range gs {
					var kept []string
					for _, id := range g {
						if slices.Contains(ours, id) && slices.Contains(theirs, id) {
							kept = append(kept, id)
						}
					}
					if len(kept) > 0 {
						out = append(out, strings.Join(kept, "+"))
					}
				}
				slices.Sort(out)
				return out
			}
			if a, b := both(groups), both(peerGroups[k]); !slices.Equal(a, b) {
				d.Kind, d.ID = "grouping", fmt.Sprintf("fnaudit %v, osv-scanner %v", a, b)
				diffs = append(diffs, d)
			}
		}
	}

	excepted := map[string]peerException{}
	for _, e := range exceptions {
		if strings.TrimSpace(e.Reason) == "" {
			t.Errorf("exception without a reason: %s", e.key())
		}
		excepted[e.key()] = e
	}
	for _, d := range diffs {
		e, ok := excepted[d.key()]
		if !ok {
			t.Errorf("unexplained difference with osv-scanner: %s", d.key())
			continue
		}
		t.Logf("difference: %s\n    because: %s", d.key(), e.Reason)
		delete(excepted, d.key())
	}
	for k := range excepted {
		t.Errorf("exception that no longer happens: %s", k)
	}
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// The peer's database really is the corpus: every id osv-scanner reported
// is a corpus record, so the comparison is over the same data.
func TestPeerUsedCorpusRecords(t *testing.T) {
	var peer peerFile
	readJSON(t, filepath.Join("..", "testdata", "peers", "osv-scanner-v2.5.0.json"), &peer)
	src := corpusSource(t)
	n := 0
	for zip, fn := range peer.Functions {
		for run, pkgs := range fn.Runs {
			for _, p := range pkgs {
				for _, id := range p.IDs {
					n++
					if !slices.ContainsFunc(src.all, func(v *osvschema.Vulnerability) bool { return v.GetId() == id }) {
						t.Errorf("%s %s: %s is not a corpus record", zip, run, id)
					}
				}
			}
		}
	}
	if n == 0 {
		t.Error("the peer file reports no matches at all")
	}
}
