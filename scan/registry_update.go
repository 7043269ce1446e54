package scan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/feeds/registry"
	"github.com/fnaudit/fnaudit/sbom"
)

// RegistryTargets are the packages `fnaudit db update --registry` looks up.
type RegistryTargets struct {
	// SBOMs are SBOM files (CycloneDX or SPDX JSON, as `fnaudit sbom`
	// writes them); every (ecosystem, name, version) in them is looked up.
	SBOMs []string
	// Packages are looked up too: the packages of every version the
	// inventory holds as deployed (`--inventory`; issue 14 asks for "the
	// inventory or the given SBOMs"). scan does not read the inventory
	// (it comes later in the flow), so the command passes them in.
	Packages []core.Package
}

// RegistryUpdate is what UpdateRegistry did.
type RegistryUpdate struct {
	Coords   int                // (ecosystem, name, version) looked up
	Packages int                // registry answers saved (one per package)
	Findings []registry.Finding // what the registries say about the versions
}

// UpdateRegistry is `fnaudit db update --registry`: it asks the registries
// about every package of targets (conditional on the cached answers) and
// caches the answers in the advisory database at dbPath. A registry that
// cannot answer fails it and leaves the cached snapshot as it was.
func UpdateRegistry(ctx context.Context, dbPath string, targets RegistryTargets, baseURLs map[string]string, userAgent string) (*RegistryUpdate, error) {
	if len(targets.SBOMs) == 0 && len(targets.Packages) == 0 {
		return nil, errors.New("nothing to look up: give the deployed packages with --sbom FILE (repeatable) or --inventory DSN (an inventory with deployed versions)")
	}
	pkgs := slices.Clone(targets.Packages)
	for _, path := range targets.SBOMs {
		s, err := sbom.Decode(path)
		if err != nil {
			return nil, fmt.Errorf("--sbom %s: %w", path, err)
		}
		pkgs = append(pkgs, s.Packages...)
	}
	coords := RegistryCoords(pkgs)
	store, err := feeds.Open(dbPath)
	if err != nil {
		return nil, err
	}
	prev, err := registry.Load(ctx, store, coords)
	store.Close()
	if err != nil {
		return nil, fmt.Errorf("advisory database %s: %w", dbPath, err)
	}
	snap, err := registry.Lookup(ctx, coords, registry.Options{BaseURLs: baseURLs, Previous: prev, UserAgent: userAgent})
	if err != nil {
		return nil, fmt.Errorf("registry lookup (the cached snapshot is unchanged): %w", err)
	}
	if err := registry.Save(ctx, dbPath, snap, time.Now()); err != nil {
		return nil, err
	}
	return &RegistryUpdate{Coords: len(coords), Packages: len(snap.Packages), Findings: registry.Assess(snap, coords)}, nil
}
