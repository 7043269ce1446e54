package scan

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/feeds/registry"
	"github.com/fnaudit/fnaudit/match"
	"github.com/fnaudit/fnaudit/policy"
)

// ErrOfflineRegistry refuses an online registry lookup in offline mode.
var ErrOfflineRegistry = errors.New("registry lookups need the network and the engine is offline; scan offline without --check-registry to use the cached registry snapshot")

// checkRegistry is the registry step of a scan: what the packages'
// registries say about the deployed versions, as findings of kind
// registry for the policy to judge.
//
// Online (req.CheckRegistry) it asks the registries, conditional on the
// cached answers; a registry that cannot answer makes the scan fail (exit
// 2: a missing answer must not read as "nothing to report"). The answers
// are cached in the advisory database, and the engine reopens it so later
// scans see them (store.go).
//
// Otherwise it assesses the cached snapshot when the database holds one,
// warning when the answers are older than the engine's maximum database
// age or do not cover every package. Without a snapshot there is nothing
// to say: registry checks are opt-in.
func (e *Engine) checkRegistry(ctx context.Context, store *feeds.Store, req Request, pkgs []core.Package, now time.Time) ([]match.Finding, []string, error) {
	coords := RegistryCoords(pkgs)
	var (
		snap     registry.Snapshot
		warnings []string
		err      error
	)
	switch {
	case req.CheckRegistry && e.cfg.Offline:
		return nil, nil, ErrOfflineRegistry
	case req.CheckRegistry:
		snap, err = e.lookupRegistry(ctx, store, coords, req.Registries)
		if err != nil {
			return nil, nil, err
		}
		if err := registry.Save(ctx, e.cfg.DBPath, snap, time.Now()); err != nil {
			// The answers are fresh and complete; only the cache failed
			// (a read-only database, say). Decide, and say so.
			warnings = append(warnings, fmt.Sprintf("registry answers not cached: %v", err))
		} else if err := e.reopen(); err != nil {
			warnings = append(warnings, err.Error())
		}
	default:
		if store == nil {
			return nil, nil, nil
		}
		saved, ok, err := store.RegistryUpdated(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("advisory database %s: %w", store.Path(), err)
		}
		if !ok {
			return nil, nil, nil
		}
		if snap, err = registry.Load(ctx, store, coords); err != nil {
			return nil, nil, fmt.Errorf("advisory database %s: %w", store.Path(), err)
		}
		warnings = append(warnings, snapshotWarnings(snap, coords, saved, now, e.cfg.maxAge())...)
	}
	return RegistryFindings(registry.Assess(snap, coords), pkgs), warnings, nil
}

func (e *Engine) lookupRegistry(ctx context.Context, store *feeds.Store, coords []registry.Coord, baseURLs map[string]string) (registry.Snapshot, error) {
	var prev registry.Snapshot
	if store != nil {
		var err error
		// The previous answers make the requests conditional (ETag).
		if prev, err = registry.Load(ctx, store, coords); err != nil {
			return registry.Snapshot{}, fmt.Errorf("advisory database %s: %w", store.Path(), err)
		}
	}
	snap, err := registry.Lookup(ctx, coords, registry.Options{BaseURLs: baseURLs, Previous: prev, UserAgent: e.cfg.Tool.Name + "/" + e.cfg.Tool.Version})
	if err != nil {
		return registry.Snapshot{}, fmt.Errorf("registry lookup: %w", err)
	}
	return snap, nil
}

// snapshotWarnings says what an offline assessment could not vouch for.
func snapshotWarnings(snap registry.Snapshot, coords []registry.Coord, saved, now time.Time, maxAge time.Duration) []string {
	var out []string
	if oldest := registry.OldestFetch(snap, coords); !oldest.IsZero() && now.Sub(oldest) > maxAge {
		out = append(out, fmt.Sprintf("registry snapshot is %s old (fetched %s), older than --%s %s; run `fnaudit db update --registry` or scan --check-registry",
			feeds.FormatAge(now.Sub(oldest)), oldest.UTC().Format(time.RFC3339), feeds.FlagMaxAge, maxAge))
	}
	if un := registry.Unchecked(snap, coords); len(un) > 0 {
		names := make([]string, 0, 3)
		for _, c := range un[:min(len(un), 3)] {
			names = append(names, c.Ecosystem+"/"+c.Name)
		}
		more := ""
		if len(un) > 3 {
			more = fmt.Sprintf(" and %d more", len(un)-3)
		}
		out = append(out, fmt.Sprintf("registry snapshot (saved %s) has no answer for %d packages (%s%s): their registry status is unchecked; run scan --check-registry",
			saved.UTC().Format(time.RFC3339), len(un), strings.Join(names, ", "), more))
	}
	return out
}

// RegistryCoords are the (ecosystem, name, version) of pkgs a registry can
// be asked about (ecosystems feeds/registry supports, with a name and a
// version), once each: what `db update --registry --sbom` looks up.
func RegistryCoords(pkgs []core.Package) []registry.Coord {
	var out []registry.Coord
	seen := map[registry.Coord]bool{}
	for _, p := range pkgs {
		eco, ok := registry.CanonicalEcosystem(p.Ecosystem)
		if !ok || p.Name == "" || p.Version == "" {
			continue
		}
		c := registry.Coord{Ecosystem: eco, Name: p.Name, Version: p.Version}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// RegistryFindings turns what registries say into findings of kind
// registry, one per package copy of pkgs at that (ecosystem, name,
// version). The id is policy.RegistryID(status) (REGISTRY-TAKEN-DOWN, ...);
// the summary is what the registry says, and since when when it says;
// severity is critical for a taken-down package (it is treated like
// malware), unknown otherwise.
func RegistryFindings(found []registry.Finding, pkgs []core.Package) []match.Finding {
	type key struct{ name, version string }
	copies := map[key][]core.Package{}
	for _, p := range pkgs {
		eco, ok := registry.CanonicalEcosystem(p.Ecosystem)
		if !ok {
			continue
		}
		k := key{registry.Key(eco, p.Name), p.Version}
		copies[k] = append(copies[k], p)
	}
	var out []match.Finding
	done := map[key]bool{}
	for _, f := range found {
		k := key{registry.Key(f.Ecosystem, f.Name), f.Version}
		if done[k] {
			continue // the same package under another spelling of its name
		}
		done[k] = true
		sev := match.SeverityUnknown
		if f.Status == registry.TakenDown {
			sev = match.SeverityCritical
		}
		id := policy.RegistryID(string(f.Status))
		summary := registrySummary(f)
		for _, p := range copies[k] {
			out = append(out, match.Finding{
				IDs: []string{id}, Kind: core.KindRegistry, Severity: sev, SeveritySource: "registry",
				Summary: summary, Package: p,
				Records: []match.Record{{ID: id, Kind: core.KindRegistry, Modified: f.FetchedAt, Published: f.Since, Severity: sev}},
			})
		}
	}
	return out
}

func registrySummary(f registry.Finding) string {
	s := fmt.Sprintf("%s registry: %s", f.Ecosystem, f.Status)
	if f.Message != "" {
		s += ": " + f.Message
	}
	if !f.Since.IsZero() {
		s += " (since " + f.Since.UTC().Format("2006-01-02") + ")"
	}
	return s + " [as of " + f.FetchedAt.UTC().Format(time.RFC3339) + "]"
}
