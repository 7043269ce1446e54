package inventory

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/match"
	"github.com/fnaudit/fnaudit/report"
)

// Identity is what a report does not say about a scan: whose function it
// is, which run it was, and what the deployment reported about itself.
type Identity struct {
	Function Function
	// Version carries what a cloud API reports (ARN-level layer names,
	// architectures, signing). Fields FromReport can read from the report
	// (package type, runtime, digests, layer digests) are filled in when
	// empty here.
	Version Version
	RunKey  string    // "" for a digest of the record
	At      time.Time // the run's time; zero: the report's CreatedAt
}

// FromReport turns one finished gate run into the record RecordScan
// stores. generation is the advisory database generation the findings come
// from (feeds.Store.Generation). The result is the gate's: a passed gate
// is a pass, anything else a fail.
func FromReport(rep *report.Report, id Identity, generation string) ScanRecord {
	at := id.At
	if at.IsZero() {
		at = rep.CreatedAt
	}
	rec := ScanRecord{
		Function:     id.Function,
		Version:      versionOf(rep, id.Version),
		DBGeneration: generation,
		Run: Run{Key: id.RunKey, At: at, Target: rep.Artifact.Target, Result: ResultFail,
			Decision: decisionLine(rep)},
	}
	if rep.Gate.Pass {
		rec.Run.Result = ResultPass
	}
	rec.Artifact = Artifact{Digest: ArtifactDigest(rep), Packages: packageRows(rep)}
	rec.Findings, rec.Reachability = findingRows(rep)
	return rec
}

// Undecided is the record of a run that ended in an error after its target
// was known: it is kept as undecided with the error, never as a pass.
func Undecided(id Identity, target string, err error) ScanRecord {
	at := id.At
	if at.IsZero() {
		at = time.Now()
	}
	msg := "unknown error"
	if err != nil {
		msg = oneLine(err)
	}
	return ScanRecord{Function: id.Function,
		Run: Run{Key: id.RunKey, At: at, Target: target, Result: ResultUndecided, Decision: "undecided", Error: msg}}
}

// ArtifactDigest is the content address of a report's deployment: the
// code's digest combined with its layers' (DeploymentDigest). A target
// without a digest of its own (a directory, an SBOM file) is addressed by
// its package list, which is all the inventory keeps of it.
func ArtifactDigest(rep *report.Report) string {
	code := rep.Artifact.Digest
	if code == "" {
		var pkgs []core.Package
		if rep.SBOM != nil {
			pkgs = rep.SBOM.Packages
		}
		b, _ := json.Marshal(pkgs) // plain data: cannot fail
		sum := sha256.Sum256(append([]byte("fnaudit-packages\n"), b...))
		return "sha256:" + hex.EncodeToString(sum[:])
	}
	var layers []string
	for _, o := range layerOrigins(rep) {
		layers = append(layers, o.Digest)
	}
	return DeploymentDigest(code, layers...)
}

