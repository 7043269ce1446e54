package provenance

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"os"
	"testing"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// writeOtherKey writes a fresh ECDSA P-256 public key to a PEM file.
func writeOtherKey(t *testing.T) string {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return writePub(t, t.TempDir(), priv.Public())
}

// writePub writes pub as a PEM "PUBLIC KEY" file in dir.
func writePub(t *testing.T, dir string, pub crypto.PublicKey) string {
	t.Helper()
	der, err := cryptoutils.MarshalPublicKeyToDER(pub)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.CreateTemp(dir, "*.pub")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}
