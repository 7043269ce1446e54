package main

import (
	"github.com/spf13/cobra"

	"github.com/fnaudit/fnaudit/artifact"
	"github.com/fnaudit/fnaudit/scan"
)

// artifactFlags are how sbom and scan open a target: layers, runtime and the
// hostile-input limits a user can raise.
type artifactFlags struct {
	layers   []string
	runtime  string
	platform string
	limits   artifact.Limits
}

func (a *artifactFlags) register(cmd *cobra.Command) {
	d := artifact.DefaultLimits()
	f := cmd.Flags()
	f.StringArrayVar(&a.layers, "layer", nil, "Lambda layer zip, in function order (repeatable, up to 5)")
	f.StringVar(&a.runtime, "runtime", "", "Lambda runtime (nodejs20.x, python3.12, java21, ...); detected from the content when not set")
	f.StringVar(&a.platform, "platform", "", "image platform to pick from a multi-platform index (default linux/amd64)")
	f.Int64Var(&a.limits.MaxZipSize, "max-size", d.MaxZipSize, "limit on the total uncompressed bytes of a function and its layers")
	f.Int64Var(&a.limits.MaxImageSize, "max-image-size", d.MaxImageSize, "limit on the total uncompressed bytes of an image")
	f.IntVar(&a.limits.MaxEntries, "max-entries", d.MaxEntries, "limit on the number of archive entries")
	f.IntVar(&a.limits.MaxDepth, "max-depth", d.MaxDepth, "limit on archives nested inside archives")
	f.Int64Var(&a.limits.MaxRatio, "max-ratio", d.MaxRatio, "limit on one entry's or image layer's compression ratio (over 1 MiB)")
	f.IntVar(&a.limits.MaxPathDepth, "max-path-depth", d.MaxPathDepth, "limit on the number of components of one path")
	f.IntVar(&a.limits.MaxNestedArchives, "max-nested-archives", d.MaxNestedArchives, "limit on the number of archives inside archives")
	f.Int64Var(&a.limits.MaxMetadataSize, "max-metadata-size", d.MaxMetadataSize, "limit on the bytes of one file a cataloger reads")
}

// request is the scan request of TARGET with these flags.
func (a *artifactFlags) request(target string) scan.Request {
	return scan.Request{Target: target, Layers: a.layers, Runtime: a.runtime, Platform: a.platform}
}
