package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Writer renders a report in one format. Every format is one Writer, in the
// manner of govulncheck's scan.Handler.
type Writer interface {
	Write(w io.Writer, r *Report) error
}

// WriterFunc adapts a function to Writer.
type WriterFunc func(io.Writer, *Report) error

func (f WriterFunc) Write(w io.Writer, r *Report) error { return f(w, r) }

// Options tune writers.
type Options struct {
	// Color turns on ANSI colours in the table (only for a terminal).
	Color bool
}

// For returns the writer of a format: table, json, sarif, cyclonedx-json,
// markdown.
func For(format string, opts Options) (Writer, error) {
	switch format {
	case "table":
		return tableWriter{color: opts.Color}, nil
	case "json":
		return WriterFunc(writeJSON), nil
	case "sarif":
		return WriterFunc(writeSARIF), nil
	case "cyclonedx-json":
		return WriterFunc(writeCycloneDX), nil
	case "markdown":
		return WriterFunc(writeMarkdown), nil
	}
	return nil, fmt.Errorf("unknown report format %q (one of %s)", format, strings.Join(Formats(), ", "))
}

// Formats lists the report formats.
func Formats() []string {
	f := []string{"table", "json", "sarif", "cyclonedx-json", "markdown"}
	sort.Strings(f)
	return f
}
