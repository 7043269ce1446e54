package sbom

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/fnaudit/fnaudit/artifact"
)

// encodeTable prints one line per package, grouped by origin in deployment
// order, with the artifact digest on top.
func encodeTable(w io.Writer, s *SBOM) error {
	fmt.Fprintf(w, "Target:  %s\n", s.Target)
	if s.Digest != "" {
		fmt.Fprintf(w, "Digest:  %s\n", s.Digest)
	}
	fmt.Fprintf(w, "Runtime: %s\n", s.Runtime)
	fmt.Fprintf(w, "Packages: %d\n", len(s.Packages))
	for _, b := range s.UnidentifiedBundles {
		fmt.Fprintf(w, "Unidentified bundle: %s (no source map or module comments: its packages are unknown)\n", b)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ORIGIN\tECOSYSTEM\tNAME\tVERSION\tLOADED\tPATH")
	for _, o := range orderedOrigins(s) {
		for _, p := range s.Packages {
			if p.Origin != o {
				continue
			}
			loaded := "yes"
			if !p.Loaded {
				loaded = "no"
				if p.ShadowedBy != "" {
					loaded = "no (shadowed by " + p.ShadowedBy + ")"
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", o, dash(p.Ecosystem), p.Name, p.Version, loaded, strings.Join(p.Paths, ", "))
		}
	}
	return tw.Flush()
}

// orderedOrigins lists the deployment's origins, then any a package names
// that the deployment did not list (an SBOM read from a file).
func orderedOrigins(s *SBOM) []artifact.Origin {
	seen := map[artifact.Origin]bool{}
	var out []artifact.Origin
	for _, o := range s.Origins {
		if !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	for _, p := range s.Packages {
		if !seen[p.Origin] {
			seen[p.Origin] = true
			out = append(out, p.Origin)
		}
	}
	return out
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
