package inventory

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"golang.org/x/mod/semver"
)

// hitLine is the part of a Hit the assertions compare.
type hitLine struct {
	Fn, Region, Path, Version, Origin string
	Index                             int
	Loaded                            bool
	ShadowedBy                        string
	Deployed                          bool
	First, Last                       time.Time
	Advisories                        []string
}

func lines(hs []Hit) []hitLine {
	out := []hitLine{}
	for _, h := range hs {
		out = append(out, hitLine{h.Function.Name, h.Function.Region, h.Package.Path, h.Package.Version, h.Package.Origin.Kind,
			h.Package.Origin.Index, h.Package.Loaded, h.Package.ShadowedBy, h.Deployed, h.FirstSeen, h.LastSeen, h.Advisories})
	}
	return out
}

func investigate(t *testing.T, s *Store, q Query) []hitLine {
	t.Helper()
	hs, err := s.Investigate(context.Background(), q)
	if err != nil {
		t.Fatalf("Investigate(%+v): %v", q, err)
	}
	return lines(hs)
}

func mustRecord(t *testing.T, s *Store, rec ScanRecord) Recorded {
	t.Helper()
	r, err := s.RecordScan(context.Background(), rec)
	if err != nil {
		t.Fatalf("RecordScan: %v", err)
	}
	return r
}

