package feeds

import "testing"

func TestCanonicalEcosystem(t *testing.T) {
	for in, want := range map[string]string{
		"npm": "npm", "NPM": "npm", "pypi": "PyPI", "go": "Go", "maven": "Maven",
		"crates.io": "crates.io", "debian:12": "Debian:12", "Ubuntu:22.04:LTS": "Ubuntu:22.04:LTS",
		"GitHub Actions": "GitHub Actions",
	} {
		if got, err := CanonicalEcosystem(in); got != want || err != nil {
			t.Errorf("CanonicalEcosystem(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "npmjs", "pip", "golang", ":12"} {
		if got, err := CanonicalEcosystem(in); err == nil {
			t.Errorf("CanonicalEcosystem(%q) = %q, want an error", in, got)
		}
	}
}
