//go:build tools

// Package tools pins the cosign CLI (github.com/sigstore/cosign/v2/cmd/cosign)
// so `go build` in this module builds exactly v2.6.5.
package tools

import _ "github.com/sigstore/cosign/v2/cmd/cosign"
