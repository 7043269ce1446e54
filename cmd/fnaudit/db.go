package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/fnaudit/fnaudit/feeds"
)

func init() { register(newDBCmd) }

func newDBCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "Manage the local advisory database",
		Long: `db manages fnaudit's local advisory database: OSV advisories from osv.dev's
ecosystem exports (OpenSSF malicious-packages included), OSV files you import,
and your organisation's block list, indexed for offline lookups.

The database is a single file, by default in the user cache directory
(` + "`--db PATH`" + ` to choose another). Imports and updates build a new file and
rename it into place: a failed or interrupted one leaves the previous
database untouched.`,
	}
	cmd.AddCommand(newDBImportCmd(g), newDBUpdateCmd(g), newDBStatusCmd(g))
	return cmd
}

// dbPath is --db, or the default location.
func dbPath(g *globalOptions) (string, error) {
	if g.db != "" {
		return g.db, nil
	}
	return feeds.DefaultPath()
}

// infof prints an informational line on stderr unless -q.
func infof(g *globalOptions, format string, args ...any) {
	if !g.quiet {
		fmt.Fprintf(g.stderr, format+"\n", args...)
	}
}

func newDBImportCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "import PATH...",
		Short: "Import OSV records, export zips or a block list",
		Long: `import adds OSV advisories to the database. Each PATH is one of:

  an OSV JSON file              GHSA-xxxx.json, MAL-2025-1.json, ...
  a directory                   searched recursively for *.json (hidden directories skipped)
  an ecosystem export zip       osv.dev's <Ecosystem>/all.zip, e.g. copied into an air-gapped net
  a block list (*.yaml, *.yml)  your organisation's own entries, imported as malicious BLOCK-s

A block list looks like:

  author: security@example.com
  entries:
    - purl: pkg:npm/flatmap-stream          # every version
      reason: malicious code injected through event-stream
    - purl: pkg:npm/event-stream@3.3.6      # one version
      reason: pulled in flatmap-stream
    - ecosystem: PyPI                       # or a range: introduced / fixed / last_affected
      name: requests
      introduced: "2.3.0"
      fixed: "2.31.0"
      reason: proxy credential leak

Importing a PATH again replaces what it provided before (a line removed from
a block list unblocks that package). When two sources hold the same record,
the copy with the newer "modified" time wins. The import is all or nothing:
one bad record fails it, naming the file and record, and leaves the database
as it was.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := dbPath(g)
			if err != nil {
				return err
			}
			progress, done := importProgress(cmd.Context(), g)
			st, err := feeds.Import(cmd.Context(), path, args, feeds.WithLog(func(f string, a ...any) { infof(g, f, a...) }), progress)
			done(err == nil)
			if err != nil {
				return err
			}
			infof(g, "imported %d records into %s: %s", st.Read, path, describeStats(st))
			return nil
		},
	}
}

func describeStats(st feeds.ImportStats) string {
	return fmt.Sprintf("%d new, %d replaced, %d kept (stored copy newer), %d removed", st.Inserted, st.Replaced, st.Kept, st.Removed)
}

func newDBUpdateCmd(g *globalOptions) *cobra.Command {
	var (
		source      string
		ecosystems  []string
		maxAttempts int
		reg         registryUpdateFlags // registry.go
	)
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Download the latest OSV ecosystem exports",
		Long: `update downloads <source>/<Ecosystem>/all.zip for each ecosystem and replaces
that ecosystem's records with it. The default source is osv.dev's public
export bucket (` + feeds.DefaultSource + `); point --source, or the
` + feeds.SourceEnv + ` environment variable, at a mirror with the same layout.

Requests are conditional (ETag / Last-Modified): an ecosystem that has not
changed costs one request and no work. Failed downloads are retried with
backoff. Every export is downloaded and checked before the database is
replaced, in one rename: a failed, interrupted or killed update leaves the
previous database fully usable.

Default ecosystems: ` + strings.Join(feeds.DefaultEcosystems, ", ") + `.

