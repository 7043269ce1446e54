package sbom

import (
	"context"

	"fmt"
	"runtime/debug"

	cyclonedx "github.com/CycloneDX/cyclonedx-go"

	"github.com/anchore/syft/syft"
	"github.com/anchore/syft/syft/cataloging"
	"github.com/anchore/syft/syft/cataloging/pkgcataloging"
	syftsbom "github.com/anchore/syft/syft/sbom"

	"github.com/fnaudit/fnaudit/artifact"
)

// SBOM is the package list of one deployment, with what the encoders need.
type SBOM struct {
	// Target, Kind, Digest, Runtime and Origins describe the deployment the
	// SBOM was made from (or, for an SBOM read from a file, what it says).
	Target   string            `json:"target"`
	Kind     artifact.Kind     `json:"kind"`
	Digest   string            `json:"digest,omitempty"`
	Runtime  artifact.Runtime  `json:"runtime"`
	Origins  []artifact.Origin `json:"origins"`
	Packages []Package         `json:"packages"`
	// UnidentifiedBundles are JavaScript bundles fnaudit could not see into.
	UnidentifiedBundles []string `json:"unidentifiedBundles,omitempty"`
	// Searched says where Generate looked (nil for a decoded SBOM), so an
	// empty SBOM can say why (EmptyWarning).
	Searched *Search `json:"searched,omitempty"`

	// syft is the cataloging result reduced to Packages (same order), for
	// syft's format helpers; nil only for an SBOM assembled by hand.
	syft *syftsbom.SBOM
	// syftIDs[i] is the syft package id of Packages[i] (the CycloneDX bom-ref
	// and SPDX id the encoders emit); for a decoded CycloneDX file, the
	// component's own bom-ref.
	syftIDs []string
	// goBinaries holds the decompressed content of the Go binaries the Go
	// cataloger read from the binary cache (see GoBinary).
	goBinaries map[string][]byte
	// cdx is the document a CycloneDX SBOM was decoded from, re-emitted as is
	// (with vulnerabilities added) by report writers.
	cdx *cyclonedx.BOM
}

// Options tune cataloging.
type Options struct {
	// Parallelism is syft's cataloger concurrency (0: syft's default).
	Parallelism int
	// ArchiveDepth is how deep syft catalogs archives found inside the
	// deployment (zips and wheels; jars are always opened by the Java
	// cataloger). artifact.Open has already refused anything deeper than
	// the user's limit. 0 means artifact.DefaultLimits().MaxDepth; negative
	// turns nested cataloging off.
	ArchiveDepth int
	// WithoutCPEs skips syft's CPE generation (17% of cataloging a large
	// Node function): a scan matches by OSV ecosystem and name, never by
	// CPE, so only SBOMs handed to other tools need them.
	WithoutCPEs bool
	// WithoutLicenseFiles keeps only the licenses packages declare in their
	// metadata: license files of packages that declare none are not
	// classified (google/licensecheck, about 0.75 s of CPU to compile once
	// per process). The gate never reads licenses, so scans set it; SBOMs
	// handed to other tools keep syft's full classification.
	WithoutLicenseFiles bool
}

// Generate catalogs every installed package of an opened deployment with
// syft's installed-package catalogers (the set syft runs on images: a
// function package is an installed tree, so lockfile-only entries such as
// devDependencies are not deployed packages), then attaches each package's
// origin and whether the runtime loads that copy.
func Generate(ctx context.Context, d *artifact.Deployment, opts Options) (*SBOM, error) {
	src := newDeploymentSource(d)
	lctx, err := withLicenseScanner(ctx, opts.WithoutLicenseFiles)
	if err != nil {
		return nil, fmt.Errorf("catalog %s: %w", d.Target, err)
	}
	s, err := syft.CreateSBOM(lctx, src, catalogConfig(opts))
	if err != nil {
		return nil, fmt.Errorf("catalog %s: %w", d.Target, err)
	}
	// A cataloger that hit a corrupt entry may have logged and moved on; the
	// deployment remembers, and a partial package list is not an answer.
	if err := d.Err(); err != nil {
		return nil, err
	}
	out := &SBOM{Target: d.Target, Kind: d.Kind, Digest: d.Digest, Runtime: d.Runtime, Origins: d.Origins}
	// Collection.Sorted deep-copies every package (jinzhu/copier): take
	// the list once for the three readers below.
	sorted := s.Artifacts.Packages.Sorted()
	out.fromSyft(s, sorted, func(realPath string) (artifact.Origin, bool) {
		f, ok := d.File(realPath)
		if !ok {
			return artifact.Origin{}, false
		}
		return f.Origin(), true
	}, false)
	if err := out.addNodePackages(d, sorted); err != nil {
		return nil, err
	}
	if err := out.addRejected(d, sorted, src.resolver); err != nil {
		return nil, err
	}
	if err := addBundled(out, d); err != nil {
		return nil, err
	}
	// Declared entries are whatever no other evidence listed: keep this
	// after every cataloger.
	if err := out.addDeclared(d); err != nil {
		return nil, err
	}
	if opts.WithoutLicenseFiles {
		dropFileLicenses(out.Packages)
	}
	out.goBinaries = src.resolver.binaries.goBinaries(out.Packages)
	markLoaded(out.Packages, d.Runtime)
	sortPackages(out.Packages, out.syftIDs)
	out.Searched = newSearch(d)
	out.Runtime.Language = bootstrapLanguage(out)
	return out, nil
}

// bootstrapLanguage names the language of a custom runtime's bootstrap:
// "go" when the Go cataloger read build information from it.
func bootstrapLanguage(s *SBOM) string {
	if s.Runtime.Name != "provided" || s.Runtime.Language != "" {
		return s.Runtime.Language
	}
	for _, p := range s.Packages {
		if p.Ecosystem == EcosystemGo && (p.Path() == artifact.TaskRoot+"/bootstrap" || p.Path() == artifact.OptRoot+"/bootstrap") {
			return "go"
		}
	}
	return ""
}

// catalogConfig selects syft's installed-package catalogers and turns off
// what fnaudit does not report (file digests, file-ownership relationships).
func catalogConfig(opts Options) *syft.CreateSBOMConfig {
	depth := opts.ArchiveDepth
	switch {
	case depth == 0:
		depth = artifact.DefaultLimits().MaxDepth
	case depth < 0:
		depth = 0
	}
	return syft.DefaultCreateSBOMConfig().
		WithTool("fnaudit", toolVersion()).
		WithParallelism(opts.Parallelism).
		WithCatalogerSelection(cataloging.NewSelectionRequest().WithDefaults(pkgcataloging.ImageTag)).
		WithoutFiles().
		WithRelationshipsConfig(cataloging.RelationshipsConfig{}).
		WithArchiveConfig(cataloging.DefaultArchiveSearchConfig().WithMaxDepth(depth)).
		WithDataGenerationConfig(cataloging.DefaultDataGenerationConfig().WithGenerateCPEs(!opts.WithoutCPEs))
}

// moduleVersion is the version of a dependency linked into this binary.
func moduleVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				return d.Version
			}
		}
	}
	return ""
}

// toolVersion is fnaudit's module version, for the SBOM's tool metadata.
func toolVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
