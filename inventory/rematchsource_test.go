package inventory

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fnaudit/fnaudit/feeds"
)

// TestRematchDistroSource: Ubuntu's record for sudo (testdata/osv/Ubuntu)
// names the source package; an image carries the binary package sudo-ldap,
// built from it (the purl's upstream qualifier, as syft writes it). An
// incremental rematch after importing the record reports sudo-ldap, though
// no stored package is named sudo; a later import that changes nothing
// about sudo leaves it alone.
func TestRematchDistroSource(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := openT(t, dsn)
		dbPath := filepath.Join(t.TempDir(), "advisories.db")
		gen := importedGeneration(t, dbPath, "../testdata/osv/npm")

		const eco = "Ubuntu:24.04:LTS"
		layer := "sha256:" + "5e" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
		rec := ScanRecord{
			Function:     awsFn("image-fn"),
			DBGeneration: gen,
			Version:      Version{PackageType: "image", ImageDigest: layer, Provenance: ProvenanceAbsent},
			Run:          Run{At: t0, Target: "image", Result: ResultPass},
		}
		rec.Artifact.Digest = DeploymentDigest(layer)
		for _, p := range []struct{ name, purl string }{
			{"sudo-ldap", "pkg:deb/ubuntu/sudo-ldap@1.9.15p5-3ubuntu5?arch=amd64&distro=ubuntu-24.04&upstream=sudo"},
			{"libc6", "pkg:deb/ubuntu/libc6@2.39-0ubuntu8?arch=amd64&distro=ubuntu-24.04&upstream=glibc"},
		} {
			version := map[string]string{"sudo-ldap": "1.9.15p5-3ubuntu5", "libc6": "2.39-0ubuntu8"}[p.name]
			rec.Artifact.Packages = append(rec.Artifact.Packages, PackageRow{Ecosystem: eco, Name: p.name, Version: version,
				PURL: p.purl, Path: "/var/lib/dpkg/status", Origin: Origin{Kind: OriginImageLayer, Index: 1, Digest: layer}, Loaded: true})
		}
		mustRecord(t, s, rec)

		rematch := func() RematchResult { t.Helper(); return rematchWith(t, s, dbPath, false) }
		if _, err := feeds.Import(ctx, dbPath, []string{"../testdata/osv/Ubuntu"}); err != nil {
			t.Fatal(err)
		}
		res := rematch()
		// The record names sudo in Ubuntu 24.04 and 25.04.
		if res.Full || !slices.Equal(res.Changed, []NameKey{{eco, "sudo"}, {"Ubuntu:25.04", "sudo"}}) {
			t.Fatalf("rematch after the sudo record: full %v (%s), changed %v", res.Full, res.FullReason, res.Changed)
		}
		if len(res.Changes) != 1 || len(res.Changes[0].New) != 1 || len(res.Changes[0].Fixed) != 0 {
			t.Fatalf("changes %+v", res.Changes)
		}
		n := res.Changes[0].New[0]
		eq(t, "new finding", []string{n.AdvisoryID, n.Name, n.Version, n.Ecosystem},
			[]string{"UBUNTU-CVE-2025-32463", "sudo-ldap", "1.9.15p5-3ubuntu5", eco})
		eq(t, "function", res.Changes[0].Functions[0].Name, "image-fn")
		_, fs, err := s.ArtifactFindings(ctx, rec.Artifact.Digest)
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "stored findings", len(fs), 1)
		if again := rematch(); len(again.Changed) != 0 || again.Artifacts != 0 {
			t.Errorf("second rematch looked again: %+v", again)
		}
	})
}