With --registry it updates the registry snapshot instead: what each
package's registry says today about every version the --sbom files list,
and with --inventory DSN every version the inventory holds as deployed
(taken down, unpublished, yanked, retracted, unlisted, deprecated). A
registry that cannot answer fails it (exit 2) and keeps the old snapshot.`,
		Args: reg.args,
		RunE: func(cmd *cobra.Command, args []string) error {
			if reg.on() {
				return runRegistryUpdate(cmd.Context(), g, &reg)
			}
			if g.offline {
				return errors.New("db update downloads advisories and --offline forbids the network; use `fnaudit db import` with exports copied in")
			}
			path, err := dbPath(g)
			if err != nil {
				return err
			}
			opts := feeds.UpdateOptions{
				Source:      source,
				Ecosystems:  ecosystems,
				MaxAttempts: maxAttempts,
				UserAgent:   "fnaudit/" + toolVersion(),
			}
			var bars *mpb.Progress
			if showProgress(g) {
				bars = mpb.NewWithContext(cmd.Context(), mpb.WithOutput(g.stderr), mpb.WithWidth(40))
				opts.Progress = barProgress{bars}
			}
			res, err := feeds.Update(cmd.Context(), path, opts, feeds.WithLog(func(f string, a ...any) {
				if bars != nil {
					// Printed above the bars rather than through them.
					fmt.Fprintf(bars, f+"\n", a...)
					return
				}
				infof(g, f, a...)
			}))
			if bars != nil {
				bars.Wait()
			}
			if err != nil {
				return err
			}
			for _, e := range res.Ecosystems {
				if e.NotModified {
					infof(g, "%s: not modified", e.Ecosystem)
				} else {
					infof(g, "%s: %s downloaded, %d records: %s", e.Ecosystem, humanBytes(e.Bytes), e.Stats.Read, describeStats(e.Stats))
				}
			}
			if !res.Rebuilt {
				infof(g, "%s is up to date", path)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&source, "source", "", "base URL of the exports (default $"+feeds.SourceEnv+", else "+feeds.DefaultSource+")")
	f.StringArrayVarP(&ecosystems, "ecosystem", "e", nil, "ecosystem to download (repeatable; default: "+strings.Join(feeds.DefaultEcosystems, ", ")+")")
	f.IntVar(&maxAttempts, "max-attempts", 4, "attempts per download before giving up")
	reg.register(cmd)
	return cmd
}

// showProgress: a bar only for a person watching a terminal.
func showProgress(g *globalOptions) bool {
	if g.quiet || g.noProgress {
		return false
	}
	f, ok := g.stderr.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// barProgress draws one bar per download.
type barProgress struct{ p *mpb.Progress }

func (b barProgress) Start(ecosystem string, size int64, body io.Reader) (io.Reader, func(error)) {
	total := max(size, 0)
	bar := b.p.AddBar(total,
		mpb.PrependDecorators(decor.Name(ecosystem, decor.WC{W: 10, C: decor.DindentRight})),
		mpb.AppendDecorators(decor.CountersKibiByte("% .1f / % .1f"), decor.Name(" "), decor.Percentage()),
	)
	r, err := bar.ProxyReader(body)
	if err != nil {
		bar.Abort(false)
		return body, func(error) {}
	}
	return r, func(err error) {
		if err != nil {
			bar.Abort(false)
			return
		}
		bar.SetTotal(-1, true)
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func newDBStatusCmd(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show what the database holds and how old it is",
		Long: `status counts the database's records per source and ecosystem, by kind:
vulnerability, malicious (OpenSSF MAL- records, GitHub malware advisories,
block-list entries) and withdrawn (kept, never matched). The age counts from
the last import or update (or the last update that found nothing new), not
from the records' own dates; scan warns past ` + feeds.FormatAge(feeds.DefaultWarnAge) + ` and refuses past ` + feeds.FormatAge(feeds.DefaultMaxAge) + `
unless told --` + feeds.FlagValidateAge + `=false.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" {
				return fmt.Errorf("unknown format %q (want table or json)", format)
			}
			path, err := dbPath(g)
			if err != nil {
				return err
			}
			s, err := feeds.Open(path)
			if err != nil {
				return err
			}
			defer s.Close()
			now := time.Now()
			st, err := s.Status(cmd.Context(), now)
			if err != nil {
				return err
			}
			reg, err := readRegistryStatus(cmd.Context(), s, now) // registry.go
			if err != nil {
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				err = enc.Encode(dbStatusJSON{Status: st, Registry: reg})
			} else if err = writeStatusTable(g.stdout, st); err == nil {
				writeRegistryStatus(g.stdout, reg)
			}
			if err == nil && st.Totals.Total == 0 {
				err = fmt.Errorf("advisory database %s holds no records: every scan against it would be refused; run `fnaudit db update`", st.Path)
			}
			return err
		},
	}
	cmd.Flags().StringVarP(&format, "format", "o", "table", "output format: table, json")
	return cmd
}

func writeStatusTable(w io.Writer, st *feeds.Status) error {
	fmt.Fprintf(w, "Advisory database %s\nlast updated %s (%s ago)\n\n", st.Path, st.LastUpdated.Format(time.RFC3339), st.Age)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tECOSYSTEM\tVULNERABILITY\tMALICIOUS\tWITHDRAWN\tUPDATED\tAGE")
	for _, src := range st.Sources {
		for _, e := range src.Ecosystems {
			eco := e.Ecosystem
			if eco == "" {
				eco = "(none)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\n", src.Source, eco, e.Vulnerability, e.Malicious, e.Withdrawn, src.Updated.Format(time.RFC3339), src.Age)
		}
	}
	fmt.Fprintf(tw, "TOTAL\t\t%d\t%d\t%d\t\t\n", st.Totals.Vulnerability, st.Totals.Malicious, st.Totals.Withdrawn)
	if err := tw.Flush(); err != nil {
		return err
	}
	return writeCoverageTable(w, st)
}

// writeCoverageTable: per ecosystem, what a scan checks (feeds.CheckCoverage).
func writeCoverageTable(w io.Writer, st *feeds.Status) error {
	fmt.Fprintln(w, "\nCoverage (what scan requires for each ecosystem it meets):")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ECOSYSTEM\tRECORDS\tADVISORIES AS OF\tAGE\tSOURCES")
	for _, c := range st.Coverage {
		asOf, age := "none: block-list entries only", "-"
		if c.Covered {
			asOf, age = c.Current.Format(time.RFC3339), c.Age
		}
		for i, src := range c.Sources {
			name, records, a, g := c.Ecosystem, fmt.Sprint(c.Counts.Total), asOf, age
			if i > 0 {
				name, records, a, g = "", "", "", ""
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s (%s, %d records, updated %s)\n", name, records, a, g, src.Source, src.Type, src.Counts.Total, src.Updated.Format(time.RFC3339))
		}
	}
	return tw.Flush()
}
