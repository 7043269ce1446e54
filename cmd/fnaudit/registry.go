package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/feeds/registry"
	"github.com/fnaudit/fnaudit/inventory"
	"github.com/fnaudit/fnaudit/scan"
)

// Registry truth (issue 14): `scan --check-registry`, `db update
// --registry`, and the snapshot line of `db status`.

// registryFlags are scan's registry flags.
type registryFlags struct {
	check bool
	urls  []string
}

func (r *registryFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&r.check, "check-registry", false, "ask the packages' registries (npm, PyPI, Go proxy, NuGet, RubyGems) whether the deployed versions were taken down, unpublished, yanked, retracted, unlisted or deprecated, and cache the answers (needs the network)")
	fl.StringArrayVar(&r.urls, "registry", nil, "registry base URL for one ecosystem, ECOSYSTEM=URL (repeatable; for mirrors), e.g. npm=https://npm.example.com")
}

// request fills the registry fields of a scan request.
func (r *registryFlags) request(g *globalOptions, req *scan.Request) error {
	if len(r.urls) > 0 && !r.check {
		return errors.New("--registry sets a registry URL for --check-registry; add --check-registry")
	}
	if !r.check {
		return nil
	}
	if g.offline {
		return errors.New("--check-registry asks the registries and --offline forbids the network; drop --check-registry to use the cached registry snapshot")
	}
	urls, err := registry.ParseBaseURLs(r.urls)
	if err != nil {
		return err
	}
	req.CheckRegistry, req.Registries = true, urls
	return nil
}

// registryUpdateFlags are db update's: `--registry` alone switches to the
// registry snapshot; `--registry ECOSYSTEM=URL` also sets a base URL.
type registryUpdateFlags struct {
	values    []string
	sboms     []string
	inventory string
}

// registryOnly is the value a bare --registry takes (shown in the help as
// --registry[="on"]; "on" is no ECOSYSTEM=URL, so it cannot be mistaken).
const registryOnly = "on"

func (r *registryUpdateFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVar(&r.values, "registry", nil, "update the registry snapshot instead of the advisories: ask the registries about every package of the --sbom files; with ECOSYSTEM=URL (repeatable), the base URL of that ecosystem's registry")
	fl.Lookup("registry").NoOptDefVal = registryOnly
	fl.StringArrayVar(&r.sboms, "sbom", nil, "with --registry: an SBOM (CycloneDX or SPDX JSON) whose packages to look up (repeatable)")
	fl.StringVar(&r.inventory, "inventory", "", "with --registry: also look up every package of the versions this inventory holds as deployed (a SQLite file or a postgres:// URL)")
}

func (r *registryUpdateFlags) on() bool { return len(r.values) > 0 }

// args takes the positional arguments of db update: pflag reads
// `--registry npm=URL` (a space, not "=") as a bare --registry followed
// by the argument npm=URL, so with --registry they are its values.
func (r *registryUpdateFlags) args(cmd *cobra.Command, args []string) error {
	if len(args) > 0 && !r.on() {
		return fmt.Errorf("unexpected argument %q", args[0])
	}
	r.values = append(r.values, args...)
	if len(r.sboms) > 0 && !r.on() {
		return errors.New("--sbom lists packages for --registry; add --registry")
	}
	if r.inventory != "" && !r.on() {
		return errors.New("--inventory gives packages for --registry; add --registry")
	}
	return nil
}

func (r *registryUpdateFlags) baseURLs() (map[string]string, error) {
	var vals []string
	for _, v := range r.values {
		if v != registryOnly {
			vals = append(vals, v)
		}
	}
	return registry.ParseBaseURLs(vals)
}

// runRegistryUpdate is `db update --registry`. A registry that cannot
// answer is an error (exit 2) and leaves the cached snapshot as it was.
func runRegistryUpdate(ctx context.Context, g *globalOptions, r *registryUpdateFlags) error {
	if g.offline {
		return errors.New("db update --registry asks the registries and --offline forbids the network")
	}
	urls, err := r.baseURLs()
	if err != nil {
		return err
	}
	path, err := dbPath(g)
	if err != nil {
		return err
	}
	targets := scan.RegistryTargets{SBOMs: r.sboms}
	if r.inventory != "" {
		inv, err := inventory.Open(ctx, r.inventory)
		if err != nil {
			return err
		}
		targets.Packages, err = inv.DeployedPackages(ctx)
		inv.Close()
		if err != nil {
			return err
		}
	}
	res, err := scan.UpdateRegistry(ctx, path, targets, urls, "fnaudit/"+toolVersion())
	if err != nil {
		return err
	}
	counts := map[registry.Status]int{}
	for _, f := range res.Findings {
		counts[f.Status]++
	}
	infof(g, "registry snapshot saved in %s: %d versions of %d packages looked up; %d taken down, %d unpublished, %d yanked, %d retracted, %d unlisted, %d deprecated",
		path, res.Coords, res.Packages, counts[registry.TakenDown], counts[registry.Unpublished], counts[registry.Yanked],
		counts[registry.Retracted], counts[registry.Unlisted], counts[registry.Deprecated])
	return nil
}

// registryStatus is the registry snapshot in `db status`.
type registryStatus struct {
	Updated    time.Time `json:"updated"`
	AgeSeconds int64     `json:"age_seconds"`
	Age        string    `json:"age"`
	Packages   int       `json:"packages"`
}

// dbStatusJSON is `db status -o json`: the advisory status, and the
// registry snapshot when the database holds one.
type dbStatusJSON struct {
	*feeds.Status
	Registry *registryStatus `json:"registry,omitempty"`
}

func readRegistryStatus(ctx context.Context, s *feeds.Store, now time.Time) (*registryStatus, error) {
	updated, ok, err := s.RegistryUpdated(ctx)
	if err != nil || !ok {
		return nil, err
	}
	n, err := s.RegistryCount(ctx)
	if err != nil {
		return nil, err
	}
	age := max(now.Sub(updated), 0)
	return &registryStatus{Updated: updated.UTC(), AgeSeconds: int64(age.Seconds()), Age: feeds.FormatAge(age), Packages: n}, nil
}

func writeRegistryStatus(w io.Writer, r *registryStatus) {
	if r == nil {
		fmt.Fprintln(w, "\nregistry snapshot: none (`fnaudit db update --registry --sbom FILE` or `scan --check-registry`)")
		return
	}
	fmt.Fprintf(w, "\nregistry snapshot: %d packages, saved %s (%s ago)\n", r.Packages, r.Updated.Format(time.RFC3339), r.Age)
}
