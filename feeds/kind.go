package feeds

import (
	"time"

	"github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/internal/advisory"
)

// Kind classifies an advisory record (core.Kind).
type Kind = core.Kind

const (
	KindVulnerability = core.KindVulnerability
	KindMalicious     = core.KindMalicious
	KindWithdrawn     = core.KindWithdrawn
)

// BlockListPrefix starts the id of every record imported from an
// organisation's own block list (advisory.BlockListPrefix).
const BlockListPrefix = advisory.BlockListPrefix

// Classify says what kind of record v is now (advisory.Classify).
func Classify(v *osvschema.Vulnerability) Kind { return advisory.Classify(v) }

// ClassifyAt says what kind of record v is at now: a withdrawal dated in
// the future does not count yet (advisory.ClassifyAt).
func ClassifyAt(v *osvschema.Vulnerability, now time.Time) Kind { return advisory.ClassifyAt(v, now) }

// ParseKind is the inverse of Kind's string form.
func ParseKind(s string) (Kind, error) { return core.ParseKind(s) }
