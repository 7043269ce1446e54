package main

import (
	"github.com/spf13/cobra"

	"github.com/fnaudit/fnaudit/internal/format"
	"github.com/fnaudit/fnaudit/sbom"
	"github.com/fnaudit/fnaudit/scan"
)

func init() { register(newSBOMCmd) }

func newSBOMCmd(g *globalOptions) *cobra.Command {
	var (
		af      artifactFlags
		outputs outputFlags
	)
	cmd := &cobra.Command{
		Use:   "sbom TARGET",
		Short: "List every installed package of a function, layer or image as an SBOM",
		Long: `sbom opens TARGET (a function zip with its --layer zips, a layer zip, a
directory, or an image: oci-dir:PATH, oci-archive:FILE, docker-archive:FILE,
registry:REF) and lists every installed third-party package, with its origin
(function, layer N, image layer) and whether the runtime loads that copy.`,
		Example: `  fnaudit sbom testdata/functions/node-app.zip
  fnaudit sbom testdata/functions/node-app.zip -o cyclonedx-json \
      --layer testdata/functions/node-layer.zip
  fnaudit sbom function.zip -o spdx-json=sbom.spdx.json -o cyclonedx-json=sbom.cdx.json
  fnaudit sbom oci-archive:image.tar -o table`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			outs, err := outputs.resolve(func(name string) (string, error) {
				s, err := sbom.Formats.Lookup(name)
				return s.ID, err
			})
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
			return writeAll(g, outs, func(out output, opts format.Options, w writer) error {
				enc, _, err := sbom.Formats.Writer(out.format, opts)
				if err != nil {
					return err
				}
				return enc.Encode(w, s)
			})
		},
	}
	af.register(cmd)
	outputs.register(cmd, sbom.Formats.IDs())
	return cmd
}
