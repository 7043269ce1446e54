package scan

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/fnaudit/fnaudit/artifact"
	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/match"
	"github.com/fnaudit/fnaudit/sbom"
)

// maxGoBinary bounds a Go binary copied out for reachability analysis.
const maxGoBinary = 512 << 20

// annotateGoBinaries decides reachability for the findings of each Go
// binary of the deployment. govulncheck reads a file, so the binary is
// copied into the scan's private directory first.
func annotateGoBinaries(ctx context.Context, d *artifact.Deployment, s *sbom.SBOM, dir string, findings []match.Finding) error {
	done := map[string]bool{}
	for _, f := range findings {
		if f.Package.Ecosystem != core.EcosystemGo || done[f.Package.Path()] {
			continue
		}
		p := f.Package.Path()
		done[p] = true
		file, ok := d.File(p)
		if !ok || file.IsSymlink() || file.Size > maxGoBinary {
			continue // a binary inside an archive, or too large: reachability stays unknown
		}
		tmp, err := copyOut(d, s, p, dir)
		if err != nil {
			return err
		}
		err = match.AnnotateGoBinary(ctx, findings, p, tmp)
		os.Remove(tmp)
		if err != nil {
			return fmt.Errorf("Go reachability of %s: %w", p, err)
		}
	}
	return nil
}

// copyOut writes the binary at p into dir: from the bytes cataloging
// already inflated when the SBOM kept them, else from the deployment.
func copyOut(d *artifact.Deployment, s *sbom.SBOM, p, dir string) (string, error) {
	var rc io.Reader
	if data, ok := s.GoBinary(p); ok {
		rc = bytes.NewReader(data)
	} else {
		f, err := d.Open(p)
		if err != nil {
			return "", err
		}
		defer f.Close()
		rc = f
	}
	out, err := os.CreateTemp(dir, "gobinary-*")
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, io.LimitReader(rc, maxGoBinary)); err != nil {
		out.Close()
		os.Remove(out.Name())
		return "", fmt.Errorf("copy %s: %w", p, err)
	}
	return out.Name(), out.Close()
}
