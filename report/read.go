package report

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// ReadFile reads a stored JSON result (fnaudit.report/v1), the stable
// interchange form every other format is rendered from.
func ReadFile(path string) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read result: %w", err)
	}
	defer f.Close()
	r, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("read result %s: %w", path, err)
	}
	return r, nil
}

// Read decodes a JSON result. It refuses another schema version and a
// result without its package list, which cannot be rendered again.
func Read(in io.Reader) (*Report, error) {
	var r Report
	dec := json.NewDecoder(in)
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("not a JSON result: %w", err)
	}
	if r.Schema != SchemaVersion {
		return nil, fmt.Errorf("schema %q: want %q", r.Schema, SchemaVersion)
	}
	if r.SBOM == nil {
		return nil, fmt.Errorf("no \"sbom\" package list: it was written by an fnaudit older than report --from supports")
	}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	if r.Summary == nil {
		r.Summary = Summarize(r.Findings)
	}
	return &r, nil
}
