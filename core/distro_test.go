package core

import "testing"

// Issue 10.10: distribution releases as osv.dev's records spell them
// against the ecosystems fnaudit gives image packages.
func TestEcosystemCovers(t *testing.T) {
	for _, c := range []struct {
		record, pkg string
		want        bool
	}{
		{"Ubuntu:22.04:LTS", "Ubuntu:22.04:LTS", true},
		{"Ubuntu:22.04:LTS", "Ubuntu:22.04", true},
		{"Ubuntu:Pro:22.04:LTS", "Ubuntu:22.04:LTS", true},
		{"Ubuntu:Pro:FIPS-updates:22.04:LTS", "Ubuntu:22.04:LTS", true},
		{"Ubuntu:24.10", "Ubuntu:24.10", true},
		{"Ubuntu:20.04:LTS", "Ubuntu:22.04:LTS", false},
		{"Ubuntu:Pro:18.04:LTS", "Ubuntu:22.04:LTS", false},
		{"Ubuntu", "Ubuntu:22.04:LTS", true},
		{"Debian:12", "Debian:12", true},
		{"Debian:11", "Debian:12", false},
		{"Debian", "Debian:12", true},
		{"Alpine:v3.19", "Alpine:v3.19", true},
		{"Alpine:v3.19", "Alpine:3.19.1", true},
		{"Alpine:v3.18", "Alpine:v3.19", false},
		{"Red Hat:enterprise_linux:9::appstream", "Red Hat:enterprise_linux:9", true},
		{"Red Hat:enterprise_linux:9::baseos", "Red Hat:enterprise_linux:9", true},
		{"Red Hat:rhel_eus:9.2::baseos", "Red Hat:enterprise_linux:9", true},
		{"Red Hat:enterprise_linux:8::appstream", "Red Hat:enterprise_linux:9", false},
		{"Red Hat:openshift:4.14::el9", "Red Hat:enterprise_linux:9", false},
		{"Red Hat:enterprise_linux:9::appstream", "Red Hat", true},
		{"AlmaLinux:9", "AlmaLinux:9", true},
		{"AlmaLinux:8", "AlmaLinux:9", false},
		{"Rocky Linux:9", "Rocky Linux:9", true},
		{"Wolfi", "Wolfi", true},
		{"Chainguard", "Chainguard", true},
		{"Wolfi", "Chainguard", false},
		{"npm", "npm", true},
		{"PyPI", "pypi", true},
		{"Maven:https://repo.example", "Maven:https://other.example", false},
		{"Debian:12", "Ubuntu:12", false},
	} {
		if got := EcosystemCovers(c.record, c.pkg); got != c.want {
			t.Errorf("EcosystemCovers(%q, %q) = %v, want %v", c.record, c.pkg, got, c.want)
		}
	}
}
