package provenance

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	"github.com/sigstore/sigstore-go/pkg/bundle"
)

// Limits on hostile provenance files; real ones are a few tens of kilobytes.
const (
	maxProvenanceFile = 32 << 20 // bytes
	maxEntries        = 256      // bundles in one .intoto.jsonl or attestations document
	maxDSSESignatures = 16
)

// Input formats, as reported in Result.Format.
const (
	formatBundle      = "sigstore bundle"
	formatJSONL       = "intoto.jsonl"
	formatNPM         = "npm attestations"
	formatDSSE        = "DSSE envelope"
	bundleV03         = "application/vnd.dev.sigstore.bundle.v0.3+json"
	slsaProvenanceV02 = "https://slsa.dev/provenance/v0.2"
	slsaProvenanceV1  = "https://slsa.dev/provenance/v1"
)

// entry is one signed thing found in a provenance file.
type entry struct {
	label  string // where in the file: "line 2", "attestation 1 (predicateType …)"
	format string // "sigstore bundle v0.3", "DSSE envelope"
	bundle *bundle.Bundle
}

// provenanceFile is a parsed provenance file: one or more entries, of which
// one must verify.
type provenanceFile struct {
	format  string
	entries []entry
}

// parseProvenance recognises a Sigstore bundle (v0.1–v0.3), an
// slsa-github-generator .intoto.jsonl (one bundle or DSSE envelope per line),
// an npm registry attestations document or a bare DSSE envelope.
func parseProvenance(data []byte) (*provenanceFile, error) {
	if len(data) > maxProvenanceFile {
		return nil, fmt.Errorf("%d bytes, larger than the %d-byte limit", len(data), maxProvenanceFile)
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("empty file")
	}
	if json.Valid(trimmed) {
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &probe); err != nil {
			return nil, errors.New("not a Sigstore bundle, DSSE envelope, .intoto.jsonl or npm attestations document (not a JSON object)")
		}
		return parseDocument(trimmed, probe)
	}
	if !bytes.Contains(trimmed, []byte("\n")) {
		var v any
		return nil, fmt.Errorf("not JSON: %w", json.Unmarshal(trimmed, &v))
	}
	// Several JSON documents, one per line: .intoto.jsonl.
	pf := &provenanceFile{format: formatJSONL}
	for i, line := range bytes.Split(trimmed, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if len(pf.entries) >= maxEntries {
			return nil, fmt.Errorf("more than %d entries", maxEntries)
		}
		var lp map[string]json.RawMessage
		if err := json.Unmarshal(line, &lp); err != nil {
			if len(pf.entries) == 0 {
				return nil, fmt.Errorf("not JSON or JSON lines: line %d: %w", i+1, err)
			}
			return nil, fmt.Errorf("line %d: not JSON: %w", i+1, err)
		}
		sub, err := parseDocument(line, lp)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		if sub.format == formatNPM {
			return nil, fmt.Errorf("line %d: an attestations document cannot be a .intoto.jsonl line", i+1)
		}
		for _, e := range sub.entries {
			e.label = fmt.Sprintf("line %d", i+1) + suffix(e.label)
			pf.entries = append(pf.entries, e)
		}
	}
	return pf, nil
}

func suffix(label string) string {
	if label == "" {
		return ""
	}
	return " " + label
}

// parseDocument parses one JSON document whose top-level keys are in probe.
func parseDocument(raw []byte, probe map[string]json.RawMessage) (*provenanceFile, error) {
	switch {
	case has(probe, "mediaType") && has(probe, "verificationMaterial"):
		b, err := parseBundle(raw)
		if err != nil {
			return nil, err
		}
		return &provenanceFile{format: formatBundle, entries: []entry{b}}, nil
	case has(probe, "attestations"):
		return parseAttestations(probe["attestations"])
	case has(probe, "payloadType") && has(probe, "signatures"):
		entries, err := parseDSSE(raw)
		if err != nil {
			return nil, err
		}
		return &provenanceFile{format: formatDSSE, entries: entries}, nil
	case has(probe, "base64Signature") || has(probe, "rekorBundle"):
		return nil, errors.New("cosign's legacy bundle format is not supported: sign with `cosign sign-blob --new-bundle-format` (Sigstore bundle)")
	default:
		return nil, errors.New("not a Sigstore bundle, DSSE envelope, .intoto.jsonl or npm attestations document")
	}
}

func has(m map[string]json.RawMessage, key string) bool { _, ok := m[key]; return ok }

