package sbom

import (
	"fmt"
	"strings"

	"github.com/fnaudit/fnaudit/artifact"
)

// searchedFor names what Generate looks for, for the warning an empty SBOM
// gives: a user whose dependencies sit where none of these is must learn
// it from the warning, not from a silent pass.
var searchedFor = []string{
	"Node package folders (node_modules/<name>, /var/task/<name>)",
	"Python *.dist-info and *.egg-info",
	"Java archives (.jar, .war, .ear)",
	"Go executables",
	".NET *.deps.json",
	"Ruby specifications/*.gemspec",
	"OS package databases (dpkg, apk, rpm)",
	"bundled JavaScript",
}

// Search says where a catalog run looked, so that zero packages can be
// explained (SBOM.EmptyWarning).
type Search struct {
	// Roots are the runtime directories the deployment occupies.
	Roots []string `json:"roots"`
	// Files is the number of files of the merged view.
	Files int `json:"files"`
	// For lists the kinds of evidence looked for.
	For []string `json:"for"`
}

func newSearch(d *artifact.Deployment) *Search {
	return &Search{Roots: d.Roots(), Files: len(d.Files()), For: searchedFor}
}

// EmptyWarning is the one-line warning for an SBOM that lists no installed
// package (declared entries of a lockfile shipped without node_modules do
// not count: nothing they name is deployed), or "" when it lists some or
// was not made by Generate. The CLI prints it; with fail_on_empty the gate
// fails on it.
func (s *SBOM) EmptyWarning() string {
	if s.Searched == nil {
		return ""
	}
	declared := 0
	for _, p := range s.Packages {
		if !p.Declared {
			return ""
		}
		declared++
	}
	msg := fmt.Sprintf("no installed package found in %s (%s, %d files); searched for %s",
		strings.Join(s.Searched.Roots, ", "), s.Target, s.Searched.Files, strings.Join(s.Searched.For, ", "))
	if declared > 0 {
		msg += fmt.Sprintf("; %d declared in a manifest or lockfile, not shipped", declared)
	}
	return msg
}
