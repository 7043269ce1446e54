package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile of the command to $FNAUDIT_CPUPROFILE,
// as syft's --profile does, so that where a scan spends its time can be
// measured on the user's own input (package init time is not in it:
// GODEBUG=inittrace=1 gives that). The returned function stops it.
func startProfile(stderr io.Writer) func() {
	path := os.Getenv("FNAUDIT_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(stderr, "fnaudit: cpu profile: %v\n", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(stderr, "fnaudit: cpu profile %s: %v\n", path, err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(stderr, "fnaudit: cpu profile %s: %v\n", path, err)
		}
	}
}
