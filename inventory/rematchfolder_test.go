package inventory

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/fnaudit/fnaudit/feeds"
)

// TestRematchFolderName: a function ships node_modules/flatmap-stream whose
// package.json calls itself "innocent" (the hostile rename the scan fails
// closed on: the matcher takes the folder for flatmap-stream). When the
// flatmap-stream record arrives after the scan, the incremental rematch
// reports the copy, and investigate flatmap-stream lists it.
func TestRematchFolderName(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := openT(t, dsn)
		dbPath := filepath.Join(t.TempDir(), "advisories.db")
		gen := importedGeneration(t, dbPath, "../testdata/osv/Ubuntu")

		code := "sha256:" + "f0" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
		rec := ScanRecord{
			Function:     awsFn("renamed-fn"),
			DBGeneration: gen,
			Version:      Version{PackageType: "zip", Runtime: "nodejs20.x", Provenance: ProvenanceAbsent},
			Run:          Run{At: t0, Target: "renamed.zip", Result: ResultPass},
		}
		rec.Artifact.Digest = DeploymentDigest(code)
		rec.Artifact.Packages = []PackageRow{{Ecosystem: "npm", Name: "innocent", Version: "0.1.1",
			PURL: "pkg:npm/innocent@0.1.1", Path: "/var/task/node_modules/flatmap-stream", Alias: "flatmap-stream",
			Origin: Origin{Kind: OriginFunction, Digest: code}, Loaded: true}}
		mustRecord(t, s, rec)

		if _, err := feeds.Import(ctx, dbPath, []string{"../testdata/osv/npm/MAL-2025-20690.json"}); err != nil {
			t.Fatal(err)
		}
		res := rematchWith(t, s, dbPath, false)
		if res.Full || len(res.Changes) != 1 || len(res.Changes[0].New) != 1 {
			t.Fatalf("rematch after the flatmap-stream record: full %v (%s), changed %v, changes %+v",
				res.Full, res.FullReason, res.Changed, res.Changes)
		}
		n := res.Changes[0].New[0]
		eq(t, "new finding", []string{n.AdvisoryID, n.Name, n.Version, n.Path},
			[]string{"MAL-2025-20690", "innocent", "0.1.1", "/var/task/node_modules/flatmap-stream"})

		hits, err := s.Investigate(ctx, Query{Ecosystem: "npm", Name: "flatmap-stream"})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 1 || hits[0].Package.Name != "innocent" || hits[0].Package.Alias != "flatmap-stream" ||
			hits[0].Function.Name != "renamed-fn" {
			t.Fatalf("investigate flatmap-stream: %+v", hits)
		}
		if hits, err := s.Investigate(ctx, Query{Ecosystem: "npm", Name: "innocent"}); err != nil || len(hits) != 1 {
			t.Fatalf("investigate innocent: %+v, %v", hits, err)
		}
	})
}
