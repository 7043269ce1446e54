// Package format is the one registry of output formats: an ID, its aliases
// and the writer behind it. The sbom and report packages each fill one with
// their own writer type, so `-o` resolves names, aliases and errors the same
// way in every command.
package format

import (
	"fmt"
	"sort"
	"strings"
)

// Options tune writers.
type Options struct {
	// Color turns on ANSI colours (only for a terminal, never with NO_COLOR).
	Color bool
	// Width is the terminal width tables fit; 0 means the default.
	Width int
}

// Spec is one format.
type Spec[W any] struct {
	// ID is the canonical name given to -o.
	ID string
	// Aliases are other names accepted for it (cyclonedx for cyclonedx-json).
	Aliases []string
	// New makes the writer.
	New func(Options) W
}

// Registry holds the formats of one kind of writer.
type Registry[W any] struct {
	kind  string
	specs []Spec[W]
}

// NewRegistry builds a registry; kind names what is written ("report",
// "SBOM") in errors.
func NewRegistry[W any](kind string, specs ...Spec[W]) *Registry[W] {
	return &Registry[W]{kind: kind, specs: specs}
}

// Lookup finds a format by ID or alias, case-insensitively.
func (r *Registry[W]) Lookup(name string) (Spec[W], error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, s := range r.specs {
		if s.ID == n {
			return s, nil
		}
		for _, a := range s.Aliases {
			if a == n {
				return s, nil
			}
		}
	}
	return Spec[W]{}, fmt.Errorf("unknown %s format %q (one of %s)", r.kind, name, strings.Join(r.IDs(), ", "))
}

// Writer is Lookup followed by New.
func (r *Registry[W]) Writer(name string, opts Options) (W, string, error) {
	s, err := r.Lookup(name)
	if err != nil {
		var zero W
		return zero, "", err
	}
	return s.New(opts), s.ID, nil
}

// IDs lists the canonical format names, sorted.
func (r *Registry[W]) IDs() []string {
	ids := make([]string, 0, len(r.specs))
	for _, s := range r.specs {
		ids = append(ids, s.ID)
	}
	sort.Strings(ids)
	return ids
}
