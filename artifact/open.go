package artifact

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// Options say how to open a deployment.
type Options struct {
	// Layers are Lambda layer zips, in the order the function lists them.
	Layers []string
	// Runtime overrides detection, as Lambda names runtimes: "nodejs20.x",
	// "python3.12", "java21", "provided.al2023", ...
	Runtime string
	// Limits bound what is read; zero fields take DefaultLimits.
	Limits Limits
	// Platform picks an image from a multi-platform index ("linux/amd64" by
	// default, Lambda's default architecture).
	Platform string
	// Offline refuses targets that need the network (registry:).
	Offline bool
	// TempDir is the private directory this open may spill into (nested
	// archives, image content); "" means os.TempDir(). A scan engine gives
	// every scan its own, so concurrent scans never share one.
	TempDir string
}

// MaxLayers is Lambda's limit on layers per function.
const MaxLayers = 5

// Image target prefixes, as syft and Grype spell them.
const (
	PrefixOCIDir        = "oci-dir:"
	PrefixOCIArchive    = "oci-archive:"
	PrefixDockerArchive = "docker-archive:"
	PrefixRegistry      = "registry:"
)

// IsImageTarget reports whether target names a container image.
func IsImageTarget(target string) bool {
	for _, p := range []string{PrefixOCIDir, PrefixOCIArchive, PrefixDockerArchive, PrefixRegistry} {
		if strings.HasPrefix(target, p) {
			return true
		}
	}
	return false
}

// Open opens what is deployed: a function zip (or a layer zip on its own)
// with its layers, a directory, or a container image. Nothing is extracted to
// disk; zip entries are read in place when asked for. Hostile or malformed
// input gives an *InputError naming the file and the entry.
func Open(ctx context.Context, target string, opts Options) (*Deployment, error) {
	opts.Limits = opts.Limits.withDefaults()
	if len(opts.Layers) > MaxLayers {
		return nil, fmt.Errorf("%d layers given: Lambda allows at most %d", len(opts.Layers), MaxLayers)
	}
	var (
		d   *Deployment
		err error
	)
	switch {
	case IsImageTarget(target):
		if len(opts.Layers) > 0 {
			return nil, fmt.Errorf("%s: --layer applies to zip functions; an image carries its own layers", target)
		}
		d, err = openImage(ctx, target, opts)
	default:
		info, statErr := os.Stat(target)
		switch {
		case statErr != nil:
			return nil, statErr // "stat PATH: no such file or directory"
		case info.IsDir():
			d, err = openDirectory(ctx, target, opts)
		default:
			d, err = openZips(ctx, target, opts)
		}
	}
	if err != nil {
		return nil, err
	}
	d.limits = opts.Limits
	rt, err := detectRuntime(d, opts.Runtime)
	if err != nil {
		d.Close()
		return nil, err
	}
	d.Runtime = rt
	return d, nil
}
