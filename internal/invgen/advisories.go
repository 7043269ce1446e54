package invgen

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Advisories builds OSV records that hit the packages Build writes, for
// benchmarks that need a real advisory database (feeds) behind a rematch.
// Each record is a real record from the template folder (testdata/osv, one
// folder per ecosystem), its id, aliases, modified time and affected entry
// rewritten: one affected package (a pool name, in the template's
// ecosystem) with one range, introduced "0", fixed at a version that splits
// the eight versions Build gives that name. Everything else (summary,
// details, severity, references, database_specific) stays the template's,
// so the records decode, validate and classify as real ones do.
type Advisories struct {
	templates map[string][][]byte // by ecosystem, sorted by file name
}

// LoadTemplates reads every *.json record under dir/<Ecosystem>/.
func LoadTemplates(dir string) (*Advisories, error) {
	a := &Advisories{templates: map[string][][]byte{}}
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if err != nil {
		return nil, fmt.Errorf("advisory templates: %w", err)
	}
	slices.Sort(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("advisory templates: %w", err)
		}
		eco := filepath.Base(filepath.Dir(f))
		a.templates[eco] = append(a.templates[eco], b)
	}
	if len(a.templates) == 0 {
		return nil, fmt.Errorf("advisory templates: no *.json under %s/<Ecosystem>/", dir)
	}
	return a, nil
}

// Record is one generated advisory: which name it affects, and the
// revision of its range (a higher revision moves "fixed" up, so it
// affects more versions: what a changed upstream record looks like).
type Record struct {
	Key      int // makes the id: records with the same key are the same advisory
	Name     Name
	Revision int
	// Edit > 0 changes what most upstream edits change and no finding
	// depends on: the modified time, the summary, and a database_specific
	// date as GitHub's reviews set (github_reviewed_at). The change log
	// (feeds/matchsum.go) counts database_specific, so such an edit is
	// still a changed record a rematch must look at.
	Edit int
}

// Write writes one OSV JSON file per record into dir (created), named by
// the record's id. A name whose ecosystem has no template is an error.
func (a *Advisories) Write(dir string, recs []Record) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("advisories: %w", err)
	}
	for _, r := range recs {
		id, b, err := a.build(r)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, id+".json"), b, 0o644); err != nil {
			return fmt.Errorf("advisories: %w", err)
		}
	}
	return nil
}

func (a *Advisories) build(r Record) (string, []byte, error) {
	ts := a.templates[r.Name.Ecosystem]
	if len(ts) == 0 {
		return "", nil, fmt.Errorf("advisories: no template record for ecosystem %s (name %s)", r.Name.Ecosystem, r.Name.Name)
	}
	var rec map[string]any
	if err := json.Unmarshal(ts[r.Key%len(ts)], &rec); err != nil {
		return "", nil, fmt.Errorf("advisories: template %d of %s: %w", r.Key%len(ts), r.Name.Ecosystem, err)
	}
	tid, _ := rec["id"].(string)
	id := fmt.Sprintf("%s-invgen-%05d", tid, r.Key)
	rec["id"] = id
	rec["aliases"] = []string{fmt.Sprintf("CVE-2099-%05d", r.Key)}
	delete(rec, "withdrawn")
	delete(rec, "related")
	modified := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Revision)*time.Hour + time.Duration(r.Edit)*time.Minute)
	rec["modified"] = modified.Format(time.RFC3339)
	if r.Edit > 0 {
		summary, _ := rec["summary"].(string)
		rec["summary"] = fmt.Sprintf("%s (edit %d)", summary, r.Edit)
		ds, _ := rec["database_specific"].(map[string]any)
		if ds == nil {
			ds = map[string]any{}
		}
		ds["github_reviewed_at"] = modified.Format(time.RFC3339)
		rec["database_specific"] = ds
	}
	rangeType := "ECOSYSTEM"
	if aff, _ := rec["affected"].([]any); len(aff) > 0 {
		if first, _ := aff[0].(map[string]any); first != nil {
			if rs, _ := first["ranges"].([]any); len(rs) > 0 {
				if r0, _ := rs[0].(map[string]any); r0 != nil && r0["type"] == "SEMVER" {
					rangeType = "SEMVER"
				}
			}
		}
	}
	rec["affected"] = []any{map[string]any{
		"package": map[string]any{"ecosystem": r.Name.Ecosystem, "name": r.Name.Name},
		"ranges": []any{map[string]any{"type": rangeType, "events": []any{
			map[string]any{"introduced": "0"}, map[string]any{"fixed": FixedVersion(r.Name.Name, r.Revision)}}}},
	}}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return "", nil, fmt.Errorf("advisories: %s: %w", id, err)
	}
	return id, b, nil
}

// FixedVersion is the first version not affected by revision rev of a
// record on name. Build gives name eight versions MAJOR.MINOR.PATCH with
// MINOR = (h0+j) mod 30, j in 0..7 (see pkgVersion); revision 0 fixes at
// the fifth MINOR, each later revision two MINORs higher.
func FixedVersion(name string, rev int) string {
	h := sha256.Sum256([]byte(name))
	return fmt.Sprintf("%d.%d.0", int(h[1])%5, (int(h[0])+4+2*rev)%30)
}
