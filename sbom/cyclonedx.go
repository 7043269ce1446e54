package sbom

import (
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	cyclonedx "github.com/CycloneDX/cyclonedx-go"
	syftartifact "github.com/anchore/syft/syft/artifact"
	"github.com/anchore/syft/syft/format/common/cyclonedxhelpers"
	"github.com/anchore/syft/syft/pkg"

	"github.com/fnaudit/fnaudit/artifact"
	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/internal/cdxjson"
)

// CycloneDX builds the CycloneDX 1.6 BOM: syft's components for the
// packages, each with fnaudit's origin, path and loaded properties, and
// metadata naming the artifact and its digest.
func (s *SBOM) CycloneDX() (*cyclonedx.BOM, error) {
	bom, _, err := s.CycloneDXWithRefs()
	return bom, err
}

// CycloneDXWithRefs is CycloneDX, also returning each package's component
// bom-ref (refs[i] for Packages[i]), so a report can point its
// vulnerabilities at them.
func (s *SBOM) CycloneDXWithRefs() (*cyclonedx.BOM, []string, error) {
	if s.cdx != nil {
		bom := *s.cdx
		return &bom, s.syftIDs, nil
	}
	if s.syft == nil {
		return nil, nil, fmt.Errorf("SBOM of %s has no package model to encode", s.Target)
	}
	bom := cyclonedxhelpers.ToFormatModel(*s.syft)
	byID := map[string]int{}
	for i, id := range s.syftIDs {
		byID[id] = i
	}
	// ToFormatModel emits one component per package, in the collection's
	// sorted order, before any other component. The same order, without
	// Collection.Sorted's deep copy of every package (jinzhu/copier):
	// the collection holds exactly the packages of syftIDs.
	ids := make([]syftartifact.ID, len(s.syftIDs))
	for i, id := range s.syftIDs {
		ids[i] = syftartifact.ID(id)
	}
	sorted := s.syft.Artifacts.Packages.Packages(ids)
	pkg.Sort(sorted)
	comps := *bom.Components
	if len(comps) < len(sorted) {
		return nil, nil, fmt.Errorf("CycloneDX model has %d components for %d packages", len(comps), len(sorted))
	}
	refs := make([]string, len(s.Packages))
	for ci, sp := range sorted {
		i, ok := byID[string(sp.ID())]
		if !ok || comps[ci].Name != sp.Name {
			return nil, nil, fmt.Errorf("CycloneDX component %d (%s) does not match package %s", ci, comps[ci].Name, sp.Name)
		}
		props := append(derefProps(comps[ci].Properties), packageProperties(s.Packages[i])...)
		comps[ci].Properties = &props
		refs[i] = comps[ci].BOMRef
	}
	bom.Metadata.Component = s.metadataComponent(bom.Metadata.Component)
	bom.Metadata.Tools = toolComponents()
	props := append(derefProps(bom.Metadata.Properties), s.metadataProperties()...)
	bom.Metadata.Properties = &props
	return bom, refs, nil
}

func derefProps(p *[]cyclonedx.Property) []cyclonedx.Property {
	if p == nil {
		return nil
	}
	return *p
}

func packageProperties(p Package) []cyclonedx.Property {
	props := []cyclonedx.Property{{Name: PropOrigin, Value: p.Origin.String()}}
	if p.Origin.Digest != "" {
		props = append(props, cyclonedx.Property{Name: PropOriginDigest, Value: p.Origin.Digest})
	}
	for _, pth := range p.Paths {
		props = append(props, cyclonedx.Property{Name: PropPath, Value: pth})
	}
	props = append(props, cyclonedx.Property{Name: PropLoaded, Value: strconv.FormatBool(p.Loaded)})
	if p.ShadowedBy != "" {
		props = append(props, cyclonedx.Property{Name: PropShadowedBy, Value: p.ShadowedBy})
	}
	if p.Evidence != "" {
		props = append(props, cyclonedx.Property{Name: PropEvidence, Value: p.Evidence})
	}
	if p.Declared {
		props = append(props, cyclonedx.Property{Name: PropDeclared, Value: "true"})
	}
	if p.Alias != "" {
		props = append(props, cyclonedx.Property{Name: PropAlias, Value: p.Alias})
		if p.AliasDeclared {
			props = append(props, cyclonedx.Property{Name: PropAliasDeclared, Value: "true"})
		}
	}
	return props
}

// metadataComponent describes the deployed artifact: its name and digest.
func (s *SBOM) metadataComponent(c *cyclonedx.Component) *cyclonedx.Component {
	if c == nil {
		c = &cyclonedx.Component{}
	}
	c.Name = path.Base(strings.TrimSuffix(s.Target, "/"))
	c.Type = cyclonedx.ComponentTypeApplication
	if s.Kind == artifact.KindImage {
		c.Type = cyclonedx.ComponentTypeContainer
		c.Name = s.Target
	}
	if s.Digest != "" {
		c.Version = s.Digest
		if alg, hexDigest, ok := strings.Cut(s.Digest, ":"); ok && alg == "sha256" {
			c.Hashes = &[]cyclonedx.Hash{{Algorithm: cyclonedx.HashAlgoSHA256, Value: hexDigest}}
		}
	}
	if c.BOMRef == "" {
		c.BOMRef = "fnaudit:artifact"
	}
	return c
}

func (s *SBOM) metadataProperties() []cyclonedx.Property {
	var props []cyclonedx.Property
	if s.Digest != "" {
		props = append(props, cyclonedx.Property{Name: PropDigest, Value: s.Digest})
		if b64 := CodeSha256(s.Digest); b64 != "" && s.Kind == artifact.KindZip {
			props = append(props, cyclonedx.Property{Name: PropCodeSha256, Value: b64})
		}
	}
	props = append(props, cyclonedx.Property{Name: PropRuntime, Value: s.Runtime.String()})
	for _, b := range s.UnidentifiedBundles {
		props = append(props, cyclonedx.Property{Name: PropUnidentifiedBundle, Value: b})
	}
	for _, o := range s.Origins {
		if o.Kind == artifact.OriginLayer {
			props = append(props, cyclonedx.Property{Name: PropLayer, Value: fmt.Sprintf("%d %s %s", o.Index, o.Name, o.Digest)})
		}
	}
	return props
}

// toolComponents names fnaudit and the syft library that cataloged for it.
func toolComponents() *cyclonedx.ToolsChoice {
	return &cyclonedx.ToolsChoice{Components: &[]cyclonedx.Component{
		{Type: cyclonedx.ComponentTypeApplication, Name: "fnaudit", Version: toolVersion()},
		{Type: cyclonedx.ComponentTypeLibrary, Group: "anchore", Name: "syft", Version: moduleVersion("github.com/anchore/syft")},
	}}
}

// CodeSha256 is Lambda's form of a sha256 digest (core.CodeSha256).
func CodeSha256(digest string) string { return core.CodeSha256(digest) }

func encodeCycloneDX(w io.Writer, s *SBOM) error {
	bom, err := s.CycloneDX()
	if err != nil {
		return err
	}
	// Compact, as syft writes it: an SBOM is a machine document, and
	// indenting (encoding/json re-scans the whole output) was a tenth of
	// the 250 MB benchmark function's SBOM time. `jq .` indents it.
	return cdxjson.Encode(w, bom, false)
}
