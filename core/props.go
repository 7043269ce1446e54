package core

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// Property names fnaudit adds to each component (CycloneDX properties, SPDX
// annotations), and to the BOM's metadata. The SBOM encoders, the report's
// CycloneDX writer and the SBOM decoder all read them from here.
const (
	PropOrigin       = "fnaudit:origin"
	PropOriginDigest = "fnaudit:originDigest"
	PropPath         = "fnaudit:path"
	PropLoaded       = "fnaudit:loaded"
	PropShadowedBy   = "fnaudit:shadowedBy"
	PropDigest       = "fnaudit:digest"
	PropCodeSha256   = "fnaudit:codeSha256"
	PropRuntime      = "fnaudit:runtime"
	PropLayer        = "fnaudit:layer"
	PropEvidence     = "fnaudit:evidence"
	PropDeclared     = "fnaudit:declared"
	// PropAlias is Package.Alias; PropAliasDeclared is "true" when a
	// shipped lockfile explains it.
	PropAlias         = "fnaudit:alias"
	PropAliasDeclared = "fnaudit:aliasDeclared"
)

// CodeSha256 is Lambda's form of a sha256 digest ("sha256:<hex>"): the
// base64 of the bytes; "" for anything else.
func CodeSha256(digest string) string {
	alg, h, ok := strings.Cut(digest, ":")
	if !ok || alg != "sha256" {
		return ""
	}
	raw, err := hex.DecodeString(h)
	if err != nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(raw)
}
