package scan

import (
	"fmt"
	"os"
)

// privateDir makes a scan's own 0700 temporary directory under root ("":
// the system one). Everything fnaudit writes during the scan goes there —
// nested archives, image content, a Go binary copied out for govulncheck —
// and the returned cleanup removes it whatever happened.
func privateDir(root string) (string, func(), error) {
	dir, err := os.MkdirTemp(root, "fnaudit-")
	if err != nil {
		return "", nil, fmt.Errorf("create private temp directory: %w", err)
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}
