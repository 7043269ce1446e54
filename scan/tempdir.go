package scan

import "github.com/fnaudit/fnaudit/artifact"

// privateDir makes a scan's own 0700 temporary directory under root (""
// means the system one). Everything fnaudit writes during the scan goes
// there — nested archives, image content, a Go binary copied out for
// govulncheck — and the returned cleanup removes it whatever happened. The
// directory names its process, so a later run removes it if this one is
// killed first (artifact.RemoveStaleTempDirs).
func privateDir(root string) (string, func(), error) {
	return artifact.NewPrivateTempDir(root)
}
