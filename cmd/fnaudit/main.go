// Command fnaudit audits what is deployed as a serverless function: it opens
// function packages, layers and images, lists their packages as an SBOM,
// matches them against advisories, verifies provenance and gates the deploy.
//
// This package only wires cobra commands to the library packages and maps
// outcomes to exit codes (see exit.go); it holds no audit logic.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	stopProfile := startProfile(os.Stderr)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stopProfile()
	stop()
	os.Exit(code)
}
