package policy

import (
	"fmt"
	"time"

	"github.com/openvex/go-vex/pkg/vex"

	"github.com/fnaudit/fnaudit/match"
)

// VEXDoc is one OpenVEX document read for the gate.
type VEXDoc struct {
	Path string
	Doc  *vex.VEX
}

// LoadVEX reads OpenVEX documents (JSON or YAML, as go-vex reads them).
func LoadVEX(paths ...string) ([]VEXDoc, error) {
	var out []VEXDoc
	for _, p := range paths {
		doc, err := vex.Open(p)
		if err != nil {
			return nil, fmt.Errorf("read VEX %s: %w", p, err)
		}
		for i, st := range doc.Statements {
			if err := st.Validate(); err != nil {
				return nil, fmt.Errorf("VEX %s: statement %d (%s): %w", p, i, st.Vulnerability.Name, err)
			}
		}
		out = append(out, VEXDoc{Path: p, Doc: doc})
	}
	return out, nil
}

// Citation is the VEX statement that decided a finding, as reports cite it.
type Citation struct {
	Document        string    `json:"document"`
	DocumentID      string    `json:"documentId,omitempty"`
	Vulnerability   string    `json:"vulnerability"`
	Status          string    `json:"status"`
	Justification   string    `json:"justification,omitempty"`
	ImpactStatement string    `json:"impactStatement,omitempty"`
	ActionStatement string    `json:"actionStatement,omitempty"`
	Timestamp       time.Time `json:"timestamp,omitzero"`
}

// Suppresses reports whether the statement clears the finding.
func (c *Citation) Suppresses() bool {
	return c != nil && (c.Status == string(vex.StatusNotAffected) || c.Status == string(vex.StatusFixed))
}

// vexFor finds the latest statement of any document about this finding: a
// statement names one of its ids or aliases and either the package itself
// as product (its purl, version optional), or the deployed artifact (its
// digest or name) as product with the package among its subcomponents.
func vexFor(docs []VEXDoc, f match.Finding, artifactIDs []string) *Citation {
	var best *Citation
	ids := append(append([]string{}, f.IDs...), f.Aliases...)
	for _, d := range docs {
		for _, id := range ids {
			var stmts []vex.Statement
			if f.Package.PURL != "" {
				stmts = append(stmts, d.Doc.Matches(id, f.Package.PURL, nil)...)
			}
			for _, a := range artifactIDs {
				stmts = append(stmts, d.Doc.Matches(id, a, []string{f.Package.PURL})...)
			}
			for _, st := range stmts {
				c := citation(d, id, st)
				if best == nil || c.Timestamp.After(best.Timestamp) {
					best = c
				}
			}
		}
	}
	return best
}

func citation(d VEXDoc, id string, st vex.Statement) *Citation {
	c := &Citation{
		Document:        d.Path,
		DocumentID:      d.Doc.ID,
		Vulnerability:   id,
		Status:          string(st.Status),
		Justification:   string(st.Justification),
		ImpactStatement: st.ImpactStatement,
		ActionStatement: st.ActionStatement,
	}
	switch {
	case st.Timestamp != nil:
		c.Timestamp = *st.Timestamp
	case d.Doc.Timestamp != nil:
		c.Timestamp = *d.Doc.Timestamp
	}
	return c
}
