package core

// OSV ecosystem names (https://ossf.github.io/osv-schema/#affectedpackage-field)
// of the language ecosystems fnaudit catalogs. OS distributions carry a
// release suffix ("Debian:12", "Alpine:v3.20").
const (
	EcosystemNPM       = "npm"
	EcosystemPyPI      = "PyPI"
	EcosystemMaven     = "Maven"
	EcosystemGo        = "Go"
	EcosystemNuGet     = "NuGet"
	EcosystemRubyGems  = "RubyGems"
	EcosystemCrates    = "crates.io"
	EcosystemPackagist = "Packagist"
)
