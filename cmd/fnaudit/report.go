package main

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fnaudit/fnaudit/report"
)

func init() { register(newReportCmd) }

func newReportCmd(g *globalOptions) *cobra.Command {
	var (
		from   string
		format string
		output string
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
  fnaudit report --from result.json -o markdown`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if from == "" {
				return errors.New("report: --from RESULT.json is required")
			}
			r, err := report.ReadFile(from)
			if err != nil {
				return err
			}
			w, err := report.For(format, report.Options{Color: isTerminal(g.stdout) && output == ""})
			if err != nil {
				return err
			}
			if err := writeOutput(g, output, func(out writer) error { return w.Write(out, r) }); err != nil {
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
	fl.StringVarP(&format, "format", "o", "table", "report format: "+strings.Join(report.Formats.IDs(), ", "))
	fl.StringVar(&output, "output", "", "write to this file instead of standard output")
	return cmd
}
