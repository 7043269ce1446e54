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

// runCLI runs one fnaudit command line in-process with TMPDIR pointed at a
// fresh directory, and checks that the command left nothing behind there.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("fnaudit %s left %d entries in TMPDIR (first: %s)", strings.Join(args, " "), len(left), left[0].Name())
	}
	return code, out.String(), errb.String()
}
