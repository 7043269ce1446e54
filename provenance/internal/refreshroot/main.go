// Command refreshroot replaces the trusted root embedded in package
// provenance with the current Sigstore public-good trusted_root.json.
//
// It fetches the file through TUF with sigstore-go's client, so what it
// writes is verified against the TUF root.json shipped inside sigstore-go
// (tuf-repo-cdn.sigstore.dev, threshold-signed by the Sigstore root key
// holders); a tampered or stale mirror fails instead of being embedded.
// It needs the network, which fnaudit itself never does. Run from the
// repository root, review the diff, run the provenance tests:
//
//	go run ./provenance/internal/refreshroot
//	git diff --stat provenance/public-good.trusted_root.json
//	go test ./provenance/
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/tuf"
)

func main() {
	out := flag.String("o", "provenance/public-good.trusted_root.json", "file to write")
	flag.Parse()
	if err := refresh(*out); err != nil {
		fmt.Fprintf(os.Stderr, "refreshroot: %v\n", err)
		os.Exit(1)
	}
}

func refresh(out string) error {
	// No cache: always the repository's current, verified metadata.
	client, err := tuf.New(tuf.DefaultOptions().WithDisableLocalCache())
	if err != nil {
		return fmt.Errorf("TUF client for %s: %w", tuf.DefaultMirror, err)
	}
	data, err := client.GetTarget("trusted_root.json")
	if err != nil {
		return fmt.Errorf("TUF target trusted_root.json: %w", err)
	}
	if _, err := root.NewTrustedRootFromJSON(data); err != nil {
		return fmt.Errorf("fetched trusted_root.json does not parse: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".trusted_root-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return err
	}
	fmt.Printf("wrote %s (%d bytes)\n", out, len(data))
	return nil
}
