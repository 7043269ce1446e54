package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

type writer = io.Writer

// writeOutput runs write against stdout, or against path when given. A file
// is written beside its destination and renamed into place, so a failed
// command never leaves a truncated report where a good one was.
func writeOutput(g *globalOptions, path string, write func(io.Writer) error) error {
	if path == "" {
		return write(g.stdout)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