func eq(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func TestRecordAndInvestigate(t *testing.T) {
	c := loadCorpus(t)
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openT(t, dsn)
		t1 := t0.Add(time.Hour)
		mustRecord(t, s, corpusRecord(c, awsFn("es-fn"), "event-stream-reconstruction.zip", nil, t0, "gen-1"))
		api := corpusRecord(c, awsFn("api"), "node-app.zip", []string{"node-layer.zip"}, t1, "gen-1")
		api.Version.Provenance = ProvenanceVerified
		mustRecord(t, s, api)

		flatmap := []hitLine{{"es-fn", "us-east-1", "/var/task/node_modules/flatmap-stream", "0.1.1", OriginFunction, 0, true, "", true, t0, t0, nil}}
		eq(t, "flatmap-stream", investigate(t, s, Query{Ecosystem: "npm", Name: "flatmap-stream"}), flatmap)
		eq(t, "FlatMap-Stream, any ecosystem", investigate(t, s, Query{Name: " FlatMap-Stream"}), flatmap)
		eq(t, "flatmap-stream in PyPI", investigate(t, s, Query{Ecosystem: "PyPI", Name: "flatmap-stream"}), []hitLine{})

		// The layer's top-level ms is shadowed by the function's; the copy
		// nested under send/ is loaded.
		ms := []hitLine{
			{"api", "us-east-1", "/opt/nodejs/node_modules/ms", "2.0.0", OriginLayer, 1, false, "/var/task/node_modules/ms", true, t1, t1, nil},
			{"api", "us-east-1", "/opt/nodejs/node_modules/send/node_modules/ms", "2.1.1", OriginLayer, 1, true, "", true, t1, t1, nil},
			{"api", "us-east-1", "/var/task/node_modules/ms", "2.1.3", OriginFunction, 0, true, "", true, t1, t1, nil},
		}
		eq(t, "ms", investigate(t, s, Query{Ecosystem: "npm", Name: "ms"}), ms)
		eq(t, "ms@2.0.0", investigate(t, s, Query{Ecosystem: "npm", Name: "ms",
			VersionFilter: func(v string) bool { return v == "2.0.0" }}), ms[:1])
		// A range as the CLI evaluates it: >=2.1.0, <2.1.3.
		eq(t, "ms >=2.1.0 <2.1.3", investigate(t, s, Query{Ecosystem: "npm", Name: "ms", VersionFilter: func(v string) bool {
			return semver.Compare("v"+v, "v2.1.0") >= 0 && semver.Compare("v"+v, "v2.1.3") < 0
		}}), ms[1:2])

		lodash := []hitLine{{"api", "us-east-1", "/var/task/node_modules/lodash", "4.17.15", OriginFunction, 0, true, "", true, t1, t1, nil}}
		eq(t, "lodash@4.17.15", investigate(t, s, Query{Ecosystem: "npm", Name: "lodash",
			VersionFilter: func(v string) bool { return v == "4.17.15" }}), lodash)
		eq(t, "lodash@4.17.21", investigate(t, s, Query{Ecosystem: "npm", Name: "lodash",
			VersionFilter: func(v string) bool { return v == "4.17.21" }}), []hitLine{})
		eq(t, "lodash, no provenance", investigate(t, s, Query{Ecosystem: "npm", Name: "lodash", NoProvenance: true}), []hitLine{})
		eq(t, "flatmap-stream, no provenance", investigate(t, s, Query{Name: "flatmap-stream", NoProvenance: true}), flatmap)

		adv := "GHSA-mh6f-8j2x-4483"
		eq(t, "advisory "+adv, investigate(t, s, Query{AdvisoryIDs: []string{adv}}), []hitLine{
			{"es-fn", "us-east-1", "/var/task/node_modules/event-stream", "3.3.6", OriginFunction, 0, true, "", true, t0, t0, []string{adv}},
			{"es-fn", "us-east-1", "/var/task/node_modules/flatmap-stream", "0.1.1", OriginFunction, 0, true, "", true, t0, t0, []string{adv}},
		})
		eq(t, "flatmap-stream by both advisories", investigate(t, s, Query{Name: "flatmap-stream",
			AdvisoryIDs: []string{"MAL-2025-20690", adv, "GHSA-none-none-none"}}), []hitLine{
			{"es-fn", "us-east-1", "/var/task/node_modules/flatmap-stream", "0.1.1", OriginFunction, 0, true, "", true, t0, t0,
				[]string{adv, "MAL-2025-20690"}},
		})
		// By alias (testdata/osv/npm/GHSA-p6mc-m468-83gw.json).
		lodashAdv := append([]hitLine(nil), lodash...)
		lodashAdv[0].Advisories = []string{"CVE-2020-8203"}
		eq(t, "by alias CVE-2020-8203", investigate(t, s, Query{AdvisoryIDs: []string{"CVE-2020-8203"}}), lodashAdv)

		if _, err := s.Investigate(context.Background(), Query{}); err == nil {
			t.Error("an empty query was accepted")
		}

		// Exact rows: one artifact per deployment, packages once each.
		esPk, appPk := len(c["event-stream-reconstruction.zip"].Packages), len(c["node-app.zip"].Packages)+len(c["node-layer.zip"].Packages)
		eq(t, "rows", [5]int{count(t, s, "functions"), count(t, s, "versions"), count(t, s, "artifacts"), count(t, s, "packages"), count(t, s, "scan_runs")},
			[5]int{2, 2, 2, esPk + appPk, 2})

		list, err := s.ListFunctions(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "list", []string{list[0].Name, list[0].LastResult, list[1].Name, list[1].LastResult}, []string{"api", ResultFail, "es-fn", ResultFail})
		eq(t, "list counts", []int{list[0].Versions, list[0].DeployedVersions}, []int{1, 1})

		d, err := s.ShowFunction(context.Background(), awsFn("es-fn").FunctionRef)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Versions) != 1 {
			t.Fatalf("show es-fn: %d versions, want 1", len(d.Versions))
		}
		var ids []string
		for _, f := range d.Versions[0].Findings {
			ids = append(ids, f.Name+" "+f.AdvisoryID)
		}
		eq(t, "show es-fn findings", ids, []string{"event-stream GHSA-mh6f-8j2x-4483", "flatmap-stream GHSA-mh6f-8j2x-4483", "flatmap-stream MAL-2025-20690"})
		eq(t, "show es-fn version", []any{d.Versions[0].Generation, d.Versions[0].PackageCount, d.Versions[0].Version.Architectures, d.Versions[0].Deployed},
			[]any{"gen-1", esPk, []string{"x86_64"}, true})
		da, err := s.ShowFunction(context.Background(), awsFn("api").FunctionRef)
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "show api layers", da.Versions[0].Version.Layers, api.Version.Layers)
		if _, err := s.ShowFunction(context.Background(), FunctionRef{Source: "aws", Name: "nope"}); !errors.Is(err, ErrNoFunction) {
			t.Errorf("show of an unknown function: %v", err)
		}
		found, err := s.FindFunctions(context.Background(), awsFn("api").ARN)
		if err != nil || len(found) != 1 || found[0].Name != "api" {
			t.Errorf("FindFunctions by ARN: %+v, %v", found, err)
		}
	})
}

