package inventory

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// DeploymentDigest is an Artifact.Digest for a deployment made of a code
// package and layers (each given as a digest, in Lambda's order): which copy
// of a package the runtime loads depends on all of them together, so the
// package list belongs to the combination. A deployment of code alone keeps
// the code's own digest.
func DeploymentDigest(code string, layers ...string) string {
	if len(layers) == 0 {
		return code
	}
	sum := sha256.Sum256([]byte("fnaudit-deployment\n" + code + "\n" + strings.Join(layers, "\n")))
	return "sha256:" + hex.EncodeToString(sum[:])
}
