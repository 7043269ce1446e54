package report

import (
	"io"

	"github.com/fnaudit/fnaudit/internal/format"
)

// Writer renders a report in one format. Every format is one Writer, in the
// manner of govulncheck's scan.Handler.
type Writer interface {
	Write(w io.Writer, r *Report) error
}

// WriterFunc adapts a function to Writer.
type WriterFunc func(io.Writer, *Report) error

func (f WriterFunc) Write(w io.Writer, r *Report) error { return f(w, r) }

// Options tune writers (colour, width).
type Options = format.Options

func fixed(w Writer) func(Options) Writer { return func(Options) Writer { return w } }

// Formats is the registry of report formats (-o of scan and report).
var Formats = format.NewRegistry("report",
	format.Spec[Writer]{ID: "table", New: func(o Options) Writer { return newTableWriter(o) }},
	format.Spec[Writer]{ID: "json", New: fixed(WriterFunc(writeJSON))},
	format.Spec[Writer]{ID: "sarif", New: fixed(WriterFunc(writeSARIF))},
	format.Spec[Writer]{ID: "cyclonedx-json", Aliases: []string{"cyclonedx", "cdx", "cdx-json"}, New: fixed(WriterFunc(writeCycloneDX))},
	format.Spec[Writer]{ID: "markdown", Aliases: []string{"md"}, New: fixed(WriterFunc(writeMarkdown))},
)

// For returns the writer of a format (an ID or alias).
func For(name string, opts Options) (Writer, error) {
	w, _, err := Formats.Writer(name, opts)
	return w, err
}
