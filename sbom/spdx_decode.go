package sbom

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/fnaudit/fnaudit/artifact"
	"github.com/fnaudit/fnaudit/core"
)

// spdxPropType carries syft's package type on an SPDX package (CycloneDX
// has syft's own syft:package:type property for it).
const spdxPropType = "fnaudit:type"

// spdxPropTarget names the function (or directory) the SBOM was made of:
// the function origin's name.
const spdxPropTarget = "fnaudit:target"

// spdxDocumentFacts are the document-level annotations: the artifact's
// name, digest and runtime, and each layer.
func (s *SBOM) spdxDocumentFacts() [][2]string {
	facts := [][2]string{{spdxPropTarget, s.functionName()}}
	if s.Digest != "" {
		facts = append(facts, [2]string{PropDigest, s.Digest})
	}
	facts = append(facts, [2]string{PropRuntime, s.Runtime.String()})
	for _, o := range s.Origins {
		if o.Kind == artifact.OriginLayer {
			facts = append(facts, [2]string{PropLayer, fmt.Sprintf("%d %s %s", o.Index, o.Name, o.Digest)})
		}
	}
	return facts
}

// functionName is the function origin's name ("" when there is none).
func (s *SBOM) functionName() string {
	for _, o := range s.Origins {
		if o.Kind == artifact.OriginFunction || o.Kind == artifact.OriginDirectory {
			return o.Name
		}
	}
	return ""
}

// spdxJSON is the part of an SPDX 2.x JSON document fnaudit's annotations
// live in.
type spdxJSON struct {
	Annotations []spdxAnnotation `json:"annotations"`
	Packages    []struct {
		Name         string `json:"name"`
		VersionInfo  string `json:"versionInfo"`
		ExternalRefs []struct {
			Type    string `json:"referenceType"`
			Locator string `json:"referenceLocator"`
		} `json:"externalRefs"`
		Annotations []spdxAnnotation `json:"annotations"`
	} `json:"packages"`
}

type spdxAnnotation struct {
	Comment string `json:"comment"`
}

func annotationValues(as []spdxAnnotation, key string) []string {
	var out []string
	for _, a := range as {
		if k, v, ok := strings.Cut(a.Comment, "="); ok && k == key {
			out = append(out, v)
		}
	}
	return out
}

func annotationValue(as []spdxAnnotation, key string) string {
	if v := annotationValues(as, key); len(v) > 0 {
		return v[0]
	}
	return ""
}

// decodeFnauditSPDX reads an SPDX document fnaudit wrote, with everything
// its annotations carry: origins, paths, loaded, digest, runtime. ok is
// false for an SPDX document from another tool (read by syft's decoder).
func decodeFnauditSPDX(path string, raw []byte) (out *SBOM, ok bool, err error) {
	var doc spdxJSON
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, false, fmt.Errorf("%s: SPDX: %w", path, err)
	}
	if annotationValue(doc.Annotations, PropRuntime) == "" {
		return nil, false, nil
	}
	out = &SBOM{Target: path, Kind: KindSBOMFile, Digest: annotationValue(doc.Annotations, PropDigest)}
	if rt := annotationValue(doc.Annotations, PropRuntime); rt != "unknown" {
		if parsed, err := artifact.ParseRuntime(strings.ReplaceAll(rt, " ", "")); err == nil {
			out.Runtime = parsed
		} else {
			out.Runtime = artifact.Runtime{Name: rt}
		}
	}
	functionName := annotationValue(doc.Annotations, spdxPropTarget)
	seen := map[artifact.Origin]bool{}
	for _, sp := range doc.Packages {
		purl := ""
		for _, r := range sp.ExternalRefs {
			if r.Type == "purl" {
				purl = r.Locator
			}
		}
		eco, name, version, err := core.ParsePURL(purl)
		if err != nil {
			continue // the root package, files, packages fnaudit cannot match
		}
		if sp.VersionInfo != "" {
			version = sp.VersionInfo
		}
		p := Package{Ecosystem: eco, Name: name, Version: version, PURL: purl, Loaded: true, Origin: sbomOrigin(path)}
		p.Paths = annotationValues(sp.Annotations, PropPath)
		if o, ok := parseOrigin(annotationValue(sp.Annotations, PropOrigin)); ok {
			o.Digest = annotationValue(sp.Annotations, PropOriginDigest)
			if o.Kind == artifact.OriginFunction || o.Kind == artifact.OriginDirectory {
				o.Name = functionName
			}
			p.Origin = o
		}
		p.Type = annotationValue(sp.Annotations, spdxPropType)
		if l := annotationValue(sp.Annotations, PropLoaded); l != "" {
			p.Loaded, _ = strconv.ParseBool(l)
		}
		p.ShadowedBy = annotationValue(sp.Annotations, PropShadowedBy)
		p.Alias = annotationValue(sp.Annotations, PropAlias)
		p.AliasDeclared = p.Alias != "" && annotationValue(sp.Annotations, PropAliasDeclared) == "true"
		if !seen[p.Origin] {
			seen[p.Origin] = true
			out.Origins = append(out.Origins, p.Origin)
		}
		out.Packages = append(out.Packages, p)
		out.syftIDs = append(out.syftIDs, fmt.Sprintf("spdx-%d", len(out.syftIDs)))
	}
	sortPackages(out.Packages, out.syftIDs)
	return out, true, nil
}
