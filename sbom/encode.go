package sbom

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Encoder writes an SBOM in one format.
type Encoder interface {
	Encode(w io.Writer, s *SBOM) error
}

// EncoderFunc adapts a function to Encoder.
type EncoderFunc func(io.Writer, *SBOM) error

func (f EncoderFunc) Encode(w io.Writer, s *SBOM) error { return f(w, s) }

var encoders = map[string]Encoder{
	"cyclonedx-json": EncoderFunc(encodeCycloneDX),
	"spdx-json":      EncoderFunc(encodeSPDX),
	"table":          EncoderFunc(encodeTable),
}

// EncoderFor returns the encoder for a format name.
func EncoderFor(format string) (Encoder, error) {
	if e, ok := encoders[format]; ok {
		return e, nil
	}
	return nil, fmt.Errorf("unknown SBOM format %q (one of %s)", format, FormatNames())
}

// FormatNames lists the SBOM output formats.
func FormatNames() string {
	names := make([]string, 0, len(encoders))
	for n := range encoders {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// Property names fnaudit adds to each component (CycloneDX properties, SPDX
// annotations), and to the BOM's metadata.
const (
	PropOrigin       = "fnaudit:origin"
	PropOriginDigest = "fnaudit:originDigest"
	PropPath         = "fnaudit:path"
	PropLoaded       = "fnaudit:loaded"
	PropShadowedBy   = "fnaudit:shadowedBy"
	PropEvidence     = "fnaudit:evidence"
	PropDeclared     = "fnaudit:declared"
	PropDigest       = "fnaudit:digest"
	PropCodeSha256   = "fnaudit:codeSha256"
	PropRuntime      = "fnaudit:runtime"
	PropLayer        = "fnaudit:layer"
)
