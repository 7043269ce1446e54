package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/inventory"
)

func init() { register(newInventoryCmd) }

type inventoryFlags struct {
	dsn    string
	format string
}

func newInventoryCmd(g *globalOptions) *cobra.Command {
	var f inventoryFlags
	cmd := &cobra.Command{
		Use:   "inventory",
		Short: "List recorded functions, their versions, scans and findings; re-match them",
	}
	addInventoryFlag(cmd.PersistentFlags(), &f.dsn)
	cmd.PersistentFlags().StringVarP(&f.format, "output", "o", "table", "output format: table or json")
	cmd.AddCommand(
		&cobra.Command{Use: "list", Short: "List every recorded function", Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error { return inventoryList(cmd.Context(), g, &f) }},
		&cobra.Command{Use: "show FUNCTION", Short: "A function's versions with their current findings", Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error { return inventoryShow(cmd.Context(), g, &f, args[0]) }},
		&cobra.Command{Use: "history FUNCTION", Short: "A function's scan runs, oldest first", Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error { return inventoryHistory(cmd.Context(), g, &f, args[0]) }},
		newRematchCmd(g, &f),
	)
	return cmd
}

func (f *inventoryFlags) open(ctx context.Context) (*inventory.Store, error) {
	if f.format != "table" && f.format != "json" {
		return nil, fmt.Errorf("-o %q: want table or json", f.format)
	}
	return openInventory(ctx, f.dsn)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func inventoryList(ctx context.Context, g *globalOptions, f *inventoryFlags) error {
	s, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	fns, err := s.ListFunctions(ctx)
	if err != nil {
		return err
	}
	if f.format == "json" {
		if fns == nil {
			fns = []inventory.FunctionSummary{}
		}
		return writeJSON(g.stdout, fns)
	}
	return writeTable(g.stdout, []string{"SOURCE", "ACCOUNT", "REGION", "NAME", "QUALIFIER", "VERSIONS", "DEPLOYED", "FIRST SEEN", "LAST SEEN", "LAST RESULT", "LAST SCAN"},
		len(fns), func(i int) []string {
			x := fns[i]
			return []string{x.Source, x.Account, x.Region, x.Name, x.Qualifier, strconv.Itoa(x.Versions), strconv.Itoa(x.DeployedVersions),
				ts(x.FirstSeen), ts(x.LastSeen), x.LastResult, ts(x.LastScan)}
		})
}

// resolveFunction turns FUNCTION (a name or an ARN) into one recorded function.
func resolveFunction(ctx context.Context, s *inventory.Store, name string) (inventory.FunctionRef, error) {
	fns, err := s.FindFunctions(ctx, name)
	if err != nil {
		return inventory.FunctionRef{}, err
	}
	switch len(fns) {
	case 0:
		return inventory.FunctionRef{}, fmt.Errorf("%s: %w", name, inventory.ErrNoFunction)
	case 1:
		return fns[0].FunctionRef, nil
	}
	var names []string
	for _, f := range fns {
		names = append(names, strings.Join([]string{f.Source, f.Account, f.Region, f.Name, f.Qualifier}, "/"))
	}
	return inventory.FunctionRef{}, fmt.Errorf("%s names %d functions (%s); give the ARN", name, len(fns), strings.Join(names, ", "))
}

func inventoryShow(ctx context.Context, g *globalOptions, f *inventoryFlags, name string) error {
	s, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	ref, err := resolveFunction(ctx, s, name)
	if err != nil {
		return err
	}
	d, err := s.ShowFunction(ctx, ref)
	if err != nil {
		return err
	}
	if f.format == "json" {
		return writeJSON(g.stdout, d)
	}
	fmt.Fprintf(g.stdout, "%s (%s)\n", d.Function.Name, d.Function.Source)
	for _, v := range d.Versions {
		dep := ""
		if v.Deployed {
			dep = ", deployed"
		}
		fmt.Fprintf(g.stdout, "\nversion %d%s: %s %s, artifact %s, %d packages, first seen %s, last seen %s\n", v.ID, dep,
			v.Version.PackageType, v.Version.Runtime, v.ArtifactDigest, v.PackageCount, ts(v.FirstSeen), ts(v.LastSeen))
		for _, l := range v.Version.Layers {
			fmt.Fprintf(g.stdout, "  layer %s %s\n", l.ARN, l.Digest)
		}
		if len(v.Findings) == 0 {
			fmt.Fprintln(g.stdout, "  no findings")
			continue
		}
		writeTable(g.stdout, []string{"  ADVISORY", "KIND", "SEVERITY", "PACKAGE", "VERSION", "PATH", "VERDICT"}, len(v.Findings), func(i int) []string {
			x := v.Findings[i]
			return []string{"  " + x.AdvisoryID, x.Kind, x.Severity, x.Ecosystem + "/" + x.Name, x.Version, x.Path, x.Verdict}
		})
	}
	return nil
}

func inventoryHistory(ctx context.Context, g *globalOptions, f *inventoryFlags, name string) error {
	s, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	ref, err := resolveFunction(ctx, s, name)
	if err != nil {
		return err
	}
	runs, err := s.History(ctx, ref)
	if err != nil {
		return err
	}
	if f.format == "json" {
		if runs == nil {
			runs = []inventory.RunSummary{}
		}
		return writeJSON(g.stdout, runs)
	}
	return writeTable(g.stdout, []string{"AT", "RESULT", "FINDINGS", "BLOCKING", "CODE SHA256", "DECISION", "ERROR"}, len(runs), func(i int) []string {
		r := runs[i]
		return []string{ts(r.At), r.Result, strconv.Itoa(r.Findings), strconv.Itoa(r.Blocking), r.CodeSha256, r.Decision, r.Error}
	})
}

func newRematchCmd(g *globalOptions, f *inventoryFlags) *cobra.Command {
	var full bool
	var policyPath string
	cmd := &cobra.Command{
		Use:   "rematch",
		Short: "Re-match stored SBOMs of deployed versions against the current advisory database",
		Long: `rematch re-matches the stored packages of every version still deployed
against the local advisory database (after db import or db update), without
opening any artifact, prints what is new (and the functions it affects) and
what was fixed, and stores the new findings. By default only the package
names of records changed since the last match are looked at; --full
re-matches everything. Go findings keep the reachability found when the
binary was scanned, or are marked "unknown" reachability.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRematch(cmd.Context(), g, f, full, policyPath)
		},
	}
	cmd.Flags().BoolVar(&full, "full", false, "re-match every deployed artifact, not only changed package names")
	cmd.Flags().StringVar(&policyPath, "policy", "", "policy deciding the verdict of each finding (default: as scan)")
	return cmd
}

func runRematch(ctx context.Context, g *globalOptions, f *inventoryFlags, full bool, policyPath string) error {
	pol, _, err := loadPolicy(g, &scanFlags{policy: policyPath})
	if err != nil {
		return err
	}
	s, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	path, err := dbPath(g)
	if err != nil {
		return err
	}
	db, err := feeds.Open(path)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := s.Rematch(ctx, inventory.FeedsAdvisories(db), full, inventory.PolicyVerdicts(pol, time.Now()))
	if err != nil {
		return err
	}
	if f.format == "json" {
		return writeJSON(g.stdout, res)
	}
	mode := fmt.Sprintf("incremental, %d changed package names", len(res.Changed))
	if res.Full {
		mode = "full"
		if res.FullReason != "" {
			mode += " (" + res.FullReason + ")"
		}
	}
	fmt.Fprintf(g.stdout, "rematch against generation %s: %s; %d artifacts re-matched\n", res.Generation, mode, res.Artifacts)
	for _, c := range res.Changes {
		var fns []string
		for _, fn := range c.Functions {
			fns = append(fns, strings.Trim(strings.Join([]string{fn.Account, fn.Region, fn.Name, fn.Qualifier}, " "), " "))
		}
		for _, x := range c.New {
			reach := ""
			if r, ok := c.Reachability[x.AdvisoryID]; ok {
				reach = ", reachable " + r
			}
			fmt.Fprintf(g.stdout, "NEW   %s %s %s/%s %s at %s%s: %s\n", x.AdvisoryID, x.Severity, x.Ecosystem, x.Name, x.Version, x.Path, reach, strings.Join(fns, "; "))
		}
		for _, x := range c.Fixed {
			fmt.Fprintf(g.stdout, "FIXED %s %s/%s %s at %s: %s\n", x.AdvisoryID, x.Ecosystem, x.Name, x.Version, x.Path, strings.Join(fns, "; "))
		}
	}
	return nil
}
