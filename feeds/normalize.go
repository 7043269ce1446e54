package feeds

import (
	"fmt"
	"strings"

	"github.com/ossf/osv-schema/bindings/go/osvconstants"
)

// knownEcosystems is every ecosystem the pinned OSV schema defines. A record
// naming anything else is rejected at import: a typo there would silently
// make the record unmatchable.
var knownEcosystems = []osvconstants.Ecosystem{
	osvconstants.EcosystemAlmaLinux,
	osvconstants.EcosystemAlpaquita,
	osvconstants.EcosystemAlpine,
	osvconstants.EcosystemAndroid,
	osvconstants.EcosystemAzureLinux,
	osvconstants.EcosystemBellSoftHardenedContainers,
	osvconstants.EcosystemBioconductor,
	osvconstants.EcosystemBitnami,
	osvconstants.EcosystemChainguard,
	osvconstants.EcosystemCleanStart,
	osvconstants.EcosystemConanCenter,
	osvconstants.EcosystemCRAN,
	osvconstants.EcosystemCratesIO,
	osvconstants.EcosystemDebian,
	osvconstants.EcosystemDockerHardenedImages,
	osvconstants.EcosystemEcho,
	osvconstants.EcosystemFreeBSD,
	osvconstants.EcosystemGHC,
	osvconstants.EcosystemGitHubActions,
	osvconstants.EcosystemGo,
	osvconstants.EcosystemHackage,
	osvconstants.EcosystemHex,
	osvconstants.EcosystemJulia,
	osvconstants.EcosystemKubernetes,
	osvconstants.EcosystemLinux,
	osvconstants.EcosystemMageia,
	osvconstants.EcosystemMaven,
	osvconstants.EcosystemMinimOS,
	osvconstants.EcosystemNPM,
	osvconstants.EcosystemNuGet,
	osvconstants.EcosystemOpam,
	osvconstants.EcosystemOpenEuler,
	osvconstants.EcosystemOpenSUSE,
	osvconstants.EcosystemOSSFuzz,
	osvconstants.EcosystemPackagist,
	osvconstants.EcosystemPhotonOS,
	osvconstants.EcosystemPub,
	osvconstants.EcosystemPyPI,
	osvconstants.EcosystemRedHat,
	osvconstants.EcosystemRockyLinux,
	osvconstants.EcosystemRoot,
	osvconstants.EcosystemRubyGems,
	osvconstants.EcosystemSUSE,
	osvconstants.EcosystemSwiftURL,
	osvconstants.EcosystemTuxCare,
	osvconstants.EcosystemUbuntu,
	osvconstants.EcosystemVSCode,
	osvconstants.EcosystemWolfi,
}

// ecosystemByFold maps the lower-cased name of each known ecosystem to its
// canonical spelling, so callers holding a purl type ("pypi") or a syft
// language name find the OSV one ("PyPI").
var ecosystemByFold = func() map[string]string {
	m := make(map[string]string, len(knownEcosystems))
	for _, e := range knownEcosystems {
		m[strings.ToLower(string(e))] = string(e)
	}
	return m
}()

// CanonicalEcosystem returns the OSV spelling of ecosystem, matched without
// regard to case on the part before the first ':' ("debian:12" ->
// "Debian:12"); the suffix (a distribution release) is kept as given. It
// fails for an ecosystem the OSV schema does not define.
func CanonicalEcosystem(ecosystem string) (string, error) {
	base, suffix, hasSuffix := strings.Cut(strings.TrimSpace(ecosystem), ":")
	canon, ok := ecosystemByFold[strings.ToLower(base)]
	if !ok {
		return "", fmt.Errorf("unknown ecosystem %q", ecosystem)
	}
	if hasSuffix {
		return canon + ":" + suffix, nil
	}
	return canon, nil
}

// baseEcosystem strips a release suffix: "Debian:12" -> "Debian".
func baseEcosystem(ecosystem string) string {
	base, _, _ := strings.Cut(ecosystem, ":")
	return base
}
