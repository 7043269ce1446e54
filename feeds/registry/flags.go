package registry

import (
	"fmt"
	"strings"
)

// ParseBaseURLs reads `--registry ECOSYSTEM=URL` values (repeatable, one
// per ecosystem) into Options.BaseURLs, refusing an unknown ecosystem, a
// URL that is not http(s) and an ecosystem given twice.
func ParseBaseURLs(values []string) (map[string]string, error) {
	out := map[string]string{}
	for _, v := range values {
		k, u, ok := strings.Cut(v, "=")
		if !ok || strings.TrimSpace(k) == "" || strings.TrimSpace(u) == "" {
			return nil, fmt.Errorf("--registry %q: want ECOSYSTEM=URL (for example npm=https://npm.example.com)", v)
		}
		eco, ok := CanonicalEcosystem(k)
		if !ok {
			return nil, fmt.Errorf("--registry %q: unknown ecosystem %q (supported: npm, pypi, go, nuget, rubygems)", v, k)
		}
		if _, dup := out[eco]; dup {
			return nil, fmt.Errorf("--registry %q: %s given twice", v, eco)
		}
		out[eco] = strings.TrimSpace(u)
	}
	// Check the URLs the way Lookup will.
	if _, err := newClient(Options{BaseURLs: out}); err != nil {
		return nil, fmt.Errorf("--registry: %w", err)
	}
	return out, nil
}
