package sbom

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/anchore/syft/syft/format/common/spdxhelpers"
	"github.com/spdx/tools-golang/spdx/v2/common"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"
)

// SPDX builds the SPDX 2.3 document with syft's helpers; fnaudit's origin,
// path and loaded facts ride on each package as annotations (SPDX 2.3 has no
// free-form properties), written "fnaudit:origin=function".
func (s *SBOM) SPDX() (*spdx.Document, error) {
	if s.syft == nil {
		return nil, fmt.Errorf("SBOM of %s has no package model to encode", s.Target)
	}
	doc := spdxhelpers.ToFormatModel(*s.syft)
	if doc == nil {
		return nil, fmt.Errorf("SPDX model of %s", s.Target)
	}
	byID := map[string]int{}
	for i, id := range s.syftIDs {
		byID[id] = i
	}
	// The helper emits one package per syft package in sorted order, then
	// the root package describing the artifact.
	sorted := s.syft.Artifacts.Packages.Sorted()
	if len(doc.Packages) < len(sorted) {
		return nil, fmt.Errorf("SPDX model has %d packages for %d", len(doc.Packages), len(sorted))
	}
	date := time.Now().UTC().Format(time.RFC3339)
	for pi, sp := range sorted {
		i, ok := byID[string(sp.ID())]
		if !ok || doc.Packages[pi].PackageName != sp.Name {
			return nil, fmt.Errorf("SPDX package %d (%s) does not match package %s", pi, doc.Packages[pi].PackageName, sp.Name)
		}
		p := s.Packages[i]
		note := func(k, v string) {
			doc.Packages[pi].Annotations = append(doc.Packages[pi].Annotations, spdx.Annotation{
				Annotator:         common.Annotator{Annotator: "fnaudit-" + toolVersion(), AnnotatorType: "Tool"},
				AnnotationDate:    date,
				AnnotationType:    "OTHER",
				AnnotationComment: k + "=" + v,
			})
		}
		note(PropOrigin, p.Origin.String())
		if p.Origin.Digest != "" {
			note(PropOriginDigest, p.Origin.Digest)
		}
		if p.Type != "" {
			note(spdxPropType, p.Type)
		}
		for _, pth := range p.Paths {
			note(PropPath, pth)
		}
		note(PropLoaded, strconv.FormatBool(p.Loaded))
		if p.ShadowedBy != "" {
			note(PropShadowedBy, p.ShadowedBy)
		}
		if p.Evidence != "" {
			note(PropEvidence, p.Evidence)
		}
		if p.Declared {
			note(PropDeclared, "true")
		}
		if p.Alias != "" {
			note(PropAlias, p.Alias)
			if p.AliasDeclared {
				note(PropAliasDeclared, "true")
			}
		}
	}
	doc.DocumentComment = fmt.Sprintf("fnaudit SBOM of %s (%s), runtime %s", s.Target, s.Digest, s.Runtime)
	// The artifact's facts, as CycloneDX's metadata properties carry them,
	// so that scanning this document gives what scanning the artifact did.
	for _, kv := range s.spdxDocumentFacts() {
		doc.Annotations = append(doc.Annotations, &spdx.Annotation{
			Annotator:         common.Annotator{Annotator: "fnaudit-" + toolVersion(), AnnotatorType: "Tool"},
			AnnotationDate:    date,
			AnnotationType:    "OTHER",
			AnnotationComment: kv[0] + "=" + kv[1],
		})
	}
	return doc, nil
}

func encodeSPDX(w io.Writer, s *SBOM) error {
	doc, err := s.SPDX()
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode SPDX: %w", err)
	}
	return nil
}
