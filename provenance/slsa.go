package provenance

import (
	"errors"
	"fmt"
	"strings"

	slsa02 "github.com/in-toto/attestation/go/predicates/provenance/v02"
	slsa1 "github.com/in-toto/attestation/go/predicates/provenance/v1"
	intoto "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
)

// slsaInfo is what the gate needs from a SLSA provenance predicate.
type slsaInfo struct {
	version      string // "v0.2" or "v1"
	builderID    string
	buildType    string
	sourceURI    string // as written, e.g. "https://github.com/o/r"
	sourceRef    string // "refs/heads/main"
	sourceDigest string // "sha1:…" / "gitCommit:…"
}

// parseSLSA decodes a SLSA provenance v0.2 or v1 predicate with the in-toto
// attestation types and extracts builder, build type and source.
func parseSLSA(st *intoto.Statement) (*slsaInfo, error) {
	if st.GetPredicate() == nil {
		return nil, errors.New("statement has no predicate")
	}
	raw, err := protojson.Marshal(st.GetPredicate())
	if err != nil {
		return nil, fmt.Errorf("predicate: %w", err)
	}
	dec := protojson.UnmarshalOptions{DiscardUnknown: true}
	switch st.GetPredicateType() {
	case slsaProvenanceV02:
		var p slsa02.Provenance
		if err := dec.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("SLSA provenance v0.2 predicate: %w", err)
		}
		return fromSLSA02(&p)
	case slsaProvenanceV1:
		var p slsa1.Provenance
		if err := dec.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("SLSA provenance v1 predicate: %w", err)
		}
		return fromSLSA1(&p)
	default:
		return nil, fmt.Errorf("predicate type %q is not SLSA provenance (%s or %s)", st.GetPredicateType(), slsaProvenanceV02, slsaProvenanceV1)
	}
}

func fromSLSA02(p *slsa02.Provenance) (*slsaInfo, error) {
	info := &slsaInfo{version: "v0.2", builderID: p.GetBuilder().GetId(), buildType: p.GetBuildType()}
	if info.builderID == "" {
		return nil, errors.New("SLSA provenance v0.2 predicate: builder.id required")
	}
	if info.buildType == "" {
		return nil, errors.New("SLSA provenance v0.2 predicate: buildType required")
	}
	// The config source is what the build ran from; materials[0] is the
	// same repository for GitHub builders and the fallback for others.
	cs := p.GetInvocation().GetConfigSource()
	if cs.GetUri() != "" {
		info.sourceURI, info.sourceRef = splitGitURI(cs.GetUri())
		info.sourceDigest = pickDigest(cs.GetDigest())
	} else {
		for _, m := range p.GetMaterials() {
			if strings.HasPrefix(m.GetUri(), "git+") {
				info.sourceURI, info.sourceRef = splitGitURI(m.GetUri())
				info.sourceDigest = pickDigest(m.GetDigest())
				break
			}
		}
	}
	return info, nil
}

func fromSLSA1(p *slsa1.Provenance) (*slsaInfo, error) {
	if err := p.GetBuildDefinition().Validate(); err != nil {
		return nil, fmt.Errorf("SLSA provenance v1 predicate: %w", err)
	}
	if err := p.GetRunDetails().GetBuilder().Validate(); err != nil {
		return nil, fmt.Errorf("SLSA provenance v1 predicate: %w", err)
	}
	bd := p.GetBuildDefinition()
	info := &slsaInfo{version: "v1", builderID: p.GetRunDetails().GetBuilder().GetId(), buildType: bd.GetBuildType()}
	// GitHub Actions build types (npm, slsa-github-generator, GitHub
	// artifact attestations) name the workflow's repository and ref in
	// externalParameters.workflow; others only list the checkout among the
	// resolved dependencies.
	if wf := structField(bd.GetExternalParameters(), "workflow"); wf != nil {
		info.sourceURI = stringField(wf, "repository")
		info.sourceRef = stringField(wf, "ref")
	}
	for _, d := range bd.GetResolvedDependencies() {
		if !strings.HasPrefix(d.GetUri(), "git+") {
			continue
		}
		uri, ref := splitGitURI(d.GetUri())
		if info.sourceURI == "" {
			info.sourceURI, info.sourceRef = uri, ref
		}
		if sameRepo(uri, info.sourceURI) {
			info.sourceDigest = pickDigest(d.GetDigest())
			break
		}
	}
	return info, nil
}

func structField(s *structpb.Struct, key string) *structpb.Struct {
	return s.GetFields()[key].GetStructValue()
}

func stringField(s *structpb.Struct, key string) string {
	return s.GetFields()[key].GetStringValue()
}

// pickDigest renders the git commit of a source as "alg:value".
func pickDigest(d map[string]string) string {
	for _, alg := range []string{"gitCommit", "sha1", "sha256"} {
		if v := d[alg]; v != "" {
			return alg + ":" + v
		}
	}
	return ""
}

// splitGitURI splits "git+https://github.com/o/r@refs/heads/main" into
// the repository and the ref. An "@" before the first "/" after the scheme
// is user information, not a ref.
func splitGitURI(s string) (uri, ref string) {
	rest := strings.TrimPrefix(s, "git+")
	scheme := ""
	if i := strings.Index(rest, "://"); i >= 0 {
		scheme, rest = rest[:i+3], rest[i+3:]
	}
	slash := strings.Index(rest, "/")
	if slash < 0 {
		return scheme + rest, ""
	}
	if at := strings.Index(rest[slash:], "@"); at >= 0 {
		return scheme + rest[:slash+at], rest[slash+at+1:]
	}
	return scheme + rest, ""
}

// normalizeRepo reduces a repository URI to host/path for comparison:
// "git+https://github.com/o/r.git/", "https://github.com/o/r" and
// "github.com/o/r" are the same repository.
func normalizeRepo(s string) string {
	s = strings.TrimSpace(strings.TrimPrefix(s, "git+"))
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if slash := strings.Index(s, "/"); slash > 0 {
		if at := strings.LastIndex(s[:slash], "@"); at >= 0 {
			s = s[at+1:]
		}
	}
	s = strings.TrimRight(s, "/")
	s = strings.TrimSuffix(s, ".git")
	return strings.ToLower(s)
}

func sameRepo(a, b string) bool {
	return a != "" && b != "" && normalizeRepo(a) == normalizeRepo(b)
}

// refMatches: a full ref must match exactly; a short name matches the
// branch or the tag of that name.
func refMatches(want, got string) bool {
	if strings.HasPrefix(want, "refs/") {
		return want == got
	}
	return got == "refs/heads/"+want || got == "refs/tags/"+want
}

// builderAllowed: exact match, or an allow-list entry without "@" admits
// every version of that builder (slsa-verifier's rule).
func builderAllowed(allow []string, got string) bool {
	for _, a := range allow {
		if a == got {
			return true
		}
		if !strings.Contains(a, "@") {
			if name, _, ok := strings.Cut(got, "@"); ok && name == a {
				return true
			}
		}
	}
	return false
}
