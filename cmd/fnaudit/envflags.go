package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// envFlags are the flags FNAUDIT_<NAME> sets (FNAUDIT_DB for --db,
// FNAUDIT_FAIL_ON for --fail-on, ...), as Trivy's TRIVY_* and Grype's
// GRYPE_* do. A flag on the command line wins over the environment.
var envFlags = []string{
	"db", "quiet", "no-progress", "offline",
	"policy", "fail-on", "only-fixed", "db-max-allowed-age", "validate-age",
	"trusted-root", "certificate-identity", "certificate-identity-regexp",
	"certificate-oidc-issuer", "certificate-oidc-issuer-regexp",
	"inventory",
}

// envName is the variable of a flag: FNAUDIT_ and the name in upper case
// with '-' as '_'.
func envName(flag string) string {
	return "FNAUDIT_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// applyEnv sets each env flag's value from its variable before the command
// line is parsed, so that parsing the command line overrides it. The
// process environment is never written.
func applyEnv(root *cobra.Command, g *globalOptions) error {
	g.fromEnv = map[string]bool{}
	var err error
	var visit func(c *cobra.Command)
	visit = func(c *cobra.Command) {
		for _, fs := range []*pflag.FlagSet{c.PersistentFlags(), c.Flags()} {
			for _, name := range envFlags {
				f := fs.Lookup(name)
				if f == nil || err != nil {
					continue
				}
				v, ok := g.env(envName(name))
				if !ok || v == "" {
					continue
				}
				if e := f.Value.Set(v); e != nil {
					err = fmt.Errorf("%s=%q: %w", envName(name), v, e)
					return
				}
				g.fromEnv[name] = true
			}
		}
		for _, sub := range c.Commands() {
			visit(sub)
		}
	}
	visit(root)
	return err
}
