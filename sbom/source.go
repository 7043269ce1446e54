package sbom

import (
	"strings"

	"github.com/anchore/syft/syft/artifact"
	"github.com/anchore/syft/syft/file"
	"github.com/anchore/syft/syft/source"

	fnartifact "github.com/fnaudit/fnaudit/artifact"
)

// deploymentSource is a syft source.Source over an opened deployment, so
// syft's catalogers run against fnaudit's merged view (see resolver).
type deploymentSource struct {
	d        *fnartifact.Deployment
	resolver *resolver
}

var _ source.Source = (*deploymentSource)(nil)

func newDeploymentSource(d *fnartifact.Deployment) *deploymentSource {
	return &deploymentSource{d: d, resolver: newResolver(d)}
}

func (s *deploymentSource) ID() artifact.ID {
	if s.d.Digest != "" {
		return artifact.ID(s.d.Digest)
	}
	return artifact.ID(s.d.Target)
}

// FileResolver serves the merged view for every scope: layers a function
// carries are part of what runs, and shadowed copies are marked afterwards
// (see loaded.go), not hidden.
func (s *deploymentSource) FileResolver(source.Scope) (file.Resolver, error) {
	return s.resolver, nil
}

// Describe carries the artifact digest into syft's encoders, so the SPDX
// root package and the CycloneDX metadata component hold it.
func (s *deploymentSource) Describe() source.Description {
	desc := source.Description{ID: string(s.ID()), Name: s.d.Target, Version: s.d.Digest}
	switch s.d.Kind {
	case fnartifact.KindImage:
		md := source.ImageMetadata{UserInput: s.d.Target, ManifestDigest: s.d.Digest}
		for _, o := range s.d.Origins {
			md.Layers = append(md.Layers, source.LayerMetadata{Digest: o.Digest})
		}
		desc.Metadata = md
	case fnartifact.KindDirectory:
		desc.Metadata = source.DirectoryMetadata{Path: s.d.Target}
	default:
		md := source.FileMetadata{Path: s.d.Target, MIMEType: "application/zip"}
		if alg, hex, ok := strings.Cut(s.d.Digest, ":"); ok {
			md.Digests = []file.Digest{{Algorithm: alg, Value: hex}}
		}
		desc.Metadata = md
	}
	return desc
}

// Close leaves the deployment to its owner.
func (s *deploymentSource) Close() error { return nil }
