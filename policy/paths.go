package policy

import "path/filepath"

func dirOf(path string) string { return filepath.Dir(path) }

func joinIfRelative(dir, p string) string {
	if filepath.IsAbs(p) || dir == "" {
		return p
	}
	return filepath.Join(dir, p)
}
