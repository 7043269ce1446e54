package scan

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/report"
	"github.com/fnaudit/fnaudit/sbom"
)

// checkDatabase applies the freshness policy at the scan's clock: a stale
// database is refused unless the engine accepts it, and a warning is given
// past a day. It runs per scan, so a long-lived worker notices its database
// ageing.
func (e *Engine) checkDatabase(ctx context.Context, store *feeds.Store, now time.Time) (*report.Database, []string, error) {
	if store == nil {
		return nil, nil, errors.New("no advisory database: the engine was opened without one")
	}
	var warnings []string
	age, err := store.CheckAge(ctx, now, e.cfg.maxAge())
	switch {
	case errors.Is(err, feeds.ErrStale) && e.cfg.AcceptStale:
		warnings = append(warnings, fmt.Sprintf("%v (accepted: --%s=false)", err, feeds.FlagValidateAge))
	case err != nil:
		return nil, nil, err
	case age > feeds.DefaultWarnAge:
		warnings = append(warnings, fmt.Sprintf("advisory database was last updated %s ago; run `fnaudit db update`", feeds.FormatAge(age)))
	}
	last, err := store.LastUpdated(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("advisory database %s: %w", store.Path(), err)
	}
	return &report.Database{Path: store.Path(), LastUpdated: last, AgeHours: age.Hours()}, warnings, nil
}

// checkCoverage refuses a database that has no record at all for an
// ecosystem the SBOM holds, or whose source covering it is stale: matching
// against it would pass what it cannot see. A stale source is accepted with
// a warning only when the engine accepts stale data.
func (e *Engine) checkCoverage(ctx context.Context, store *feeds.Store, s *sbom.SBOM, now time.Time) ([]string, error) {
	ecosystems := make([]string, 0, len(s.Packages))
	for _, p := range s.Packages {
		ecosystems = append(ecosystems, p.Ecosystem)
	}
	err := store.CheckCoverage(ctx, ecosystems, now, e.cfg.maxAge())
	if errors.Is(err, feeds.ErrStale) && e.cfg.AcceptStale {
		return []string{fmt.Sprintf("%v (accepted: --%s=false)", err, feeds.FlagValidateAge)}, nil
	}
	return nil, err
}
