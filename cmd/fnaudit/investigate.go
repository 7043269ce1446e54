package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"github.com/spf13/cobra"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/inventory"
	"github.com/fnaudit/fnaudit/match"
)

func init() { register(newInvestigateCmd) }

type investigateFlags struct {
	dsn          string
	advisory     string
	format       string
	noProvenance bool
}

func newInvestigateCmd(g *globalOptions) *cobra.Command {
	var f investigateFlags
	cmd := &cobra.Command{
		Use:   "investigate [PKG[@VERSION|@RANGE]] [--advisory ID]",
		Short: "List every recorded function version that carries a package or an advisory",
		Long: `investigate answers from the inventory alone (no download, no network):
which recorded function versions carry a package, in which layer or the
function's own code, at which path, whether the runtime loads that copy, and
since when.

PKG is a purl (pkg:npm/lodash@4.17.15), ecosystem/name (npm/lodash) or a
bare name (any ecosystem). A version narrows it: an exact version
(lodash@4.17.15) or a range as OSV/semver writes it (lodash@<4.17.21,
lodash@>=4.17.0,<4.17.21), compared by the package's ecosystem's rules.
--advisory takes any id or alias; the local advisory database (--db)
resolves it into its ids, aliases and affected packages.
--no-provenance keeps only function versions whose provenance was not
verified when they were recorded (absent, unverified or failed): the copies
nobody can trace to a build.

Exit codes: 0 nothing found, 1 something found, 2 error.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (len(args) == 0) == (f.advisory == "") {
				return fmt.Errorf("investigate: give a package or --advisory ID (one of them)")
			}
			pkg := ""
			if len(args) == 1 {
				pkg = args[0]
			}
			return runInvestigate(cmd.Context(), g, &f, pkg)
		},
	}
	fl := cmd.Flags()
	addInventoryFlag(fl, &f.dsn)
	fl.StringVar(&f.advisory, "advisory", "", "advisory id or alias (GHSA-…, CVE-…, MAL-…)")
	fl.StringVarP(&f.format, "output", "o", "table", "output format: table, json or csv")
	fl.BoolVar(&f.noProvenance, "no-provenance", false, "only function versions whose provenance was not verified")
	return cmd
}

func runInvestigate(ctx context.Context, g *globalOptions, f *investigateFlags, pkg string) error {
	if !slices.Contains([]string{"table", "json", "csv"}, f.format) {
		return fmt.Errorf("-o %q: want table, json or csv", f.format)
	}
	var hits []inventory.Hit
	store, err := openInventory(ctx, f.dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	if pkg != "" {
		q, err := parsePackageQuery(pkg)
		if err != nil {
			return err
		}
		q.noProvenance = f.noProvenance
		if hits, err = q.run(ctx, store); err != nil {
			return err
		}
	} else if hits, err = investigateAdvisory(ctx, g, store, f.advisory, f.noProvenance); err != nil {
		return err
	}
	if err := writeHits(g.stdout, f.format, hits); err != nil {
		return err
	}
	if len(hits) > 0 {
		return newFound("%d package copies found", len(hits))
	}
	return nil
}

// packageQuery is PKG parsed: ecosystem ("" for any), name, and a version
// constraint.
type packageQuery struct {
	ecosystem, name string
	constraints     []constraint // all must hold; none keeps every version
	noProvenance    bool         // only versions whose provenance was not verified
}

type constraint struct{ op, version string }

func parsePackageQuery(s string) (packageQuery, error) {
	var q packageQuery
	var spec string
	if strings.HasPrefix(s, "pkg:") {
		eco, name, version, err := core.ParsePURL(s)
		if err != nil {
			return q, fmt.Errorf("investigate: %w", err)
		}
		q.ecosystem, q.name, spec = eco, name, version
	} else {
		if i := strings.LastIndex(s, "@"); i > 0 {
			s, spec = s[:i], s[i+1:]
		}
		if eco, name, ok := strings.Cut(s, "/"); ok {
			if canon, err := feeds.CanonicalEcosystem(eco); err == nil {
				q.ecosystem, s = canon, name
			}
		}
		q.name = s
	}
	if q.name == "" {
		return q, fmt.Errorf("investigate: %q names no package", s)
	}
	if spec == "" {
		return q, nil
	}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		c := constraint{op: "="}
		for _, op := range []string{"<=", ">=", "==", "!=", "<", ">", "="} {
			if strings.HasPrefix(part, op) {
				c.op, part = op, strings.TrimSpace(part[len(op):])
				if op == "==" {
					c.op = "="
				}
				break
			}
		}
		if part == "" {
			return q, fmt.Errorf("investigate: version range %q: empty version", spec)
		}
		c.version = part
		q.constraints = append(q.constraints, c)
	}
	return q, nil
}

func (q packageQuery) run(ctx context.Context, store *inventory.Store) ([]inventory.Hit, error) {
	hits, err := store.Investigate(ctx, inventory.Query{Ecosystem: q.ecosystem, Name: q.name, NoProvenance: q.noProvenance})
	if err != nil {
		return nil, err
	}
	var out []inventory.Hit
	for _, h := range hits {
		ok, err := q.keeps(h.Package.Ecosystem, h.Package.Version)
		if err != nil {
			return nil, fmt.Errorf("investigate: %s %s in %s: %w", h.Package.Name, h.Package.Version, h.Function.Name, err)
		}
		if ok {
			out = append(out, h)
		}
	}
	return out, nil
}

// keeps compares a stored version with the constraints by the ecosystem's
// rules (osv-scalibr's semantic package, as matching does). A version that
// the ecosystem cannot parse only matches an exact, equal string.
func (q packageQuery) keeps(ecosystem, version string) (bool, error) {
	for _, c := range q.constraints {
		cmp, err := compareVersions(ecosystem, version, c.version)
		if err != nil {
			if c.op == "=" && version == c.version {
				continue
			}
			return false, nil
		}
		ok := map[string]bool{"=": cmp == 0, "!=": cmp != 0, "<": cmp < 0, "<=": cmp <= 0, ">": cmp > 0, ">=": cmp >= 0}[c.op]
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// investigateAdvisory finds the copies whose stored findings carry the id or
// one of its aliases, and the copies of the packages the record names at a
// version it affects (stored before the record was imported, or not yet
// rematched).
func investigateAdvisory(ctx context.Context, g *globalOptions, store *inventory.Store, id string, noProvenance bool) ([]inventory.Hit, error) {
	path, err := dbPath(g)
	if err != nil {
		return nil, err
	}
	db, err := feeds.Open(path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	ids := []string{id}
	rec, err := db.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if rec != nil {
		ids = append(ids, rec.GetAliases()...)
		ids = append(ids, rec.GetRelated()...)
	}
	hits, err := store.Investigate(ctx, inventory.Query{AdvisoryIDs: ids, NoProvenance: noProvenance})
	if err != nil {
		return nil, err
	}
	if rec == nil {
		return hits, nil
	}
	type hitKey struct {
		version    int64
		path, name string
	}
	seen := map[hitKey]bool{}
	for _, h := range hits {
		seen[hitKey{h.VersionID, h.Package.Path, h.Package.Name}] = true
	}
	named := map[[2]string]bool{}
	for _, a := range rec.GetAffected() {
		p := a.GetPackage()
		if p == nil || p.GetName() == "" || named[[2]string{p.GetEcosystem(), p.GetName()}] {
			continue
		}
		named[[2]string{p.GetEcosystem(), p.GetName()}] = true
		eco, err := feeds.CanonicalEcosystem(p.GetEcosystem())
		if err != nil {
			continue // an ecosystem fnaudit never stores
		}
		more, err := store.Investigate(ctx, inventory.Query{Ecosystem: eco, Name: p.GetName(), NoProvenance: noProvenance})
		if err != nil {
			return nil, err
		}
		for _, h := range more {
			k := hitKey{h.VersionID, h.Package.Path, h.Package.Name}
			if seen[k] {
				continue
			}
			fs, err := match.Match(ctx, oneRecord{rec}, []core.Package{h.Package.CorePackage()})
			if err != nil {
				return nil, fmt.Errorf("investigate %s: %w", id, err)
			}
			if len(fs) > 0 {
				seen[k] = true
				h.Advisories = []string{rec.GetId()}
				hits = append(hits, h)
			}
		}
	}
	slices.SortStableFunc(hits, func(a, b inventory.Hit) int {
		return strings.Compare(hitSortKey(a), hitSortKey(b))
	})
	return hits, nil
}

func hitSortKey(h inventory.Hit) string {
	return strings.Join([]string{h.Function.Account, h.Function.Region, h.Function.Name, h.Function.Qualifier,
		h.Function.Source, h.FirstSeen.Format(time.RFC3339Nano), strconv.FormatInt(h.VersionID, 10), h.Package.Path}, "\x00")
}

// oneRecord is a match.Source holding one advisory record.
type oneRecord struct{ rec *osvschema.Vulnerability }

func (o oneRecord) Lookup(context.Context, string, string) ([]*osvschema.Vulnerability, error) {
	return []*osvschema.Vulnerability{o.rec}, nil
}

// hitRow is one line of investigate's output.
type hitRow struct {
	Source     string    `json:"source"`
	Account    string    `json:"account"`
	Region     string    `json:"region"`
	Name       string    `json:"name"`
	Qualifier  string    `json:"qualifier"`
	ARN        string    `json:"arn,omitempty"`
	Deployed   bool      `json:"stillDeployed"`
	Origin     string    `json:"origin"`
	OriginDig  string    `json:"originDigest,omitempty"`
	Path       string    `json:"path"`
	Ecosystem  string    `json:"ecosystem"`
	Package    string    `json:"package"`
	Folder     string    `json:"folder,omitempty"` // the folder it is loaded by, when its package.json names another package
	Version    string    `json:"version"`
	Loaded     bool      `json:"loaded"`
	ShadowedBy string    `json:"shadowedBy,omitempty"`
	Advisories []string  `json:"advisories,omitempty"`
	FirstSeen  time.Time `json:"firstSeen"`
	LastSeen   time.Time `json:"lastSeen"`
}

func rowOf(h inventory.Hit) hitRow {
	origin := h.Package.Origin.Kind
	if origin != inventory.OriginFunction {
		origin += " " + strconv.Itoa(h.Package.Origin.Index)
	}
	return hitRow{Source: h.Function.Source, Account: h.Function.Account, Region: h.Function.Region, Name: h.Function.Name,
		Qualifier: h.Function.Qualifier, ARN: h.Function.ARN, Deployed: h.Deployed, Origin: origin,
		OriginDig: h.Package.Origin.Digest, Path: h.Package.Path, Ecosystem: h.Package.Ecosystem, Package: h.Package.Name,
		Folder: h.Package.Alias, Version: h.Package.Version, Loaded: h.Package.Loaded, ShadowedBy: h.Package.ShadowedBy, Advisories: h.Advisories,
		FirstSeen: h.FirstSeen, LastSeen: h.LastSeen}
}

func loadedText(r hitRow) string {
	if r.Loaded {
		return "loaded"
	}
	if r.ShadowedBy != "" {
		return "shadowed by " + r.ShadowedBy
	}
	return "shadowed"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func writeHits(w io.Writer, format string, hits []inventory.Hit) error {
	rows := make([]hitRow, len(hits))
	for i, h := range hits {
		rows[i] = rowOf(h)
	}
	header := []string{"ACCOUNT", "REGION", "NAME", "QUALIFIER", "DEPLOYED", "ORIGIN", "PATH", "PACKAGE", "VERSION", "LOADED", "FIRST SEEN", "LAST SEEN"}
	cells := func(r hitRow) []string {
		pkg := r.Ecosystem + "/" + r.Package
		if r.Folder != "" {
			pkg += " (folder " + r.Folder + ")"
		}
		return []string{r.Account, r.Region, r.Name, r.Qualifier, yesNo(r.Deployed), r.Origin, r.Path, pkg, r.Version,
			loadedText(r), r.FirstSeen.Format(time.RFC3339), r.LastSeen.Format(time.RFC3339)}
	}
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(header)
		for _, r := range rows {
			cw.Write(cells(r))
		}
		cw.Flush()
		return cw.Error()
	default:
		if len(rows) == 0 {
			_, err := fmt.Fprintln(w, "no recorded function carries it")
			return err
		}
		return writeTable(w, header, len(rows), func(i int) []string { return cells(rows[i]) })
	}
}

// writeTable writes tab-aligned columns; empty cells show as "-".
func writeTable(w io.Writer, header []string, n int, row func(int) []string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for i := range n {
		cells := row(i)
		for j, c := range cells {
			if c == "" {
				cells[j] = "-"
			}
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}
