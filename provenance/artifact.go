package provenance

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Artifact is what the provenance must vouch for, known by its digests.
type Artifact struct {
	// Name is shown in reports: the file path, or the digest given.
	Name string
	// Digests maps an algorithm ("sha256", "sha384", "sha512") to the raw
	// digest. The check compares whichever of these the statement uses.
	Digests map[string][]byte
}

// digestLen is the size of each supported digest, by in-toto algorithm name.
var digestLen = map[string]int{"sha256": sha256.Size, "sha384": sha512.Size384, "sha512": sha512.Size}

// ArtifactFromFile hashes the file at path with every supported algorithm
// in one pass (the statement decides which one counts).
func ArtifactFromFile(path string) (Artifact, error) {
	f, err := os.Open(path)
	if err != nil {
		return Artifact{}, fmt.Errorf("open artifact: %w", err)
	}
	defer f.Close()
	h256, h384, h512 := sha256.New(), sha512.New384(), sha512.New()
	if _, err := io.Copy(io.MultiWriter(h256, h384, h512), f); err != nil {
		return Artifact{}, fmt.Errorf("read artifact %s: %w", path, err)
	}
	return Artifact{Name: path, Digests: map[string][]byte{
		"sha256": h256.Sum(nil), "sha384": h384.Sum(nil), "sha512": h512.Sum(nil),
	}}, nil
}

// ArtifactFromDigest makes an Artifact known only by one digest; see
// ParseDigest for the accepted forms.
func ArtifactFromDigest(s string) (Artifact, error) {
	alg, sum, err := ParseDigest(s)
	if err != nil {
		return Artifact{}, err
	}
	return Artifact{Name: alg + ":" + hex.EncodeToString(sum), Digests: map[string][]byte{alg: sum}}, nil
}

// ParseDigest reads "ALG:HEX" ("sha256:c4bf…"), "ALG:BASE64" (AWS Lambda's
// CodeSha256, "sha256:xL8t…=") or a subresource-integrity string
// ("sha512-dhdv…==", npm's integrity field). ALG is sha256, sha384 or sha512.
func ParseDigest(s string) (alg string, sum []byte, err error) {
	alg, val, ok := strings.Cut(s, ":")
	if !ok {
		alg, val, ok = strings.Cut(s, "-")
	}
	if !ok || val == "" {
		return "", nil, fmt.Errorf("digest %q: want ALG:HEX, ALG:BASE64 or ALG-BASE64 (ALG one of %s)", s, supportedAlgs())
	}
	alg = strings.ToLower(alg)
	size, known := digestLen[alg]
	if !known {
		return "", nil, fmt.Errorf("digest %q: unsupported algorithm %q (want one of %s)", s, alg, supportedAlgs())
	}
	if len(val) == 2*size {
		if sum, err := hex.DecodeString(val); err == nil {
			return alg, sum, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if sum, err := enc.DecodeString(val); err == nil && len(sum) == size {
			return alg, sum, nil
		}
	}
	return "", nil, fmt.Errorf("digest %q: not a %d-byte %s digest in hex or base64", s, size, alg)
}

func supportedAlgs() string {
	algs := make([]string, 0, len(digestLen))
	for a := range digestLen {
		algs = append(algs, a)
	}
	sort.Strings(algs)
	return strings.Join(algs, ", ")
}
