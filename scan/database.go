package scan

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/report"
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
