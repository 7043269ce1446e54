package sbom

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
	_ "unsafe" // go:linkname, see syftNewScanner

	"github.com/google/licensecheck"
)

// syft classifies license file contents with google/licensecheck. Its
// public set-up, syft.SetContextLicenseScanner (and CreateSBOM when the
// context has no scanner), always calls licenses.NewDefaultScanner, which
// compiles every builtin license into one automaton:
// licensecheck.NewScanner(licensecheck.BuiltinLicenses()) in
// github.com/anchore/syft@v1.57.0/internal/licenses/scanner.go:53. That is
// about 0.75 s of CPU, 87% of a small scan's CPU, paid whether or not any
// license file is ever read. Package metadata licenses ("license": "MIT")
// never reach the automaton: pkg.licenseBuilder only calls the scanner for
// file contents (syft/pkg/license.go:342, buildFromContents).
//
// syft's own cataloger tests build the same scanner with
// licenses.NewScanner(&licenses.ScannerConfig{Scanner: licensecheck.Scan,
// CoverageThreshold: 75}) (syft/pkg/cataloger/internal/pkgtest/
// test_generic_parser.go:70). licensecheck.Scan builds the builtin automaton
// lazily, once per process, on its first call. fnaudit does the same, so the
// automaton is compiled only when a cataloger first classifies a license
// file, and then once per process; the licenses in the SBOM are exactly
// those of syft's default scanner (TestLazyLicenseScannerMatchesSyft).
//
// licenses is an internal package, so its two functions are reached with
// go:linkname. The declarations below must keep the layout of syft's:
// TestLazyLicenseScannerLayout checks the scanner value syft stores against
// the one syft's public set-up stores, so an upgrade that changes either
// fails the tests rather than the scans.
//
//go:linkname syftNewScanner github.com/anchore/syft/internal/licenses.NewScanner
func syftNewScanner(c *syftScannerConfig) (syftScanner, error)

//go:linkname syftSetContextLicenseScanner github.com/anchore/syft/internal/licenses.SetContextLicenseScanner
func syftSetContextLicenseScanner(ctx context.Context, s syftScanner) context.Context

// syftScannerConfig has the layout of licenses.ScannerConfig.
type syftScannerConfig struct {
	CoverageThreshold float64
	Scanner           func([]byte) licensecheck.Coverage
}

// syftScanner stands for the licenses.Scanner interface value that
// NewScanner returns and SetContextLicenseScanner takes. fnaudit only
// passes it from one to the other and never calls its method.
type syftScanner interface {
	FindEvidence(context.Context, io.Reader) ([]syftEvidence, []byte, error)
}

// syftEvidence has the layout of licenses.Evidence.
type syftEvidence struct {
	ID    string
	Type  licensecheck.Type
	Start int
	End   int
	IsURL bool
}

// syftDefaultCoverage is licenses.DefaultCoverageThreshold, which
// cataloging.DefaultLicenseConfig also uses.
const syftDefaultCoverage = 75

// licenses holds the two shared scanners: one classifying license files
// with the builtin automaton, one reading declared licenses only.
var licenses struct {
	once sync.Once
	full context.Context // carries the classifying scanner as a context value
	// declared carries a scanner that classifies nothing: syft then keeps a
	// license file as a "sha256:" content hash (pkg.licenseFromContentHash),
	// which declaredLicenses drops. Licenses declared in package metadata
	// are parsed without any scanner and are kept either way.
	declared context.Context
	err      error
}

// noLicenseMatch is a licensecheck scan function that matches nothing.
func noLicenseMatch([]byte) licensecheck.Coverage { return licensecheck.Coverage{} }

// Preload prepares the shared license scanners. It is cheap (the automaton
// is compiled on first use) and idempotent.
func Preload() {
	licenses.once.Do(func() {
		licenses.full, licenses.err = scannerContext(licensecheck.Scan)
		if licenses.err == nil {
			licenses.declared, licenses.err = scannerContext(noLicenseMatch)
		}
	})
}

// scannerContext is a context carrying syft's license scanner built with
// the given scan function and syft's default coverage threshold.
func scannerContext(scan func([]byte) licensecheck.Coverage) (context.Context, error) {
	s, err := syftNewScanner(&syftScannerConfig{CoverageThreshold: syftDefaultCoverage, Scanner: scan})
	if err != nil {
		return nil, fmt.Errorf("license scanner: %w", err)
	}
	return syftSetContextLicenseScanner(context.Background(), s), nil
}

// withLicenseScanner returns ctx carrying the shared license scanner: the
// classifying one, or with declaredOnly the one that leaves license files
// unclassified.
func withLicenseScanner(ctx context.Context, declaredOnly bool) (context.Context, error) {
	Preload()
	if licenses.err != nil {
		return nil, licenses.err
	}
	values := licenses.full
	if declaredOnly {
		values = licenses.declared
	}
	return valuesFrom{Context: ctx, values: values}, nil
}

// valuesFrom is ctx (deadline, cancellation, its own values) that also
// answers values from another context.
type valuesFrom struct {
	context.Context
	values context.Context
}

func (v valuesFrom) Value(key any) any {
	if val := v.Context.Value(key); val != nil {
		return val
	}
	return v.values.Value(key)
}

func (v valuesFrom) Deadline() (time.Time, bool) { return v.Context.Deadline() }

// dropFileLicenses removes the content hashes syft gives license files it
// did not classify, leaving the licenses packages declare.
func dropFileLicenses(ps []Package) {
	for i := range ps {
		ps[i].Licenses = slices.DeleteFunc(ps[i].Licenses, func(l string) bool {
			return strings.HasPrefix(l, "sha256:")
		})
		if len(ps[i].Licenses) == 0 {
			ps[i].Licenses = nil
		}
	}
}
