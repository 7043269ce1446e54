package main

import (
	"os"
	"runtime/debug"

	"github.com/fnaudit/fnaudit/artifact"
)

// zipHeapLimit is the soft Go heap limit for zip and directory functions.
// Lambda caps those at 250 MB unzipped, so the largest possible function
// catalogs within it (about 85 MiB live at 250 MB and 45,000 files) and the
// whole process stays under 200 MB of RSS, the GC running more often near
// the limit rather than doubling the heap. Images have no such bound and
// keep Go's default. GOMEMLIMIT, when set, wins.
const zipHeapLimit = 100 << 20

// limitHeapFor sets the process's heap limit once, at start-up, for a
// command that scans one target. It is process-wide state, so the scan
// engine never touches it: commands that run many scans (fleet, worker)
// leave it alone.
func limitHeapFor(target string) {
	if os.Getenv("GOMEMLIMIT") != "" || artifact.IsImageTarget(target) {
		return
	}
	debug.SetMemoryLimit(zipHeapLimit)
}
