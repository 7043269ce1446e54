// Command benchgen writes the benchmark Node function zip (see package
// benchgen) and prints its path: scripts/bench-peers.sh feeds it to fnaudit
// and the peer tools.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/fnaudit/fnaudit/internal/benchgen"
)

func main() {
	spec := benchgen.Node250MB
	flag.IntVar(&spec.Packages, "packages", spec.Packages, "installed packages")
	mb := flag.Int64("mb", spec.TargetBytes>>20, "approximate uncompressed size in MiB")
	flag.Parse()
	spec.TargetBytes = *mb << 20
	p, err := benchgen.Cached(spec)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
	fmt.Println(p)
}