func TestSharedArtifactStoredOnce(t *testing.T) {
	c := loadCorpus(t)
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openT(t, dsn)
		west := awsFn("es-copy")
		west.Region = "us-west-2"
		mustRecord(t, s, corpusRecord(c, awsFn("es-fn"), "event-stream-reconstruction.zip", nil, t0, "gen-1"))
		mustRecord(t, s, corpusRecord(c, west, "event-stream-reconstruction.zip", nil, t0.Add(time.Minute), "gen-1"))
		n := len(c["event-stream-reconstruction.zip"].Packages)
		eq(t, "rows", [6]int{count(t, s, "functions"), count(t, s, "versions"), count(t, s, "artifacts"), count(t, s, "packages"),
			count(t, s, "findings"), count(t, s, "scan_runs")}, [6]int{2, 2, 1, n, 3, 2})
		eq(t, "flatmap-stream", investigate(t, s, Query{Name: "flatmap-stream"}), []hitLine{
			{"es-fn", "us-east-1", "/var/task/node_modules/flatmap-stream", "0.1.1", OriginFunction, 0, true, "", true, t0, t0, nil},
			{"es-copy", "us-west-2", "/var/task/node_modules/flatmap-stream", "0.1.1", OriginFunction, 0, true, "", true, t0.Add(time.Minute), t0.Add(time.Minute), nil},
		})
		fns, err := s.ArtifactFunctions(context.Background(), DeploymentDigest("sha256:"+c["event-stream-reconstruction.zip"].SHA256), true)
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "artifact functions", []string{fns[0].Name, fns[1].Name}, []string{"es-fn", "es-copy"})
	})
}

func TestSeenAndDeployed(t *testing.T) {
	c := loadCorpus(t)
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openT(t, dsn)
		fn := awsFn("es-fn")
		day := 24 * time.Hour
		mustRecord(t, s, corpusRecord(c, fn, "event-stream-reconstruction.zip", nil, t0, "gen-1"))
		again := corpusRecord(c, fn, "event-stream-reconstruction.zip", nil, t0.Add(day), "gen-1")
		again.Version.Provenance = ProvenanceUnverified // a later check's outcome, same version
		mustRecord(t, s, again)
		eq(t, "same version seen twice", investigate(t, s, Query{Name: "flatmap-stream"}), []hitLine{
			{"es-fn", "us-east-1", "/var/task/node_modules/flatmap-stream", "0.1.1", OriginFunction, 0, true, "", true, t0, t0.Add(day), nil},
		})
		// A new deployment of the function: the old version is no longer
		// deployed, and its hits say so.
		mustRecord(t, s, corpusRecord(c, fn, "node-app.zip", nil, t0.Add(2*day), "gen-1"))
		// A backfilled older scan widens first seen and changes nothing else.
		mustRecord(t, s, corpusRecord(c, fn, "event-stream-reconstruction.zip", nil, t0.Add(-day), "gen-1"))
		eq(t, "replaced version", investigate(t, s, Query{Name: "flatmap-stream"}), []hitLine{
			{"es-fn", "us-east-1", "/var/task/node_modules/flatmap-stream", "0.1.1", OriginFunction, 0, true, "", false, t0.Add(-day), t0.Add(day), nil},
		})
		eq(t, "new version", investigate(t, s, Query{Name: "lodash"}), []hitLine{
			{"es-fn", "us-east-1", "/var/task/node_modules/lodash", "4.17.15", OriginFunction, 0, true, "", true, t0.Add(2 * day), t0.Add(2 * day), nil},
		})
		d, err := s.ShowFunction(context.Background(), fn.FunctionRef)
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "versions: provenance from the newest scan of each, deployed flags",
			[]any{len(d.Versions), d.Versions[0].Version.Provenance, d.Versions[0].Deployed, d.Versions[1].Deployed},
			[]any{2, ProvenanceUnverified, false, true})
		h, err := s.History(context.Background(), fn.FunctionRef)
		if err != nil {
			t.Fatal(err)
		}
		var at []time.Time
		for _, r := range h {
			at = append(at, r.At)
		}
		eq(t, "history", at, []time.Time{t0.Add(-day), t0, t0.Add(day), t0.Add(2 * day)})
		appFindings := 0
		for _, m := range c["node-app.zip"].Matches.Against {
			appFindings += len(m.Advisories)
		}
		eq(t, "history findings", []int{h[0].Findings, h[3].Findings}, []int{3, appFindings})
		deployed, err := s.DeployedArtifacts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "deployed", deployed, []string{"sha256:" + c["node-app.zip"].SHA256})
		if err := s.MarkUndeployed(context.Background(), fn.FunctionRef); err != nil {
			t.Fatal(err)
		}
		deployed, _ = s.DeployedArtifacts(context.Background())
		eq(t, "deployed after removal", len(deployed), 0)
	})
}

