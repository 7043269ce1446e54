package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/fnaudit/fnaudit/artifact"
	"github.com/fnaudit/fnaudit/sbom"
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
			enc, err := sbom.EncoderFor(format)
			if err != nil {
				return err
			}
			sbom.Preload()
			d, err := artifact.Open(cmd.Context(), args[0], af.options(g))
			if err != nil {
				return err
			}
			defer d.Close()
			limitHeapFor(d)
			s, err := sbom.Generate(cmd.Context(), d, sbom.Options{ArchiveDepth: af.limits.MaxDepth})
			if err != nil {
				return err
			}
			return writeOutput(g, output, func(w writer) error { return enc.Encode(w, s) })
		},
	}
	af.register(cmd)
	cmd.Flags().StringVarP(&format, "format", "o", "table", fmt.Sprintf("output format: %s", sbom.FormatNames()))
	cmd.Flags().StringVar(&output, "output", "", "write to this file instead of standard output")
	return cmd
}
