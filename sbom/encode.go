package sbom

import (
	"io"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/internal/format"
)

// Encoder writes an SBOM in one format.
type Encoder interface {
	Encode(w io.Writer, s *SBOM) error
}

// EncoderFunc adapts a function to Encoder.
type EncoderFunc func(io.Writer, *SBOM) error

func (f EncoderFunc) Encode(w io.Writer, s *SBOM) error { return f(w, s) }

func fixed(e Encoder) func(format.Options) Encoder { return func(format.Options) Encoder { return e } }

// Formats is the registry of SBOM output formats (-o of `fnaudit sbom`).
var Formats = format.NewRegistry("SBOM",
	format.Spec[Encoder]{ID: "cyclonedx-json", Aliases: []string{"cyclonedx", "cdx", "cdx-json"}, New: fixed(EncoderFunc(encodeCycloneDX))},
	format.Spec[Encoder]{ID: "spdx-json", Aliases: []string{"spdx"}, New: fixed(EncoderFunc(encodeSPDX))},
	format.Spec[Encoder]{ID: "table", New: fixed(EncoderFunc(encodeTable))},
)

// Property names fnaudit adds to each component (core.Prop*).
const (
	PropOrigin        = core.PropOrigin
	PropOriginDigest  = core.PropOriginDigest
	PropPath          = core.PropPath
	PropLoaded        = core.PropLoaded
	PropShadowedBy    = core.PropShadowedBy
	PropDigest        = core.PropDigest
	PropCodeSha256    = core.PropCodeSha256
	PropRuntime       = core.PropRuntime
	PropLayer         = core.PropLayer
	PropEvidence      = core.PropEvidence
	PropDeclared      = core.PropDeclared
	PropAlias         = core.PropAlias
	PropAliasDeclared = core.PropAliasDeclared
)
