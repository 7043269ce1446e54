// Package invgen builds large synthetic inventories for the inventory
// benchmarks: N function versions of about 300 packages each, named after
// the real corpus packages (testdata/functions/expected-packages.json) with
// varied versions, sharing a fixed set of layers. Deterministic for a seed;
// nothing is written to the repository (the store is the caller's).
package invgen

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/fnaudit/fnaudit/inventory"
)

// Options describe the inventory to build.
type Options struct {
	Versions           int // function versions (default 10,000)
	PackagesPerVersion int // about this many packages each (default 300)
	Layers             int // distinct layers shared by the versions (default 100)
	// NamePool is the number of distinct package names: the corpus names
	// first, then "<corpus name>-<k>" variants, since the corpus alone (about
	// a hundred names) is far smaller than a fleet's name space and would
	// make every name occur in every version (default 5,000).
	NamePool int
	Seed     uint64
	// Progress, when set, is called after every 1,000 versions.
	Progress func(done int)
}

// Name is a package name in its ecosystem.
type Name struct {
	Ecosystem string
	Name      string
}

// CorpusNames reads the distinct (ecosystem, name) pairs of the corpus file,
// sorted.
func CorpusNames(path string) ([]Name, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("corpus names: %w", err)
	}
	var c map[string]struct {
		Packages []struct{ Ecosystem, Name string }
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("corpus names: %s: %w", path, err)
	}
	seen := map[Name]bool{}
	var out []Name
	for _, f := range c {
		for _, p := range f.Packages {
			n := Name{p.Ecosystem, p.Name}
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	slices.SortFunc(out, func(a, b Name) int {
		if a.Ecosystem != b.Ecosystem {
			return cmpStr(a.Ecosystem, b.Ecosystem)
		}
		return cmpStr(a.Name, b.Name)
	})
	return out, nil
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Pool extends corpus names to n names ("<name>-<k>" variants after the
// real ones).
func Pool(corpus []Name, n int) []Name {
	out := slices.Clone(corpus)
	for k := 1; len(out) < n; k++ {
		for _, c := range corpus {
			if len(out) == n {
				break
			}
			out = append(out, Name{c.Ecosystem, fmt.Sprintf("%s-%d", c.Name, k)})
		}
	}
	return out[:min(n, len(out))]
}

// Stats says what Build wrote.
type Stats struct {
	Versions, Functions, Packages, Findings int
}

// Generation is the advisory database generation the findings carry.
const Generation = "invgen-1"

// Build records opt.Versions synthetic scans into s through RecordScan (the
// path real scans take). Versions are spread over functions so that the
// last tenth are redeployments: about 90% of versions stay deployed.
func Build(ctx context.Context, s *inventory.Store, corpus []Name, opt Options) (Stats, error) {
	if opt.Versions <= 0 {
		opt.Versions = 10000
	}
	if opt.PackagesPerVersion <= 0 {
		opt.PackagesPerVersion = 300
	}
	if opt.Layers <= 0 {
		opt.Layers = 100
	}
	if opt.NamePool <= 0 {
		opt.NamePool = 5000
	}
	if len(corpus) == 0 {
		return Stats{}, fmt.Errorf("invgen: no corpus names")
	}
	pool := Pool(corpus, opt.NamePool)
	r := rand.New(rand.NewPCG(opt.Seed, 1))
	layers := make([]layer, opt.Layers)
	for i := range layers {
		layers[i] = newLayer(r, pool, i)
	}
	functions := max(1, opt.Versions*9/10)
	var st Stats
	st.Functions = functions
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// Recorded 100 at a time, as a fleet run records (one commit each).
	var batch []inventory.ScanRecord
	flush := func(upTo int) error {
		_, errs, err := s.RecordScans(ctx, batch)
		if err == nil {
			err = errors.Join(errs...)
		}
		if err != nil {
			return fmt.Errorf("invgen: versions %d to %d: %w", upTo-len(batch), upTo-1, err)
		}
		for _, rec := range batch {
			st.Versions++
			st.Packages += len(rec.Artifact.Packages)
			st.Findings += len(rec.Findings)
		}
		batch = batch[:0]
		return nil
	}
	for i := range opt.Versions {
		batch = append(batch, version(r, pool, layers, opt.PackagesPerVersion, i, i%functions, t0.Add(time.Duration(i)*time.Minute)))
		if len(batch) == 100 || i == opt.Versions-1 {
			if err := flush(i + 1); err != nil {
				return st, err
			}
		}
		if opt.Progress != nil && (i+1)%1000 == 0 {
			opt.Progress(i + 1)
		}
	}
	// As after a fleet sync: fresh planner statistics.
	if err := s.Analyze(ctx); err != nil {
		return st, fmt.Errorf("invgen: %w", err)
	}
	return st, nil
}

type layer struct {
	digest   string
	packages []inventory.PackageRow // origin index set per use
}

func digestOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// pkgVersion picks one of eight versions of a name: a fleet carries a
// handful of versions of each package, not a new one per copy.
func pkgVersion(r *rand.Rand, name string) string {
	h := sha256.Sum256([]byte(name))
	k := int(h[0]) + r.IntN(8)
	return fmt.Sprintf("%d.%d.%d", int(h[1])%5, k%30, (k*7)%20)
}

// root is where a runtime finds packages of an ecosystem.
func root(eco string, inLayer bool) string {
	base := "/var/task/"
	if inLayer {
		base = "/opt/"
	}
	switch eco {
	case "npm":
		if inLayer {
			return base + "nodejs/node_modules/"
		}
		return base + "node_modules/"
	case "PyPI":
		if inLayer {
			return base + "python/lib/python3.11/site-packages/"
		}
		return base
	}
	return base + "lib/"
}

func row(r *rand.Rand, n Name, path string, o inventory.Origin) inventory.PackageRow {
	v := pkgVersion(r, n.Name)
	return inventory.PackageRow{Ecosystem: n.Ecosystem, Name: n.Name, Version: v, Path: path,
		PURL: "pkg:" + n.Ecosystem + "/" + n.Name + "@" + v, Origin: o, Loaded: true, Evidence: "package.json"}
}

func newLayer(r *rand.Rand, pool []Name, i int) layer {
	l := layer{digest: digestOf(fmt.Sprintf("invgen-layer-%d", i))}
	for j := range 40 {
		n := pool[r.IntN(len(pool))]
		l.packages = append(l.packages, row(r, n, fmt.Sprintf("%s%s-%d", root(n.Ecosystem, true), n.Name, j),
			inventory.Origin{Kind: inventory.OriginLayer, Digest: l.digest}))
	}
	return l
}

// version builds version i of function fn: one to three shared layers, own
// packages up to about per, a layer copy shadowed where the function has
// the same name, and a finding on about one package in fifty.
func version(r *rand.Rand, pool []Name, layers []layer, per, i, fn int, at time.Time) inventory.ScanRecord {
	code := digestOf(fmt.Sprintf("invgen-code-%d", i))
	rec := inventory.ScanRecord{
		Function: inventory.Function{FunctionRef: inventory.FunctionRef{Source: "aws",
			Account: fmt.Sprintf("%012d", 100000000000+fn%20), Region: []string{"us-east-1", "eu-west-1", "ap-south-1"}[fn%3],
			Name: fmt.Sprintf("fn-%05d", fn), Qualifier: "$LATEST"}},
		Version:      inventory.Version{PackageType: "zip", Runtime: "nodejs20.x", Architectures: []string{"x86_64"}, CodeSHA256Hex: code[7:]},
		DBGeneration: Generation,
		Run:          inventory.Run{At: at, Target: fmt.Sprintf("fn-%05d", fn)},
	}
	var own []inventory.PackageRow
	ownNames := map[Name]string{}
	nl := 1 + r.IntN(3)
	picked := map[int]bool{}
	var ls []layer
	for len(ls) < nl {
		k := r.IntN(len(layers))
		if !picked[k] {
			picked[k] = true
			ls = append(ls, layers[k])
		}
	}
	layerCount := 0
	for _, l := range ls {
		layerCount += len(l.packages)
	}
	for j := range max(0, per-layerCount) {
		n := pool[r.IntN(len(pool))]
		p := row(r, n, fmt.Sprintf("%s%s-%d", root(n.Ecosystem, false), n.Name, j),
			inventory.Origin{Kind: inventory.OriginFunction, Digest: code})
		own = append(own, p)
		ownNames[n] = p.Path
	}
	rec.Artifact.Packages = own
	digests := []string{}
	for li, l := range ls {
		digests = append(digests, l.digest)
		rec.Version.Layers = append(rec.Version.Layers, inventory.Layer{Digest: l.digest,
			ARN: fmt.Sprintf("arn:aws:lambda:us-east-1:100000000000:layer:l%s:1", l.digest[7:15])})
		for _, p := range l.packages {
			p.Origin.Index = li + 1
			if w, ok := ownNames[Name{p.Ecosystem, p.Name}]; ok {
				p.Loaded, p.ShadowedBy = false, w
			}
			rec.Artifact.Packages = append(rec.Artifact.Packages, p)
		}
	}
	rec.Artifact.Digest = inventory.DeploymentDigest(code, digests...)
	for _, p := range rec.Artifact.Packages {
		if r.IntN(50) == 0 {
			rec.Findings = append(rec.Findings, inventory.FindingRow{AdvisoryID: "GHSA-gen-" + p.Name, Kind: "vulnerability",
				Severity: "HIGH", Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version, Path: p.Path, Verdict: inventory.VerdictFail})
		}
	}
	rec.Findings = dedupe(rec.Findings)
	rec.Run.Result = inventory.ResultPass
	if len(rec.Findings) > 0 {
		rec.Run.Result = inventory.ResultFail
	}
	return rec
}

// dedupe drops a second finding of the same advisory at the same path.
func dedupe(fs []inventory.FindingRow) []inventory.FindingRow {
	seen := map[[2]string]bool{}
	out := fs[:0]
	for _, f := range fs {
		k := [2]string{f.Path, f.AdvisoryID}
		if !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out
}
