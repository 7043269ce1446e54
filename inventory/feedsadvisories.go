package inventory

import (
	"context"
	"errors"
	"fmt"

	"github.com/fnaudit/fnaudit/feeds"
)

// FeedsAdvisories is the local advisory database (feeds) as a rematch
// reads it: its records, its generation, and its change log.
func FeedsAdvisories(db *feeds.Store) Advisories { return feedsAdvisories{db} }

type feedsAdvisories struct{ *feeds.Store }

func (a feedsAdvisories) ChangedNames(ctx context.Context, since string) ([]NameKey, error) {
	ks, err := a.ChangedSince(ctx, since)
	if errors.Is(err, feeds.ErrUnknownGeneration) {
		return nil, fmt.Errorf("%w: %v", ErrChangesUnknown, err)
	}
	if err != nil {
		return nil, err
	}
	out := make([]NameKey, len(ks))
	for i, k := range ks {
		out[i] = NameKey{Ecosystem: k.Ecosystem, Name: k.Name}
	}
	return out, nil
}
