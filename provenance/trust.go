package provenance

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	_ "embed"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/options"
)

// publicGoodRoot is the Sigstore public-good trusted root (Fulcio CAs, Rekor,
// CT logs, timestamp authorities), embedded so verification needs no network.
// See README.md ("Refreshing the embedded trusted root") for where it comes
// from and how to update it.
//
//go:embed public-good.trusted_root.json
var publicGoodRoot []byte

// maxTrustFile bounds trusted_root.json and key files read from disk.
const maxTrustFile = 4 << 20

// DefaultTrustedRoot returns the embedded public-good Sigstore trusted root.
// It is parsed once per process and shared: a TrustedRoot is read-only once
// built, and a scan engine verifies many artifacts against it.
var DefaultTrustedRoot = sync.OnceValues(func() (*root.TrustedRoot, error) {
	tr, err := root.NewTrustedRootFromJSON(publicGoodRoot)
	if err != nil {
		return nil, fmt.Errorf("embedded public-good trusted root: %w", err)
	}
	return tr, nil
})

// loadTrustedRoot reads a trusted_root.json file.
func loadTrustedRoot(path string) (*root.TrustedRoot, error) {
	data, err := readLimited(path, maxTrustFile)
	if err != nil {
		return nil, fmt.Errorf("trusted root: %w", err)
	}
	tr, err := root.NewTrustedRootFromJSON(data)
	if err != nil {
		return nil, fmt.Errorf("trusted root %s: %w", path, err)
	}
	return tr, nil
}

// loadPublicKey reads a PEM public key (PKIX "PUBLIC KEY" or PKCS#1 "RSA
// PUBLIC KEY"), as written by `cosign generate-key-pair` or openssl.
func loadPublicKey(path string) (crypto.PublicKey, error) {
	data, err := readLimited(path, maxTrustFile)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(data)
	if err != nil {
		return nil, fmt.Errorf("public key %s: %w", path, err)
	}
	if err := checkKeyType(pub); err != nil {
		return nil, fmt.Errorf("public key %s: %w", path, err)
	}
	return pub, nil
}

func checkKeyType(pub crypto.PublicKey) error {
	switch pub.(type) {
	case *ecdsa.PublicKey, ed25519.PublicKey, *rsa.PublicKey:
		return nil
	default:
		return fmt.Errorf("unsupported key type %T (want ECDSA, Ed25519 or RSA)", pub)
	}
}

// keyMaterial is trusted material holding one public key, answering every
// key hint: the hint in a bundle is unauthenticated, the signature check is
// what binds the bundle to the key. Keys the user supplies do not expire.
//
// Ed25519 signs DSSE envelopes with plain Ed25519 but hashedrekord message
// signatures with Ed25519ph, so the verifier depends on the content signed.
func keyMaterial(pub crypto.PublicKey, messageSignature bool) (root.TrustedMaterial, error) {
	var opts []signature.LoadOption
	if messageSignature {
		opts = append(opts, options.WithED25519ph())
	}
	v, err := signature.LoadDefaultVerifier(pub, opts...)
	if err != nil {
		return nil, fmt.Errorf("load public key verifier: %w", err)
	}
	tv := nonExpiringVerifier{v}
	return root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) {
		return tv, nil
	}), nil
}

type nonExpiringVerifier struct{ signature.Verifier }

func (nonExpiringVerifier) ValidAtTime(time.Time) bool { return true }

// readLimited reads a whole regular file, refusing one larger than limit.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than the %d-byte limit", path, limit)
	}
	return data, nil
}
