package provenance

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	sigdsse "github.com/sigstore/sigstore/pkg/signature/dsse"
	"github.com/sigstore/sigstore/pkg/signature/options"
	"google.golang.org/protobuf/encoding/protojson"
)

// TestKeyTypes: --key accepts ECDSA, RSA and Ed25519 public keys. Bundles
// are signed the way sigstore-go's pkg/sign signs them, with the signers of
// github.com/sigstore/sigstore: a message signature over a corpus function
// zip (what cosign sign-blob makes; Ed25519 signs those as Ed25519ph) and a
// DSSE envelope with a SLSA statement (pure Ed25519). Each verifies for its
// zip, is rejected for another zip on the digest, and with the previous
// case's key on the signature.
func TestKeyTypes(t *testing.T) {
	zip := "../testdata/functions/python-app.zip"
	data, err := os.ReadFile(zip)
	if err != nil {
		t.Fatal(err)
	}
	art, err := ArtifactFromFile(zip)
	if err != nil {
		t.Fatal(err)
	}
	other, err := ArtifactFromFile("../testdata/functions/python-layer.zip")
	if err != nil {
		t.Fatal(err)
	}
	statement := provenanceFor(data)

	cases := []struct {
		name    string
		message protocommon.PublicKeyDetails
		dsse    protocommon.PublicKeyDetails
	}{
		{"ECDSA P-256", protocommon.PublicKeyDetails_PKIX_ECDSA_P256_SHA_256, protocommon.PublicKeyDetails_PKIX_ECDSA_P256_SHA_256},
		{"ECDSA P-384", protocommon.PublicKeyDetails_PKIX_ECDSA_P384_SHA_384, protocommon.PublicKeyDetails_PKIX_ECDSA_P384_SHA_384},
		{"RSA 3072", protocommon.PublicKeyDetails_PKIX_RSA_PKCS1V15_3072_SHA256, protocommon.PublicKeyDetails_PKIX_RSA_PKCS1V15_3072_SHA256},
		{"Ed25519", protocommon.PublicKeyDetails_PKIX_ED25519_PH, protocommon.PublicKeyDetails_PKIX_ED25519},
	}
	dir := t.TempDir()
	var prevKey string
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, kind := range []struct {
				name string
				alg  protocommon.PublicKeyDetails
			}{{"message", tc.message}, {"dsse", tc.dsse}} {
				priv := newKey(t, kind.alg)
				var pb *protobundle.Bundle
				if kind.name == "message" {
					pb = messageBundle(t, priv, kind.alg, data)
				} else {
					pb = dsseBundle(t, priv, kind.alg, statement)
				}
				base := filepath.Join(dir, tc.name+"-"+kind.name)
				bundlePath, keyPath := base+".sigstore.json", base+".pub"
				js, err := protojson.Marshal(pb)
				if err != nil {
					t.Fatal(err)
				}
				der, err := cryptoutils.MarshalPublicKeyToDER(priv.Public())
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(bundlePath, js, 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
					t.Fatal(err)
				}

				run := func(a Artifact, key string) *Result {
					r, err := Verify(context.Background(), a, bundlePath, WithKey(key), WithInsecureIgnoreTlog())
					if err != nil {
						t.Fatalf("%s: %v", kind.name, err)
					}
					return r
				}
				if r := run(art, keyPath); !r.Verified {
					t.Fatalf("%s: rejected: %s\n%s", kind.name, r.Failure(), dump(r))
				}
				wantRejected(t, run(other, keyPath), CheckDigest)
				if prevKey != "" {
					wantRejected(t, run(art, prevKey), CheckSignature)
				}
				prevKey = keyPath
			}
		})
	}
}

func newKey(t *testing.T, alg protocommon.PublicKeyDetails) crypto.Signer {
	t.Helper()
	var (
		k   crypto.Signer
		err error
	)
	switch alg {
	case protocommon.PublicKeyDetails_PKIX_ECDSA_P256_SHA_256:
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case protocommon.PublicKeyDetails_PKIX_ECDSA_P384_SHA_384:
		k, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case protocommon.PublicKeyDetails_PKIX_RSA_PKCS1V15_3072_SHA256:
		k, err = rsa.GenerateKey(rand.Reader, 3072)
	case protocommon.PublicKeyDetails_PKIX_ED25519, protocommon.PublicKeyDetails_PKIX_ED25519_PH:
		_, k, err = ed25519.GenerateKey(rand.Reader)
	default:
		t.Fatalf("no key for %v", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func signer(t *testing.T, priv crypto.Signer, alg protocommon.PublicKeyDetails) (signature.Signer, crypto.Hash) {
	t.Helper()
	details, err := signature.GetAlgorithmDetails(alg)
	if err != nil {
		t.Fatal(err)
	}
	var opts []signature.LoadOption
	if alg == protocommon.PublicKeyDetails_PKIX_ED25519_PH {
		opts = append(opts, options.WithED25519ph())
	}
	s, err := signature.LoadSignerFromAlgorithmDetails(priv, details, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s, details.GetHashType()
}

func keyMaterialOf() *protobundle.VerificationMaterial {
	return &protobundle.VerificationMaterial{Content: &protobundle.VerificationMaterial_PublicKey{
		PublicKey: &protocommon.PublicKeyIdentifier{Hint: "test-key"},
	}}
}

// messageBundle is a hashedrekord-style message signature bundle.
func messageBundle(t *testing.T, priv crypto.Signer, alg protocommon.PublicKeyDetails, data []byte) *protobundle.Bundle {
	t.Helper()
	s, hf := signer(t, priv, alg)
	sig, err := s.SignMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	h := hf.New()
	h.Write(data)
	hashAlg := map[crypto.Hash]protocommon.HashAlgorithm{
		crypto.SHA256: protocommon.HashAlgorithm_SHA2_256, crypto.SHA384: protocommon.HashAlgorithm_SHA2_384, crypto.SHA512: protocommon.HashAlgorithm_SHA2_512,
	}[hf]
	return &protobundle.Bundle{
		MediaType:            bundleV03,
		VerificationMaterial: keyMaterialOf(),
		Content: &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: hashAlg, Digest: h.Sum(nil)},
			Signature:     sig,
		}},
	}
}

// dsseBundle is a DSSE envelope bundle carrying payload.
func dsseBundle(t *testing.T, priv crypto.Signer, alg protocommon.PublicKeyDetails, payload []byte) *protobundle.Bundle {
	t.Helper()
	s, _ := signer(t, priv, alg)
	es, err := dsse.NewEnvelopeSigner(&sigdsse.SignerAdapter{SignatureSigner: s, Pub: priv.Public()})
	if err != nil {
		t.Fatal(err)
	}
	env, err := es.SignPayload(context.Background(), intotoPayloadType, payload)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := base64.StdEncoding.DecodeString(env.Signatures[0].Sig)
	if err != nil {
		t.Fatal(err)
	}
	return &protobundle.Bundle{
		MediaType:            bundleV03,
		VerificationMaterial: keyMaterialOf(),
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload: payload, PayloadType: intotoPayloadType, Signatures: []*protodsse.Signature{{Sig: sig}},
		}},
	}
}
