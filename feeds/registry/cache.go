package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/fnaudit/fnaudit/feeds"
)

// Save caches snap in the advisory database at dbPath (one transaction;
// the answers of other packages already cached are kept). Call it only
// with a snapshot Lookup returned without error: a registry that was down
// leaves the previous snapshot as it was.
func Save(ctx context.Context, dbPath string, snap Snapshot, now time.Time) error {
	keys := make([]string, 0, len(snap.Packages))
	for k := range snap.Packages {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	entries := make([]feeds.RegistryEntry, 0, len(keys))
	for _, k := range keys {
		p := snap.Packages[k]
		data, err := json.Marshal(p)
		if err != nil {
			return fmt.Errorf("encode registry answer %s/%s: %w", p.Ecosystem, p.Name, err)
		}
		entries = append(entries, feeds.RegistryEntry{
			Ecosystem: p.Ecosystem, Name: normalizeName(p.Ecosystem, p.Name),
			FetchedAt: p.FetchedAt, ETag: p.ETag, Data: data,
		})
	}
	if err := feeds.SaveRegistrySnapshot(ctx, dbPath, entries, now); err != nil {
		return fmt.Errorf("save registry snapshot: %w", err)
	}
	return nil
}

// Load reads from the store the cached answers for the packages coords
// name (the offline path, and Options.Previous for a new Lookup). Packages
// the cache does not hold are absent from the snapshot (see Unchecked).
func Load(ctx context.Context, store *feeds.Store, coords []Coord) (Snapshot, error) {
	snap := Snapshot{Packages: map[string]*Package{}}
	tried := map[string]bool{}
	for _, c := range coords {
		eco, ok := CanonicalEcosystem(c.Ecosystem)
		if !ok || c.Name == "" {
			continue
		}
		k := Key(eco, c.Name)
		if tried[k] {
			continue
		}
		tried[k] = true
		e, err := store.RegistryEntry(ctx, eco, normalizeName(eco, c.Name))
		if err != nil {
			return Snapshot{}, err
		}
		if e == nil {
			continue
		}
		var p Package
		if err := json.Unmarshal(e.Data, &p); err != nil {
			return Snapshot{}, fmt.Errorf("registry snapshot %s/%s: %w", eco, c.Name, err)
		}
		snap.Packages[k] = &p
	}
	return snap, nil
}
