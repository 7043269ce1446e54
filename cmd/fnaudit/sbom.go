package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/fnaudit/fnaudit/report"
	"github.com/fnaudit/fnaudit/sbom"
	"github.com/fnaudit/fnaudit/scan"
)

func init() { register(newSBOMCmd) }

func newSBOMCmd(g *globalOptions) *cobra.Command {
	var (
		af     artifactFlags
		format string
		output string
	)
	cmd := &cobra.Command{
		Use:   "sbom TARGET",
		Short: "List every installed package of a function, layer or image as an SBOM",
		Long: `sbom opens TARGET (a function zip with its --layer zips, a layer zip, a
directory, or an image: oci-dir:PATH, oci-archive:FILE, docker-archive:FILE,
registry:REF) and lists every installed third-party package, with its origin
(function, layer N, image layer) and whether the runtime loads that copy.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			enc, _, err := sbom.Formats.Writer(format, report.Options{})
			if err != nil {
				return err
			}
			engine, err := scan.Open(cmd.Context(), scan.Config{Limits: af.limits, Offline: g.offline, TempRoot: g.tempRoot})
			if err != nil {
				return err
			}
			defer engine.Close()
			limitHeapFor(args[0])
			s, err := engine.SBOM(cmd.Context(), af.request(args[0]))
			if err != nil {
				return err
			}
			return writeOutput(g, output, func(w writer) error { return enc.Encode(w, s) })
		},
	}
	af.register(cmd)
	cmd.Flags().StringVarP(&format, "format", "o", "table", "output format: "+strings.Join(sbom.Formats.IDs(), ", "))
	cmd.Flags().StringVar(&output, "output", "", "write to this file instead of standard output")
	return cmd
}