// parseBundle loads a Sigstore bundle with sigstore-go, which enforces the
// per-version rules (v0.1 needs an inclusion promise, v0.2+ a proof).
func parseBundle(raw []byte) (entry, error) {
	var b bundle.Bundle
	if err := b.UnmarshalJSON(raw); err != nil {
		return entry{}, fmt.Errorf("sigstore bundle: %w", err)
	}
	v, err := b.Version()
	if err != nil {
		return entry{}, fmt.Errorf("sigstore bundle: %w", err)
	}
	return entry{format: formatBundle + " " + v, bundle: &b}, nil
}

// parseAttestations reads the npm registry's attestations document:
// {"attestations":[{"predicateType":…, "bundle":{…}}]}. When it holds SLSA
// provenance, only those entries count: the npm publish attestation beside
// it is the registry's own signature, not build provenance.
func parseAttestations(raw json.RawMessage) (*provenanceFile, error) {
	var atts []struct {
		PredicateType string          `json:"predicateType"`
		Bundle        json.RawMessage `json:"bundle"`
	}
	if err := json.Unmarshal(raw, &atts); err != nil {
		return nil, fmt.Errorf("attestations document: %w", err)
	}
	if len(atts) == 0 {
		return nil, errors.New("attestations document: no attestations")
	}
	if len(atts) > maxEntries {
		return nil, fmt.Errorf("attestations document: more than %d attestations", maxEntries)
	}
	slsa := false
	for _, a := range atts {
		slsa = slsa || isSLSA(a.PredicateType)
	}
	pf := &provenanceFile{format: formatNPM}
	for i, a := range atts {
		if slsa && !isSLSA(a.PredicateType) {
			continue
		}
		if len(a.Bundle) == 0 {
			return nil, fmt.Errorf("attestation %d: no bundle", i+1)
		}
		e, err := parseBundle(a.Bundle)
		if err != nil {
			return nil, fmt.Errorf("attestation %d: %w", i+1, err)
		}
		e.label = fmt.Sprintf("attestation %d (%s)", i+1, a.PredicateType)
		pf.entries = append(pf.entries, e)
	}
	return pf, nil
}

func isSLSA(predicateType string) bool {
	return predicateType == slsaProvenanceV02 || predicateType == slsaProvenanceV1
}

// parseDSSE wraps a bare DSSE envelope (`cosign attest-blob --key` without
// --bundle, older .intoto.jsonl lines) in a v0.3 bundle naming the key hint,
// one bundle per signature: Sigstore bundles carry exactly one.
func parseDSSE(raw []byte) ([]entry, error) {
	var env struct {
		PayloadType string `json:"payloadType"`
		Payload     string `json:"payload"`
		Signatures  []struct {
			KeyID string `json:"keyid"`
			Sig   string `json:"sig"`
		} `json:"signatures"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("DSSE envelope: %w", err)
	}
	if env.PayloadType == "" {
		return nil, errors.New("DSSE envelope: no payloadType")
	}
	payload, err := decodeB64(env.Payload)
	if err != nil {
		return nil, fmt.Errorf("DSSE envelope: payload: %w", err)
	}
	if len(env.Signatures) == 0 {
		return nil, errors.New("DSSE envelope: no signatures")
	}
	if len(env.Signatures) > maxDSSESignatures {
		return nil, fmt.Errorf("DSSE envelope: more than %d signatures", maxDSSESignatures)
	}
	var entries []entry
	for i, s := range env.Signatures {
		sig, err := decodeB64(s.Sig)
		if err != nil || len(sig) == 0 {
			return nil, fmt.Errorf("DSSE envelope: signature %d: not base64", i+1)
		}
		pb := &protobundle.Bundle{
			MediaType: bundleV03,
			VerificationMaterial: &protobundle.VerificationMaterial{
				Content: &protobundle.VerificationMaterial_PublicKey{
					PublicKey: &protocommon.PublicKeyIdentifier{Hint: s.KeyID},
				},
			},
			Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
				Payload:     payload,
				PayloadType: env.PayloadType,
				// The keyid is an unauthenticated hint; kept in the
				// envelope, the DSSE library would skip a signature whose
				// hint is not its own fingerprint of the given key.
				Signatures: []*protodsse.Signature{{Sig: sig}},
			}},
		}
		b, err := bundle.NewBundle(pb)
		if err != nil {
			return nil, fmt.Errorf("DSSE envelope: %w", err)
		}
		label := ""
		if len(env.Signatures) > 1 {
			label = fmt.Sprintf("signature %d", i+1)
		}
		entries = append(entries, entry{label: label, format: formatDSSE, bundle: b})
	}
	return entries, nil
}

// decodeB64 accepts the standard and URL-safe alphabets, padded or not, as
// the DSSE reference implementations do.
func decodeB64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	var firstErr error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		b, err := enc.DecodeString(s)
		if err == nil {
			return b, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}