func TestRecordIdempotent(t *testing.T) {
	c := loadCorpus(t)
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openT(t, dsn)
		rec := corpusRecord(c, awsFn("api"), "node-app.zip", []string{"node-layer.zip"}, t0, "gen-1")
		rec.Reachability = []ReachabilityFact{{BinaryDigest: "sha256:b1", AdvisoryID: "GO-2021-0113", Reachable: ReachableTrue, Symbols: []string{"language.Parse"}}}
		tables := []string{"functions", "versions", "version_layers", "artifacts", "packages", "findings", "finding_ids", "scan_runs", "reachability"}
		snapshot := func() []int {
			var n []int
			for _, tb := range tables {
				n = append(n, count(t, s, tb))
			}
			return n
		}
		first := mustRecord(t, s, rec)
		before := snapshot()
		again := mustRecord(t, s, rec)
		if first.Duplicate || !again.Duplicate || first.RunKey != again.RunKey {
			t.Errorf("recorded %+v then %+v; want the second a duplicate of the first", first, again)
		}
		eq(t, "rows after re-record", snapshot(), before)
		eq(t, "scan runs", before[7], 1)
		// An explicit key: a retried job with the same key is one run.
		rec.Run.Key, rec.Run.At = "job-42", t0.Add(time.Hour)
		mustRecord(t, s, rec)
		rec.Run.At = t0.Add(2 * time.Hour)
		if r := mustRecord(t, s, rec); !r.Duplicate {
			t.Error("a retried job with the same key was recorded twice")
		}
		eq(t, "scan runs with key", count(t, s, "scan_runs"), 2)
	})
}

func TestFailedAndUndecidedRecorded(t *testing.T) {
	c := loadCorpus(t)
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openT(t, dsn)
		ctx := context.Background()
		fn := awsFn("broken")
		// Could not open the artifact: no version, no packages, undecided.
		mustRecord(t, s, ScanRecord{Function: fn, Run: Run{At: t0, Target: "broken.zip", Result: ResultUndecided,
			Error: "open broken.zip: entry a/../../x: path escapes the archive"}})
		fail := corpusRecord(c, fn, "event-stream-reconstruction.zip", nil, t0.Add(time.Hour), "gen-1")
		mustRecord(t, s, fail)
		h, err := s.History(ctx, fn.FunctionRef)
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "history", []RunSummary{h[0], {Result: h[1].Result, Findings: h[1].Findings, Blocking: h[1].Blocking}}, []RunSummary{
			{Key: h[0].Key, At: t0, Target: "broken.zip", Result: ResultUndecided, Error: "open broken.zip: entry a/../../x: path escapes the archive"},
			{Result: ResultFail, Findings: 3, Blocking: 3},
		})
		list, _ := s.ListFunctions(ctx)
		eq(t, "last result", list[0].LastResult, ResultFail)

		// What must never be stored.
		bad := map[string]ScanRecord{
			"no result":               {Function: fn, Run: Run{At: t0}},
			"pass with an error":      {Function: fn, Artifact: fail.Artifact, DBGeneration: "g", Run: Run{At: t0, Result: ResultPass, Error: "timeout"}},
			"pass without artifact":   {Function: fn, DBGeneration: "g", Run: Run{At: t0, Result: ResultPass}},
			"pass without generation": {Function: fn, Artifact: fail.Artifact, Run: Run{At: t0, Result: ResultPass}},
			"no time":                 {Function: fn, Run: Run{Result: ResultFail}},
			"bad verdict": {Function: fn, Artifact: fail.Artifact, DBGeneration: "g", Run: Run{At: t0, Result: ResultFail},
				Findings: []FindingRow{{AdvisoryID: "X", Ecosystem: "npm", Name: "a", Verdict: "maybe"}}},
		}
		for name, rec := range bad {
			if _, err := s.RecordScan(ctx, rec); !errors.Is(err, ErrInvalidRecord) {
				t.Errorf("%s: RecordScan = %v, want ErrInvalidRecord", name, err)
			}
		}
		eq(t, "scan runs", count(t, s, "scan_runs"), 2)
	})
}

