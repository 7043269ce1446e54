package scan

import (
	"context"
	"fmt"

	"github.com/fnaudit/fnaudit/artifact"
	"github.com/fnaudit/fnaudit/sbom"
)

// Cataloged is a target turned into an SBOM, with the deployment it was read
// from (nil for an SBOM file), still open for the stages that read files
// (Go reachability). Close releases it.
type Cataloged struct {
	SBOM       *sbom.SBOM
	Deployment *artifact.Deployment
}

// Close releases the deployment.
func (c *Cataloged) Close() {
	if c.Deployment != nil {
		c.Deployment.Close()
	}
}

// catalog decodes the target when it is an SBOM file, else opens it (into
// dir, the scan's private directory) and catalogs it.
func (e *Engine) catalog(ctx context.Context, req Request, dir string, opts sbom.Options) (*Cataloged, error) {
	if !artifact.IsImageTarget(req.Target) && sbom.LooksLikeSBOM(req.Target) {
		if len(req.Layers) > 0 {
			return nil, fmt.Errorf("%s is an SBOM; --layer applies to zips", req.Target)
		}
		s, err := sbom.Decode(req.Target)
		if err != nil {
			return nil, err
		}
		return &Cataloged{SBOM: s}, nil
	}
	limits := req.limits(e.cfg.Limits)
	d, err := artifact.Open(ctx, req.Target, artifact.Options{
		Layers: req.Layers, Runtime: req.Runtime, Platform: req.Platform,
		Limits: limits, Offline: e.cfg.Offline, TempDir: dir,
	})
	if err != nil {
		return nil, err
	}
	opts.ArchiveDepth = limits.MaxDepth
	s, err := sbom.Generate(ctx, d, opts)
	if err != nil {
		d.Close()
		return nil, err
	}
	return &Cataloged{SBOM: s, Deployment: d}, nil
}

// SBOM opens and catalogs one target, as Scan does, without matching: the
// `fnaudit sbom` command. The deployment is closed and the private
// directory removed before it returns.
func (e *Engine) SBOM(ctx context.Context, req Request) (*sbom.SBOM, error) {
	dir, cleanup, err := privateDir(e.cfg.TempRoot)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	c, err := e.catalog(ctx, req, dir, sbom.Options{})
	if err != nil {
		return nil, err
	}
	c.Close()
	return c.SBOM, nil
}
