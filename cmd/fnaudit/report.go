package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/fnaudit/fnaudit/internal/format"
	"github.com/fnaudit/fnaudit/report"
)

func init() { register(newReportCmd) }

func newReportCmd(g *globalOptions) *cobra.Command {
	var (
		from    string
		outputs outputFlags
	)
	cmd := &cobra.Command{
		Use:   "report --from RESULT.json",
		Short: "Render a stored scan result in any report format",
		Long: `report renders a JSON result written by ` + "`fnaudit scan -o json`" + ` (schema
fnaudit.report/v1, the stable interchange form) in any report format, with
no artifact and no advisory database: the result carries the packages, the
findings, the decision, the provenance, and the database and artifact facts.

The exit code is the stored gate's: 0 passed, 1 failed.`,
		Example: `  fnaudit scan function.zip -o json --output result.json
  fnaudit report --from result.json -o sarif --output fnaudit.sarif
  fnaudit report --from result.json -o markdown
  fnaudit report --from result.json -o sarif=fnaudit.sarif -o markdown=comment.md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if from == "" {
				return errors.New("report: --from RESULT.json is required")
			}
			outs, err := outputs.resolve(reportFormat)
			if err != nil {
				return err
			}
			r, err := report.ReadFile(from)
			if err != nil {
				return err
			}
			if err := writeAll(g, outs, func(out output, opts format.Options, w writer) error {
				rw, err := report.For(out.format, opts)
				if err != nil {
					return err
				}
				return rw.Write(w, r)
			}); err != nil {
				return err
			}
			if !r.Gate.Pass {
				return newGateFailure("the stored result failed the gate (%d failing findings)", r.Gate.Failing)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&from, "from", "", "JSON result to render (fnaudit scan -o json)")
	outputs.register(cmd, report.Formats.IDs())
	return cmd
}
