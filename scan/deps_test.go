package scan

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLeafDependencies keeps match, policy and report free of syft,
// stereoscope and SQLite: they work on the plain types of package core, so
// a stored result renders and a record matches without the catalogers or
// the store linked in.
func TestLeafDependencies(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "../match", "../policy", "../report", "../core").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list -deps listed only %d packages: %q", len(deps), out)
	}
	for _, d := range deps {
		for _, heavy := range []string{"github.com/anchore/syft", "github.com/anchore/stereoscope", "modernc.org/sqlite", "github.com/fnaudit/fnaudit/sbom", "github.com/fnaudit/fnaudit/feeds", "github.com/fnaudit/fnaudit/artifact"} {
			if d == heavy || strings.HasPrefix(d, heavy+"/") {
				t.Errorf("match, policy or report depend on %s", d)
			}
		}
	}
}
