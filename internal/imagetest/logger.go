package imagetest

import (
	"io"
	"log"
)

// nopLogger keeps the in-process registry's request log out of test output.
func nopLogger() *log.Logger { return log.New(io.Discard, "", 0) }
