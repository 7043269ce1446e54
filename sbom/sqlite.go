package sbom

// syft's RPM cataloger reads newer rpmdb files (sqlite) through database/sql
// and needs a driver registered; modernc.org/sqlite is pure Go, as the syft
// CLI uses.
import _ "modernc.org/sqlite"