// GoBinaryKey names a Go binary for its reachability facts: the digest of
// the zip or image layer it came from and its path there decide its bytes.
// The engine does not hash the binary itself, so this content address
// stands in for the binary's digest; the same code zip deployed with other
// layers shares its facts.
func GoBinaryKey(originDigest, path string) string {
	sum := sha256.Sum256([]byte("fnaudit-go-binary\n" + originDigest + "\n" + path))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func layerOrigins(rep *report.Report) []core.Origin {
	var out []core.Origin
	for _, o := range rep.Artifact.Origins {
		if o.Kind == core.OriginLayer {
			out = append(out, o)
		}
	}
	slices.SortStableFunc(out, func(a, b core.Origin) int { return a.Index - b.Index })
	return out
}

func versionOf(rep *report.Report, v Version) Version {
	a := rep.Artifact
	if v.PackageType == "" {
		v.PackageType = "zip"
		if a.Kind == core.ArtifactImage {
			v.PackageType = "image"
		}
	}
	if v.Runtime == "" && a.Kind != core.ArtifactImage {
		v.Runtime = a.Runtime
	}
	if a.Kind == core.ArtifactImage {
		if v.ImageDigest == "" {
			v.ImageDigest = a.Digest
		}
	} else if hexDigest, ok := strings.CutPrefix(a.Digest, "sha256:"); ok {
		if v.CodeSHA256Hex == "" {
			v.CodeSHA256Hex = hexDigest
		}
		if v.CodeSha256 == "" {
			v.CodeSha256 = a.CodeSha256
		}
	}
	if len(v.Layers) == 0 {
		for _, o := range layerOrigins(rep) {
			v.Layers = append(v.Layers, Layer{ARN: o.Name, Digest: o.Digest, CodeSha256: core.CodeSha256(o.Digest)})
		}
	}
	if v.Provenance == ProvenanceUnknown && rep.Provenance != nil {
		v.Provenance = ProvenanceUnverified
		if rep.Provenance.Verified {
			v.Provenance = ProvenanceVerified
		}
	}
	return v
}

func decisionLine(rep *report.Report) string {
	if rep.Gate.Pass {
		return "pass"
	}
	return "fail: " + itoa(rep.Gate.Failing) + " of " + itoa(len(rep.Findings)) + " findings fail the policy"
}

func itoa(n int) string { return strconv.Itoa(n) }

// originOf maps a package's origin to the inventory's three kinds: an
// unpacked directory or an SBOM file stands for the function's own code.
func originOf(o core.Origin) Origin {
	switch o.Kind {
	case core.OriginLayer:
		return Origin{Kind: OriginLayer, Index: o.Index, Digest: o.Digest}
	case core.OriginImageLayer:
		return Origin{Kind: OriginImageLayer, Index: o.Index, Digest: o.Digest}
	default:
		return Origin{Kind: OriginFunction, Index: 0, Digest: o.Digest}
	}
}

// packageRows keeps one row per copy and path of each package.
func packageRows(rep *report.Report) []PackageRow {
	if rep.SBOM == nil {
		return nil
	}
	var out []PackageRow
	for _, p := range rep.SBOM.Packages {
		paths := p.Paths
		if len(paths) == 0 {
			paths = []string{""}
		}
		ev := p.Evidence
		if p.Declared {
			ev = strings.TrimPrefix(ev+",declared", ",")
		}
		for _, path := range paths {
			out = append(out, PackageRow{Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version, PURL: p.PURL,
				Path: path, Origin: originOf(p.Origin), Loaded: p.Loaded, ShadowedBy: p.ShadowedBy, Evidence: ev,
				Alias: p.Alias, AliasDeclared: p.AliasDeclared})
		}
	}
	return out
}

// findingRows keeps each finding once per (package path, name, advisory)
// with the gate's verdict, and the Go reachability facts per binary.
func findingRows(rep *report.Report) ([]FindingRow, []ReachabilityFact) {
	var rows []FindingRow
	var facts []ReachabilityFact
	seen := map[findingKey]bool{}
	for _, f := range rep.Findings {
		if len(f.IDs) == 0 {
			continue
		}
		row := FindingRow{AdvisoryID: f.IDs[0], Aliases: aliasesOf(f.IDs[1:], f.Aliases), Kind: string(f.Kind),
			Severity: string(f.Severity), Ecosystem: f.Package.Ecosystem, Name: f.Package.Name,
			Version: f.Package.Version, Path: f.Package.Path, Verdict: verdictOf(f.Gate)}
		if k := keyOf(row); !seen[k] {
			seen[k] = true
			rows = append(rows, row)
		}
		if f.Package.Ecosystem == core.EcosystemGo && f.Reachable != "" {
			facts = append(facts, ReachabilityFact{BinaryDigest: GoBinaryKey(f.Package.Origin.Digest, f.Package.Path),
				AdvisoryID: row.AdvisoryID, Reachable: reachableOf(f.Reachable), Symbols: f.ReachableSymbols})
		}
	}
	return rows, facts
}

func aliasesOf(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func verdictOf(v report.Verdict) string {
	switch {
	case v.Fails:
		return VerdictFail
	case v.Exception != nil || v.VEX != nil:
		return VerdictIgnored
	default:
		return VerdictWarn
	}
}

func reachableOf(r match.Reachability) string {
	switch r {
	case match.Reachable:
		return ReachableTrue
	case match.Unreachable:
		return ReachableFalse
	default:
		return ReachableUnknown
	}
}
