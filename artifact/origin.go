package artifact

import "github.com/fnaudit/fnaudit/core"

// Origin and its kinds live in package pkg, the leaf every later stage
// reads; these names keep artifact's own code and callers short.
type (
	Origin     = core.Origin
	OriginKind = core.OriginKind
)

const (
	OriginFunction   = core.OriginFunction
	OriginLayer      = core.OriginLayer
	OriginImageLayer = core.OriginImageLayer
	OriginDirectory  = core.OriginDirectory
	OriginSBOM       = core.OriginSBOM
)
