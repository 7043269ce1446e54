// Command benchgen writes the benchmark inputs (see package benchgen) into
// the user cache directory and prints their paths: the generated Node
// function zip, or with -export the osv-scanner-layout advisory export.
// scripts/bench-peers.sh feeds them to fnaudit and the peer tools.
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
	export := flag.String("export", "", "write the advisory export from this corpus folder (testdata/osv) and print its directory")
	flag.Parse()
	spec.TargetBytes = *mb << 20
	var (
		p   string
		err error
	)
	if *export != "" {
		p, err = benchgen.CachedExport(*export)
	} else {
		p, err = benchgen.Cached(spec)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(1)
	}
	fmt.Println(p)
}
