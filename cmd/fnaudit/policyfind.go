package main

import (
	"os"
	"path/filepath"

	"github.com/fnaudit/fnaudit/policy"
)

// configFileNames are the policy files looked for in the user's config
// directory ($XDG_CONFIG_HOME/fnaudit/).
var configFileNames = []string{policy.FileName, "policy.yaml"}

// findPolicy is the policy file scan applies and how it was found:
// --policy (or FNAUDIT_POLICY); else .fnaudit.yaml in the working
// directory or a parent, up to the repository root (the first directory
// holding .git), as golangci-lint and Trivy find their configs; else
// $XDG_CONFIG_HOME/fnaudit/ (default ~/.config/fnaudit/). "" is the
// built-in default.
func findPolicy(g *globalOptions, flag string) (path, source string) {
	if flag != "" {
		if g.fromEnv["policy"] {
			return flag, "env"
		}
		return flag, "flag"
	}
	dir := g.workDir
	if dir == "" {
		dir, _ = os.Getwd()
	}
	for dir != "" {
		if p := filepath.Join(dir, policy.FileName); isFile(p) {
			return p, "search"
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	if cfg := configDir(g); cfg != "" {
		for _, name := range configFileNames {
			if p := filepath.Join(cfg, "fnaudit", name); isFile(p) {
				return p, "config"
			}
		}
	}
	return "", "default"
}

// configDir is $XDG_CONFIG_HOME, else $HOME/.config (read through g.env).
func configDir(g *globalOptions) string {
	if d, ok := g.env("XDG_CONFIG_HOME"); ok && filepath.IsAbs(d) {
		return d
	}
	if h, ok := g.env("HOME"); ok && h != "" {
		return filepath.Join(h, ".config")
	}
	return ""
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
