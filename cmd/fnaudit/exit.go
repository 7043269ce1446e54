package main

import (
	"errors"
	"fmt"
)

// Exit codes, fixed by DESIGN.md. The gate fails closed: anything that is not
// a decided pass or a decided failure is exitUndecided.
const (
	exitPass      = 0 // the gate passed (or the command did its job)
	exitGateFail  = 1 // the gate ran and the findings violate the policy
	exitUndecided = 2 // fnaudit could not decide: bad input, missing data, failed verification run
)

// gateFailure is returned by a command whose gate ran to completion and failed.
// Its message has usually been shown already in the report, so run prints it
// only as a one-line summary on stderr.
type gateFailure struct {
	summary string
	// found marks a query's "something was found" (investigate), exit 1
	// like a failed gate but not worded as one.
	found bool
}

func (g *gateFailure) Error() string { return g.summary }

// newGateFailure reports a decided failure (exit 1).
func newGateFailure(format string, args ...any) error {
	return &gateFailure{summary: fmt.Sprintf(format, args...)}
}

// newFound reports that a query found what it was asked for (exit 1, so a
// script can branch on it).
func newFound(format string, args ...any) error {
	return &gateFailure{summary: fmt.Sprintf(format, args...), found: true}
}

// exitCodeFor maps a command's error to the process exit code. Only nil is a
// pass and only a *gateFailure is a decided failure; every other error,
// including panics recovered in run, is undecided.
func exitCodeFor(err error) int {
	if err == nil {
		return exitPass
	}
	var g *gateFailure
	if errors.As(err, &g) {
		return exitGateFail
	}
	return exitUndecided
}
