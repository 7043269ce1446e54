package sbom

import (
	"testing"

	"github.com/anchore/syft/syft/linux"
)

// Issue 10.10: image packages are labelled with the ecosystem osv.dev's
// records use (the release is then compared by core.EcosystemCovers; its
// test pairs these strings with real record ecosystems).
func TestDistroEcosystem(t *testing.T) {
	for _, c := range []struct {
		rel  *linux.Release
		want string
	}{
		{&linux.Release{ID: "debian", VersionID: "12", Version: "12 (bookworm)"}, "Debian:12"},
		{&linux.Release{ID: "debian", VersionCodename: "trixie"}, "Debian"},
		{&linux.Release{ID: "ubuntu", VersionID: "22.04", Version: "22.04.5 LTS (Jammy Jellyfish)"}, "Ubuntu:22.04:LTS"},
		{&linux.Release{ID: "ubuntu", VersionID: "24.04"}, "Ubuntu:24.04:LTS"},
		{&linux.Release{ID: "ubuntu", VersionID: "24.10", Version: "24.10 (Oracular Oriole)"}, "Ubuntu:24.10"},
		{&linux.Release{ID: "ubuntu", VersionID: "23.04", Version: "23.04 (Lunar Lobster)"}, "Ubuntu:23.04"},
		{&linux.Release{ID: "alpine", VersionID: "3.19.1"}, "Alpine:v3.19"},
		{&linux.Release{ID: "alpine", VersionID: "3.21.0_alpha20240807"}, "Alpine:v3.21"},
		{&linux.Release{ID: "rhel", VersionID: "9.4"}, "Red Hat:enterprise_linux:9"},
		{&linux.Release{ID: "rhel", VersionID: "8"}, "Red Hat:enterprise_linux:8"},
		{&linux.Release{ID: "almalinux", VersionID: "9.3"}, "AlmaLinux:9"},
		{&linux.Release{ID: "rocky", VersionID: "8.9"}, "Rocky Linux:8"},
		{&linux.Release{ID: "wolfi", VersionID: "20230201"}, "Wolfi"},
		{&linux.Release{ID: "chainguard", VersionID: "20230214"}, "Chainguard"},
		// No OSV ecosystem exists for these: listed, not matchable.
		{&linux.Release{ID: "amzn", VersionID: "2023"}, ""},
		{&linux.Release{ID: "centos", VersionID: "7"}, ""},
		{nil, ""},
	} {
		if got := distroEcosystem(c.rel); got != c.want {
			t.Errorf("distroEcosystem(%+v) = %q, want %q", c.rel, got, c.want)
		}
	}
}
