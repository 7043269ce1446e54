package main

import (
	"os"
	"testing"
)

// envRunAsCLI makes the test binary run fnaudit's main instead of the
// tests: tests that need real fnaudit processes (TestFleetTwoWorkers
// SIGKILLs one) start os.Args[0] with it, rather than linking a binary of
// their own with `go build` (a minute on two loaded cores).
const envRunAsCLI = "FNAUDIT_TEST_RUN_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(envRunAsCLI) == "1" {
		main()
	}
	os.Exit(m.Run())
}
