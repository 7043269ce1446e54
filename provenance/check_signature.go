package provenance

import (
	"encoding/hex"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
)

// checkSignature verifies the DSSE envelope, or the message signature over
// the digest the bundle names, with the certificate's or the given key.
// Whether that digest is the artifact's is the digest check's business:
// keeping the two apart names a swapped artifact as such, not as a bad
// signature. Together they are what sigstore-go's WithArtifactDigest checks.
func checkSignature(r *Result, cfg *config, tm root.TrustedMaterial, e *entityParts) {
	switch {
	case cfg.keyMode() && e.leaf != nil:
		r.set(CheckSignature, Fail, "signed with a certificate for %q, not with the given key", certSubject(e.leaf))
		return
	case !cfg.keyMode() && e.leaf == nil:
		r.set(CheckSignature, Fail, "signed with a public key (hint %q) that is not trusted: give it with --key", e.keyHint)
		return
	}
	signer := "the certificate's key"
	if cfg.keyMode() {
		signer = "the given key"
	}
	if env := e.sig.EnvelopeContent(); env != nil {
		if err := verify.VerifySignature(e.sig, e.vc, tm); err != nil {
			r.set(CheckSignature, Fail, "DSSE envelope signature does not verify with %s: %v", signer, err)
			return
		}
		r.set(CheckSignature, Pass, "DSSE envelope (%s) verified with %s", env.RawEnvelope().PayloadType, signer)
		return
	}
	msg := e.sig.MessageSignatureContent()
	if msg == nil {
		r.set(CheckSignature, Fail, "bundle holds neither a DSSE envelope nor a message signature")
		return
	}
	if len(msg.Digest()) == 0 {
		r.set(CheckSignature, Fail, "message signature names no digest")
		return
	}
	alg := hashName(msg.DigestAlgorithm())
	err := verify.VerifySignatureWithArtifactDigests(e.sig, e.vc, tm,
		[]verify.ArtifactDigest{{Algorithm: alg, Digest: msg.Digest()}})
	if err != nil {
		r.set(CheckSignature, Fail, "message signature over %s:%s does not verify with %s: %v", alg, hex.EncodeToString(msg.Digest()), signer, err)
		return
	}
	r.set(CheckSignature, Pass, "message signature over %s:%s verified with %s", alg, hex.EncodeToString(msg.Digest()), signer)
}

// hashName maps the bundle's protobuf hash names to in-toto's.
func hashName(alg string) string {
	switch alg {
	case "SHA2_256", "sha256":
		return "sha256"
	case "SHA2_384", "sha384":
		return "sha384"
	case "SHA2_512", "sha512":
		return "sha512"
	}
	return alg
}
