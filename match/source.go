package match

import (
	"context"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
)

// Source gives the advisory records that may concern a package: every record
// with an affected[] entry for that ecosystem and name (withdrawn ones may
// be left out or not: match drops them). The name is passed as the SBOM
// spells it; the Source normalises it the way the ecosystem does
// (feeds.NormalizeName: PyPI PEP 503, npm lower case, ...). feeds.Store
// implements it.
//
// Records a Source returns must not be modified afterwards: findings keep
// pointers to them.
type Source interface {
	Lookup(ctx context.Context, ecosystem, name string) ([]*osvschema.Vulnerability, error)
}
