package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/sbom"
)

// checkCoverage refuses to match packages against a database that has no
// advisories for their ecosystems, or only stale ones (feeds.CheckCoverage);
// staleness alone is accepted with --db-validate-age=false, with a warning.
func checkCoverage(ctx context.Context, g *globalOptions, f *scanFlags, store *feeds.Store, pkgs []sbom.Package, now time.Time) error {
	ecosystems := make([]string, 0, len(pkgs))
	for _, p := range pkgs {
		ecosystems = append(ecosystems, p.Ecosystem)
	}
	err := store.CheckCoverage(ctx, ecosystems, now, f.maxAge)
	if errors.Is(err, feeds.ErrStale) && !f.validateAge {
		fmt.Fprintf(g.stderr, "fnaudit: warning: %v (accepted: --%s=false)\n", err, feeds.FlagValidateAge)
		return nil
	}
	return err
}
