package report

import (
	"encoding/json"
	"io"
)

// writeJSON writes the report as its documented JSON (docs/report.schema.json).
func writeJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
