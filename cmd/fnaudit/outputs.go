package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/fnaudit/fnaudit/internal/format"
)

// outputFlags are -o FORMAT[=FILE] (repeatable, as syft's) and --output
// FILE (the single-format case), shared by scan, sbom and report.
type outputFlags struct {
	specs []string
	file  string
}

func (o *outputFlags) register(cmd *cobra.Command, formats []string) {
	fl := cmd.Flags()
	fl.StringArrayVarP(&o.specs, "format", "o", nil, "output format, optionally to a file: FORMAT[=FILE], repeatable ("+strings.Join(formats, ", ")+"; default table)")
	fl.StringVar(&o.file, "output", "", "write the one -o format to this file (-o FORMAT=FILE for several)")
}

// output is one resolved -o: a canonical format and its file ("" is
// standard output).
type output struct{ format, file string }

// resolve turns the flags into outputs. lookup maps a format name or alias
// to its canonical ID. The table is the default, whatever stdout is.
func (o *outputFlags) resolve(lookup func(string) (string, error)) ([]output, error) {
	specs := o.specs
	if len(specs) == 0 {
		specs = []string{"table"}
	}
	var outs []output
	for _, s := range specs {
		name, file, _ := strings.Cut(s, "=")
		id, err := lookup(name)
		if err != nil {
			return nil, err
		}
		outs = append(outs, output{format: id, file: file})
	}
	if o.file != "" {
		if id, err := lookup(o.file); err == nil && !strings.ContainsAny(o.file, "./"+string(os.PathSeparator)) {
			return nil, fmt.Errorf("--output %s names the file to write, not a format: use -o %s (or -o %s=FILE)", o.file, id, id)
		}
		if len(outs) > 1 || outs[0].file != "" {
			return nil, errors.New("--output FILE takes one format; give each format its own file with -o FORMAT=FILE")
		}
		outs[0].file = o.file
	}
	stdout := 0
	seen := map[string]bool{}
	for _, out := range outs {
		if out.file == "" {
			stdout++
		} else if seen[out.file] {
			return nil, fmt.Errorf("-o: %s is written twice", out.file)
		}
		seen[out.file] = true
	}
	if stdout > 1 {
		return nil, errors.New("-o: only one format can go to standard output; give the others a file with -o FORMAT=FILE")
	}
	return outs, nil
}

// toStdout reports whether one of outs is written to standard output.
func toStdout(outs []output) bool {
	for _, o := range outs {
		if o.file == "" {
			return true
		}
	}
	return false
}

// writeAll writes every output, each file atomically, through write (which
// renders one format with the options it is given).
func writeAll(g *globalOptions, outs []output, write func(out output, opts format.Options, w io.Writer) error) error {
	for _, out := range outs {
		opts := format.Options{Width: 100}
		if out.file == "" {
			opts = terminalOptions(g)
		}
		if err := writeOutput(g, out.file, func(w io.Writer) error { return write(out, opts, w) }); err != nil {
			return err
		}
	}
	return nil
}

// terminalOptions: colour only on a terminal and never with NO_COLOR (any
// non-empty value, https://no-color.org); width 100, or 80 on a narrower terminal.
func terminalOptions(g *globalOptions) format.Options {
	opts := format.Options{Width: 100}
	f, ok := g.stdout.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return opts
	}
	if v, set := g.env("NO_COLOR"); !set || v == "" {
		opts.Color = true
	}
	if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 && w < 100 {
		opts.Width = 80
	}
	return opts
}
