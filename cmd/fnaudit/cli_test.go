package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// Fixture folders, relative to this package.
const (
	functionsDir = "../../testdata/functions"
	osvDir       = "../../testdata/osv"
	schemasDir   = "../../testdata/schemas"
	goldenDir    = "../../testdata/golden/scan"
)

// runCLI runs one fnaudit command line in-process with its scans' private
// directories under a fresh directory, and checks that the command left
// nothing behind there. It changes no process state, so tests using it run
// in parallel.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	tmp := t.TempDir()
	var out, errb bytes.Buffer
	code = runIn(context.Background(), args, &out, &errb, tmp)
	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("fnaudit %s left %d entries in its temp root (first: %s)", strings.Join(args, " "), len(left), left[0].Name())
	}
	return code, out.String(), errb.String()
}
