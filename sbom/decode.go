package sbom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	cyclonedx "github.com/CycloneDX/cyclonedx-go"
	"github.com/anchore/syft/syft/format/spdxjson"

	"github.com/fnaudit/fnaudit/artifact"
	"github.com/fnaudit/fnaudit/core"
)

// maxSBOMFile bounds an SBOM read as scan input.
const maxSBOMFile = 512 << 20

// LooksLikeSBOM reports whether the file at path is a CycloneDX or SPDX
// JSON document, from its first bytes.
func LooksLikeSBOM(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 8192)
	n, _ := io.ReadFull(f, head)
	head = bytes.TrimLeft(head[:n], " \t\r\n\xef\xbb\xbf")
	return bytes.HasPrefix(head, []byte("{")) &&
		(bytes.Contains(head, []byte(`"bomFormat"`)) || bytes.Contains(head, []byte(`"spdxVersion"`)))
}

// Decode reads an SBOM made elsewhere (or by fnaudit) as scan input:
// CycloneDX JSON (any 1.x) or SPDX 2.x JSON. Packages keep the origin, path
// and loaded facts fnaudit wrote as properties; packages from other tools
// have origin "sbom" and count as loaded.
func Decode(path string) (*SBOM, error) {
	raw, err := readLimited(path)
	if err != nil {
		return nil, err
	}
	var probe struct {
		BOMFormat   string `json:"bomFormat"`
		SPDXVersion string `json:"spdxVersion"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, fmt.Errorf("%s: not a JSON SBOM: %w", path, err)
	}
	switch {
	case probe.BOMFormat == "CycloneDX":
		return decodeCycloneDX(path, raw)
	case strings.HasPrefix(probe.SPDXVersion, "SPDX-2"):
		return decodeSPDX(path, raw)
	}
	return nil, fmt.Errorf("%s: not a CycloneDX or SPDX 2.x JSON SBOM", path)
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxSBOMFile+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(raw) > maxSBOMFile {
		return nil, fmt.Errorf("%s: SBOM larger than %d MiB", path, maxSBOMFile>>20)
	}
	return raw, nil
}

func decodeSPDX(path string, raw []byte) (*SBOM, error) {
	if own, ok, err := decodeFnauditSPDX(path, raw); err != nil || ok {
		return own, err
	}
	s, _, _, err := spdxjson.NewFormatDecoder().Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: SPDX: %w", path, err)
	}
	out := &SBOM{Target: path, Kind: KindSBOMFile, Origins: []artifact.Origin{sbomOrigin(path)}}
	out.fromSyft(s, s.Artifacts.Packages.Sorted(), func(string) (artifact.Origin, bool) { return sbomOrigin(path), true }, true)
	for i := range out.Packages {
		if out.Packages[i].Ecosystem == "" {
			if eco, name, _, err := core.ParsePURL(out.Packages[i].PURL); err == nil {
				out.Packages[i].Ecosystem, out.Packages[i].Name = eco, name
			}
		}
	}
	return out, nil
}

// KindSBOMFile is the kind of an SBOM read from a file.
const KindSBOMFile artifact.Kind = "sbom"

func sbomOrigin(path string) artifact.Origin {
	return artifact.Origin{Kind: artifact.OriginSBOM, Name: filepath.Base(path)}
}

func decodeCycloneDX(path string, raw []byte) (*SBOM, error) {
	var bom cyclonedx.BOM
	if err := cyclonedx.NewBOMDecoder(bytes.NewReader(raw), cyclonedx.BOMFileFormatJSON).Decode(&bom); err != nil {
		return nil, fmt.Errorf("%s: CycloneDX: %w", path, err)
	}
	out := &SBOM{Target: path, Kind: KindSBOMFile, cdx: &bom}
	if md := bom.Metadata; md != nil {
		out.Digest = prop(md.Properties, PropDigest)
		if out.Digest == "" && md.Component != nil && md.Component.Hashes != nil {
			for _, h := range *md.Component.Hashes {
				if h.Algorithm == cyclonedx.HashAlgoSHA256 {
					out.Digest = "sha256:" + h.Value
				}
			}
		}
		if rt := prop(md.Properties, PropRuntime); rt != "" && rt != "unknown" {
			if parsed, err := artifact.ParseRuntime(strings.ReplaceAll(rt, " ", "")); err == nil {
				out.Runtime = parsed
			} else {
				out.Runtime = artifact.Runtime{Name: rt}
			}
		}
	}
	functionName := ""
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		functionName = bom.Metadata.Component.Name
	}
	seen := map[artifact.Origin]bool{}
	var walkErr error
	var walk func([]cyclonedx.Component)
	walk = func(cs []cyclonedx.Component) {
		for _, c := range cs {
			if walkErr != nil {
				return
			}
			if c.Components != nil {
				walk(*c.Components)
			}
			id, err := componentIdentity(c)
			if err != nil {
				walkErr = fmt.Errorf("%s: CycloneDX component %s: %w", path, describeComponent(c), err)
				return
			}
			if id.ecosystem == "" {
				continue // not a package: a file, the OS, a purl type without advisories
			}
			p := Package{Ecosystem: id.ecosystem, Name: id.name, Version: id.version, PURL: id.purl, Loaded: true, Origin: sbomOrigin(path)}
			p.Paths = props(c.Properties, PropPath)
			if len(p.Paths) == 0 {
				p.Paths = props(c.Properties, "syft:location:0:path")
			}
			if o, ok := parseOrigin(prop(c.Properties, PropOrigin)); ok {
				o.Digest = prop(c.Properties, PropOriginDigest)
				if o.Kind == artifact.OriginFunction || o.Kind == artifact.OriginDirectory {
					o.Name = functionName
				}
				p.Origin = o
			}
			p.Type = prop(c.Properties, "syft:package:type")
			if l := prop(c.Properties, PropLoaded); l != "" {
				p.Loaded, _ = strconv.ParseBool(l)
			}
			p.ShadowedBy = prop(c.Properties, PropShadowedBy)
			p.Licenses = cdxLicenses(c.Licenses)
			p.Evidence = prop(c.Properties, PropEvidence)
			p.Alias = prop(c.Properties, PropAlias)
			p.AliasDeclared = p.Alias != "" && prop(c.Properties, PropAliasDeclared) == "true"
			if !seen[p.Origin] {
				seen[p.Origin] = true
				out.Origins = append(out.Origins, p.Origin)
			}
			out.Packages = append(out.Packages, p)
			out.syftIDs = append(out.syftIDs, c.BOMRef)
		}
	}
	if bom.Components != nil {
		walk(*bom.Components)
	}
	// Components nested under the subject (the function) are its
	// dependencies as much as top-level ones are.
	if md := bom.Metadata; md != nil && md.Component != nil && md.Component.Components != nil {
		walk(*md.Component.Components)
	}
	if walkErr != nil {
		return nil, walkErr
	}
	sortPackages(out.Packages, out.syftIDs)
	return out, nil
}

// sortPackages orders packages as Generate does (by path, then identity),
// keeping ids aligned.
func sortPackages(pkgs []Package, ids []string) {
	idx := make([]int, len(pkgs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		pa, pb := pkgs[idx[a]], pkgs[idx[b]]
		if pa.Path() != pb.Path() {
			return pa.Path() < pb.Path()
		}
		return dedupKey(pa) < dedupKey(pb)
	})
	sp, si := make([]Package, len(pkgs)), make([]string, len(ids))
	for to, from := range idx {
		sp[to], si[to] = pkgs[from], ids[from]
	}
	copy(pkgs, sp)
	copy(ids, si)
}

func prop(ps *[]cyclonedx.Property, name string) string {
	if v := props(ps, name); len(v) > 0 {
		return v[0]
	}
	return ""
}

func props(ps *[]cyclonedx.Property, name string) []string {
	if ps == nil {
		return nil
	}
	var out []string
	for _, p := range *ps {
		if p.Name == name {
			out = append(out, p.Value)
		}
	}
	return out
}

var layerOrigin = regexp.MustCompile(`^layer (\d+) \((.*)\)$`)

// parseOrigin reads back Origin.String().
func parseOrigin(s string) (artifact.Origin, bool) {
	switch {
	case s == string(artifact.OriginFunction), s == string(artifact.OriginDirectory):
		return artifact.Origin{Kind: artifact.OriginKind(s)}, true
	case strings.HasPrefix(s, "image-layer "):
		return artifact.Origin{Kind: artifact.OriginImageLayer, Digest: strings.TrimPrefix(s, "image-layer ")}, true
	}
	if m := layerOrigin.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		return artifact.Origin{Kind: artifact.OriginLayer, Index: n, Name: m[2]}, true
	}
	return artifact.Origin{}, false
}