func TestRematchSupport(t *testing.T) {
	c := loadCorpus(t)
	forEachBackend(t, func(t *testing.T, dsn string) {
		s := openT(t, dsn)
		ctx := context.Background()
		es := corpusRecord(c, awsFn("es-fn"), "event-stream-reconstruction.zip", nil, t0, "gen-1")
		api := corpusRecord(c, awsFn("api"), "node-app.zip", []string{"node-layer.zip"}, t0, "gen-1")
		mustRecord(t, s, es)
		mustRecord(t, s, api)

		deployed, err := s.DeployedArtifacts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{api.Artifact.Digest, es.Artifact.Digest}
		if want[0] > want[1] {
			want[0], want[1] = want[1], want[0]
		}
		eq(t, "deployed artifacts", deployed, want)

		collect := func(names []NameKey) map[string][]string {
			got := map[string][]string{}
			err := s.RematchPackages(ctx, names, func(a ArtifactPackages) error {
				got[a.Digest] = []string{}
				for _, p := range a.Packages {
					got[a.Digest] = append(got[a.Digest], p.Name+"@"+p.Version+" "+p.Path)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		eq(t, "incremental", collect([]NameKey{{"npm", "Lodash"}, {"npm", "flatmap-stream"}, {"PyPI", "ms"}}), map[string][]string{
			api.Artifact.Digest: {"lodash@4.17.15 /var/task/node_modules/lodash"},
			es.Artifact.Digest:  {"flatmap-stream@0.1.1 /var/task/node_modules/flatmap-stream"},
		})
		full := collect(nil)
		eq(t, "full", []int{len(full[api.Artifact.Digest]), len(full[es.Artifact.Digest])},
			[]int{len(api.Artifact.Packages), len(es.Artifact.Packages)})

		// The two-step incremental path: versions from the index, then the
		// rows of the affected versions only.
		pv, err := s.PackageVersions(ctx, []NameKey{{"npm", "Lodash"}, {"npm", "ms"}, {"PyPI", "ms"}})
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "package versions", pv, []PackageVersion{{Ecosystem: "npm", Name: "lodash", Version: "4.17.15"}, {Ecosystem: "npm", Name: "ms", Version: "2.0.0"}, {Ecosystem: "npm", Name: "ms", Version: "2.1.1"}, {Ecosystem: "npm", Name: "ms", Version: "2.1.3"}})
		affected := map[string][]string{}
		if err := s.AffectedPackages(ctx, []PackageVersion{{Ecosystem: "npm", Name: "ms", Version: "2.0.0"}, {Ecosystem: "npm", Name: "flatmap-stream", Version: "0.1.1"}}, func(a ArtifactPackages) error {
			for _, p := range a.Packages {
				affected[a.Digest] = append(affected[a.Digest], p.Name+"@"+p.Version+" "+p.Path)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		eq(t, "affected", affected, map[string][]string{
			api.Artifact.Digest: {"ms@2.0.0 /opt/nodejs/node_modules/ms"},
			es.Artifact.Digest:  {"flatmap-stream@0.1.1 /var/task/node_modules/flatmap-stream"},
		})
		withF, err := s.ArtifactsWithFindings(ctx, []NameKey{{"npm", "LODASH"}, {"npm", "ms"}})
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "artifacts with findings on lodash or ms", withF, []string{api.Artifact.Digest})

		// gen-2 drops one lodash advisory and adds one: an incremental
		// update scoped to lodash carries the other findings over.
		_, prev, _ := s.ArtifactFindings(ctx, api.Artifact.Digest)
		newF := FindingRow{AdvisoryID: "GHSA-test-new0-0001", Kind: "malicious", Severity: "CRITICAL", Ecosystem: "npm",
			Name: "lodash", Version: "4.17.15", Path: "/var/task/node_modules/lodash", Verdict: VerdictFail}
		kept := FindingRow{AdvisoryID: "GHSA-35jh-r3h4-6jhm", Aliases: []string{"CVE-2021-23337"}, Kind: "vulnerability", Severity: "HIGH",
			Ecosystem: "npm", Name: "lodash", Version: "4.17.15", Path: "/var/task/node_modules/lodash", Verdict: VerdictFail}
		diff, err := s.ReplaceFindings(ctx, FindingsUpdate{ArtifactDigest: api.Artifact.Digest, Generation: "gen-2",
			Scope: []NameKey{{"npm", "lodash"}}, Findings: []FindingRow{newF, kept}})
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "previous generation", diff.PreviousGeneration, "gen-1")
		eq(t, "new", diff.New, []FindingRow{newF})
		fixedIDs := []string{}
		for _, f := range diff.Fixed {
			fixedIDs = append(fixedIDs, f.Name+" "+f.AdvisoryID+" "+f.Path)
		}
		eq(t, "fixed", fixedIDs, []string{"lodash GHSA-p6mc-m468-83gw /var/task/node_modules/lodash"})
		gen, now, err := s.ArtifactFindings(ctx, api.Artifact.Digest)
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "current generation", []any{gen, len(now)}, []any{"gen-2", len(prev)})
		eq(t, "by new advisory", investigate(t, s, Query{AdvisoryIDs: []string{"GHSA-test-new0-0001"}}), []hitLine{
			{"api", "us-east-1", "/var/task/node_modules/lodash", "4.17.15", OriginFunction, 0, true, "", true, t0, t0, []string{"GHSA-test-new0-0001"}},
		})
		eq(t, "fixed advisory no longer current", investigate(t, s, Query{AdvisoryIDs: []string{"CVE-2020-8203"}}), []hitLine{})
		// The same update again: nothing new, nothing fixed.
		diff, err = s.ReplaceFindings(ctx, FindingsUpdate{ArtifactDigest: api.Artifact.Digest, Generation: "gen-2",
			Scope: []NameKey{{"npm", "lodash"}}, Findings: []FindingRow{newF, kept}})
		if err != nil || len(diff.New)+len(diff.Fixed) != 0 {
			t.Errorf("repeated update: %+v, %v", diff, err)
		}
		// A full rematch that finds nothing fixes everything.
		diff, err = s.ReplaceFindings(ctx, FindingsUpdate{ArtifactDigest: es.Artifact.Digest, Generation: "gen-2"})
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "full, all fixed", []int{len(diff.New), len(diff.Fixed)}, []int{0, 3})
		if _, err := s.ReplaceFindings(ctx, FindingsUpdate{ArtifactDigest: api.Artifact.Digest, Generation: "gen-3",
			Scope: []NameKey{{"npm", "ms"}}, Findings: []FindingRow{newF}}); !errors.Is(err, ErrInvalidRecord) && err == nil {
			t.Error("a finding outside the update's scope was accepted")
		}

		// A batch lands whole or not at all.
		genBefore, _, _ := s.ArtifactFindings(ctx, api.Artifact.Digest)
		if _, err := s.ReplaceFindingsAll(ctx, []FindingsUpdate{
			{ArtifactDigest: api.Artifact.Digest, Generation: "gen-9"},
			{ArtifactDigest: "sha256:not-in-the-inventory", Generation: "gen-9"},
		}); err == nil {
			t.Error("a batch naming an unknown artifact was accepted")
		}
		genAfter, _, _ := s.ArtifactFindings(ctx, api.Artifact.Digest)
		eq(t, "generation after a failed batch", genAfter, genBefore)
		diffs, err := s.ReplaceFindingsAll(ctx, []FindingsUpdate{
			{ArtifactDigest: es.Artifact.Digest, Generation: "gen-9", Findings: es.Findings[:1]},
			{ArtifactDigest: api.Artifact.Digest, Generation: "gen-9", Scope: []NameKey{{"npm", "lodash"}}, Findings: []FindingRow{kept}},
		})
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "batch diffs", []int{len(diffs[0].New), len(diffs[0].Fixed), len(diffs[1].New), len(diffs[1].Fixed)}, []int{1, 0, 0, 1})

		// Reachability facts per Go binary digest.
		facts := []ReachabilityFact{{BinaryDigest: "sha256:bin", AdvisoryID: "GO-2022-0969", Reachable: ReachableFalse, Symbols: []string{}},
			{BinaryDigest: "sha256:bin", AdvisoryID: "GO-2021-0113", Reachable: ReachableTrue, Symbols: []string{"language.Parse"}}}
		if err := s.PutReachability(ctx, facts); err != nil {
			t.Fatal(err)
		}
		r, err := s.Reachability(ctx, "sha256:bin")
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "reachability", r, map[string]ReachabilityFact{"GO-2022-0969": facts[0], "GO-2021-0113": facts[1]})
	})
}
