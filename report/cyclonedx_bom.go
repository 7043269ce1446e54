package report

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	cyclonedx "github.com/CycloneDX/cyclonedx-go"

	"github.com/fnaudit/fnaudit/core"
)

// bomOf builds the CycloneDX 1.6 BOM of the report's packages: one library
// component each, with fnaudit's origin, path and loaded properties and the
// licenses its metadata declares, and metadata naming the artifact and its
// digest. refs[i] is the bom-ref of r.SBOM.Packages[i].
func bomOf(r *Report) (*cyclonedx.BOM, []string) {
	bom := cyclonedx.NewBOM()
	bom.SerialNumber = "" // a stored result renders byte-identical BOMs
	pkgs := r.SBOM.Packages
	comps := make([]cyclonedx.Component, 0, len(pkgs))
	refs := make([]string, len(pkgs))
	for i, p := range pkgs {
		refs[i] = fmt.Sprintf("fnaudit:package:%d", i+1)
		c := cyclonedx.Component{
			BOMRef:     refs[i],
			Type:       cyclonedx.ComponentTypeLibrary,
			Name:       p.Name,
			Version:    p.Version,
			PackageURL: p.PURL,
		}
		if len(p.Licenses) > 0 {
			lc := make(cyclonedx.Licenses, 0, len(p.Licenses))
			for _, l := range p.Licenses {
				lc = append(lc, cyclonedx.LicenseChoice{License: &cyclonedx.License{Name: l}})
			}
			c.Licenses = &lc
		}
		props := componentProperties(p)
		c.Properties = &props
		comps = append(comps, c)
	}
	bom.Components = &comps
	bom.Metadata = &cyclonedx.Metadata{
		Timestamp: r.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"),
		Tools: &cyclonedx.ToolsChoice{Components: &[]cyclonedx.Component{
			{Type: cyclonedx.ComponentTypeApplication, Name: r.Tool.Name, Version: r.Tool.Version},
		}},
		Component: artifactComponent(r.Artifact),
	}
	props := artifactProperties(r.Artifact)
	bom.Metadata.Properties = &props
	return bom, refs
}

func componentProperties(p core.Package) []cyclonedx.Property {
	props := []cyclonedx.Property{{Name: core.PropOrigin, Value: p.Origin.String()}}
	if p.Origin.Digest != "" {
		props = append(props, cyclonedx.Property{Name: core.PropOriginDigest, Value: p.Origin.Digest})
	}
	for _, pth := range p.Paths {
		props = append(props, cyclonedx.Property{Name: core.PropPath, Value: pth})
	}
	props = append(props, cyclonedx.Property{Name: core.PropLoaded, Value: strconv.FormatBool(p.Loaded)})
	if p.ShadowedBy != "" {
		props = append(props, cyclonedx.Property{Name: core.PropShadowedBy, Value: p.ShadowedBy})
	}
	if p.Evidence != "" {
		props = append(props, cyclonedx.Property{Name: core.PropEvidence, Value: p.Evidence})
	}
	if p.Alias != "" {
		props = append(props, cyclonedx.Property{Name: core.PropAlias, Value: p.Alias})
		if p.AliasDeclared {
			props = append(props, cyclonedx.Property{Name: core.PropAliasDeclared, Value: "true"})
		}
	}
	return props
}

// artifactComponent describes the deployed artifact: its name and digest.
func artifactComponent(a Artifact) *cyclonedx.Component {
	c := &cyclonedx.Component{BOMRef: "fnaudit:artifact", Type: cyclonedx.ComponentTypeApplication,
		Name: path.Base(strings.TrimSuffix(a.Target, "/"))}
	if a.Kind == core.ArtifactImage {
		c.Type, c.Name = cyclonedx.ComponentTypeContainer, a.Target
	}
	if a.Digest != "" {
		c.Version = a.Digest
		if alg, hexDigest, ok := strings.Cut(a.Digest, ":"); ok && alg == "sha256" {
			c.Hashes = &[]cyclonedx.Hash{{Algorithm: cyclonedx.HashAlgoSHA256, Value: hexDigest}}
		}
	}
	return c
}

func artifactProperties(a Artifact) []cyclonedx.Property {
	var props []cyclonedx.Property
	if a.Digest != "" {
		props = append(props, cyclonedx.Property{Name: core.PropDigest, Value: a.Digest})
		if a.CodeSha256 != "" && a.Kind == core.ArtifactZip {
			props = append(props, cyclonedx.Property{Name: core.PropCodeSha256, Value: a.CodeSha256})
		}
	}
	props = append(props, cyclonedx.Property{Name: core.PropRuntime, Value: a.Runtime})
	for _, o := range a.Origins {
		if o.Kind == core.OriginLayer {
			props = append(props, cyclonedx.Property{Name: core.PropLayer, Value: fmt.Sprintf("%d %s %s", o.Index, o.Name, o.Digest)})
		}
	}
	return props
}
