package provenance

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"github.com/sigstore/sigstore/pkg/signature"
	sigdsse "github.com/sigstore/sigstore/pkg/signature/dsse"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// Keyless negatives built with sigstore-go's virtual Sigstore (its own
// Fulcio CA, Rekor, CT log and timestamp authority) and a trusted root made
// from it, written as real bundle and trusted_root.json files so the whole
// path — parsing, trust root loading, checks — is exercised.

const (
	vIdentity = "https://github.com/acme/fn/.github/workflows/release.yml@refs/heads/main"
	vIssuer   = "https://token.actions.githubusercontent.com"
)

type virtual struct {
	t        *testing.T
	vs       *ca.VirtualSigstore
	extraCAs []root.CertificateAuthority
	dir      string
}

func newVirtual(t *testing.T) *virtual {
	t.Helper()
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	return &virtual{t: t, vs: vs, dir: t.TempDir()}
}

// rootFile writes the virtual instance's trusted_root.json.
func (v *virtual) rootFile() string {
	v.t.Helper()
	cas := append(v.vs.FulcioCertificateAuthorities(), v.extraCAs...)
	// The virtual Rekor keeps its log id as hex text in memory; a
	// trusted_root.json carries the raw key id. The virtual Fulcio embeds
	// no SCTs, so the root lists no CT log (none is then required).
	logs := map[string]*root.TransparencyLog{}
	for id, l := range v.vs.RekorLogs() {
		raw, err := hex.DecodeString(id)
		if err != nil {
			v.t.Fatal(err)
		}
		c := *l
		c.ID = raw
		logs[id] = &c
	}
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, cas, nil, v.vs.TimestampingAuthorities(), logs)
	if err != nil {
		v.t.Fatal(err)
	}
	data, err := tr.MarshalJSON()
	if err != nil {
		v.t.Fatal(err)
	}
	path := filepath.Join(v.dir, "trusted_root.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		v.t.Fatal(err)
	}
	return path
}

// provenanceFor is a SLSA v1 statement for artifact, as GitHub would write.
func provenanceFor(artifact []byte) []byte {
	sum := sha256.Sum256(artifact)
	st := map[string]any{
		"_type":         statementTypeV1,
		"subject":       []any{map[string]any{"name": "function.zip", "digest": map[string]string{"sha256": hex.EncodeToString(sum[:])}}},
		"predicateType": slsaProvenanceV1,
		"predicate": map[string]any{
			"buildDefinition": map[string]any{
				"buildType":          "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
				"externalParameters": map[string]any{"workflow": map[string]any{"ref": "refs/heads/main", "repository": "https://github.com/acme/fn", "path": ".github/workflows/release.yml"}},
				"resolvedDependencies": []any{map[string]any{
					"uri": "git+https://github.com/acme/fn@refs/heads/main", "digest": map[string]string{"gitCommit": strings.Repeat("ab", 20)},
				}},
			},
			"runDetails": map[string]any{"builder": map[string]any{"id": "https://github.com/actions/runner/github-hosted"}},
		},
	}
	data, _ := json.Marshal(st)
	return data
}

// parts of a bundle to write.
type bundleParts struct {
	leaf       *x509.Certificate
	envelope   *dsse.Envelope
	msgDigest  []byte // message signature: sha256 digest…
	msgSig     []byte // …and signature
	entries    []*tlog.Entry
	timestamps [][]byte
}

func (v *virtual) partsOf(e *ca.TestEntity) bundleParts {
	v.t.Helper()
	vc, err := e.VerificationContent()
	if err != nil {
		v.t.Fatal(err)
	}
	p := bundleParts{leaf: vc.Certificate()}
	sc, err := e.SignatureContent()
	if err != nil {
		v.t.Fatal(err)
	}
	if env := sc.EnvelopeContent(); env != nil {
		p.envelope = env.RawEnvelope()
	} else {
		p.msgDigest, p.msgSig = sc.MessageSignatureContent().Digest(), sc.Signature()
	}
	if p.entries, err = e.TlogEntries(); err != nil {
		v.t.Fatal(err)
	}
	if p.timestamps, err = e.Timestamps(); err != nil {
		v.t.Fatal(err)
	}
	return p
}

// write writes p as a v0.1 Sigstore bundle (tlog entries carry their
// inclusion promise, re-signed by the virtual Rekor from the entry).
func (v *virtual) write(name string, p bundleParts) string {
	v.t.Helper()
	pb := &protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle+json;version=0.1",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_X509CertificateChain{X509CertificateChain: &protocommon.X509CertificateChain{
				Certificates: []*protocommon.X509Certificate{{RawBytes: p.leaf.Raw}},
			}},
			TimestampVerificationData: &protobundle.TimestampVerificationData{},
		},
	}
	for _, ts := range p.timestamps {
		pb.VerificationMaterial.TimestampVerificationData.Rfc3161Timestamps = append(
			pb.VerificationMaterial.TimestampVerificationData.Rfc3161Timestamps, &protocommon.RFC3161SignedTimestamp{SignedTimestamp: ts})
	}
	for _, en := range p.entries {
		tle := proto.Clone(en.TransparencyLogEntry()).(*protorekor.TransparencyLogEntry)
		var body struct{ Kind, APIVersion string }
		if err := json.Unmarshal(tle.CanonicalizedBody, &body); err != nil {
			v.t.Fatal(err)
		}
		tle.KindVersion = &protorekor.KindVersion{Kind: body.Kind, Version: body.APIVersion}
		set, err := v.vs.RekorSignPayload(tlog.RekorPayload{
			Body: en.Body(), IntegratedTime: tle.IntegratedTime, LogIndex: tle.LogIndex, LogID: hex.EncodeToString(tle.LogId.KeyId),
		})
		if err != nil {
			v.t.Fatal(err)
		}
		tle.InclusionPromise = &protorekor.InclusionPromise{SignedEntryTimestamp: set}
		pb.VerificationMaterial.TlogEntries = append(pb.VerificationMaterial.TlogEntries, tle)
	}
	if p.envelope != nil {
		payload, err := base64.StdEncoding.DecodeString(p.envelope.Payload)
		if err != nil {
			v.t.Fatal(err)
		}
		sig, err := base64.StdEncoding.DecodeString(p.envelope.Signatures[0].Sig)
		if err != nil {
			v.t.Fatal(err)
		}
		pb.Content = &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload: payload, PayloadType: p.envelope.PayloadType, Signatures: []*protodsse.Signature{{Sig: sig}},
		}}
	} else {
		pb.Content = &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_256, Digest: p.msgDigest},
			Signature:     p.msgSig,
		}}
	}
	data, err := protojson.Marshal(pb)
	if err != nil {
		v.t.Fatal(err)
	}
	path := filepath.Join(v.dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		v.t.Fatal(err)
	}
	return path
}

func (v *virtual) verify(bundlePath string, artifact []byte, extra ...Option) *Result {
	v.t.Helper()
	sum := sha256.Sum256(artifact)
	a := Artifact{Name: "function.zip", Digests: map[string][]byte{"sha256": sum[:]}}
	opts := append([]Option{WithTrustedRoot(v.rootFile()), WithIdentity(vIdentity), WithIssuer(vIssuer),
		WithBuilderIDs("https://github.com/actions/runner/github-hosted"), WithSourceURI("github.com/acme/fn"), WithSourceRef("refs/heads/main")}, extra...)
	r, err := Verify(context.Background(), a, bundlePath, opts...)
	if err != nil {
		v.t.Fatalf("could not check: %v", err)
	}
	return r
}

var (
	artifactA = []byte("the function zip CI built")
	artifactB = []byte("a function zip CI never built")
)

// TestVirtualSigstoreControl: the bundles the negatives are made from do
// verify, with the tlog entry, with the RFC 3161 timestamp, or both.
func TestVirtualSigstoreControl(t *testing.T) {
	v := newVirtual(t)
	ent, err := v.vs.Attest(vIdentity, vIssuer, provenanceFor(artifactA))
	if err != nil {
		t.Fatal(err)
	}
	full := v.partsOf(ent)
	tlogOnly, tsaOnly := full, full
	tlogOnly.timestamps, tsaOnly.entries = nil, nil
	for name, p := range map[string]bundleParts{"both": full, "tlog-only": tlogOnly, "tsa-only": tsaOnly} {
		r := v.verify(v.write(name+".json", p), artifactA)
		if !r.Verified {
			t.Errorf("%s: rejected: %s\n%s", name, r.Failure(), dump(r))
		}
	}
	msg, err := v.vs.Sign(vIdentity, vIssuer, artifactA)
	if err != nil {
		t.Fatal(err)
	}
	p := v.partsOf(msg)
	r := v.verify(v.write("msg.json", p), artifactA, func(c *config) error { c.builderIDs, c.sourceURI, c.sourceRef = nil, "", ""; return nil })
	if !r.Verified {
		t.Errorf("message signature: rejected: %s\n%s", r.Failure(), dump(r))
	}
}

// TestTlogEntryForAnotherArtifact: a bundle for artifact A carrying the
// (valid, signed) transparency-log entry of artifact B is rejected on the
// tlog check, for DSSE and message signatures, with or without a timestamp.
func TestTlogEntryForAnotherArtifact(t *testing.T) {
	v := newVirtual(t)
	a, err := v.vs.Attest(vIdentity, vIssuer, provenanceFor(artifactA))
	if err != nil {
		t.Fatal(err)
	}
	b, err := v.vs.Attest(vIdentity, vIssuer, provenanceFor(artifactB))
	if err != nil {
		t.Fatal(err)
	}
	swapped := v.partsOf(a)
	swapped.entries = v.partsOf(b).entries
	r := v.verify(v.write("swapped.json", swapped), artifactA)
	wantRejected(t, r, CheckTlog)
	if !r.Check(CheckSignature).Passed() || !r.Check(CheckDigest).Passed() {
		t.Errorf("signature and digest should still pass:\n%s", dump(r))
	}
	if !strings.Contains(r.Check(CheckTlog).Detail, "does not match") {
		t.Errorf("tlog detail %q does not say the entry does not match", r.Check(CheckTlog).Detail)
	}

	// A valid timestamp does not excuse a log entry for something else.
	swapped.timestamps = v.partsOf(a).timestamps
	wantRejected(t, v.verify(v.write("swapped-tsa.json", swapped), artifactA), CheckTlog)

	ma, err := v.vs.Sign(vIdentity, vIssuer, artifactA)
	if err != nil {
		t.Fatal(err)
	}
	mb, err := v.vs.Sign(vIdentity, vIssuer, artifactB)
	if err != nil {
		t.Fatal(err)
	}
	msg := v.partsOf(ma)
	msg.entries, msg.timestamps = v.partsOf(mb).entries, nil
	noSLSA := func(c *config) error { c.builderIDs, c.sourceURI, c.sourceRef = nil, "", ""; return nil }
	r = v.verify(v.write("swapped-msg.json", msg), artifactA, noSLSA)
	wantRejected(t, r, CheckTlog)
	if !r.Check(CheckSignature).Passed() || !r.Check(CheckDigest).Passed() {
		t.Errorf("message signature: signature and digest should still pass:\n%s", dump(r))
	}
}

// TestLogEntryOutsideCertificateValidity: a tlog entry integrated after the
// ten-minute certificate expired proves the key was used outside its
// validity window.
func TestLogEntryOutsideCertificateValidity(t *testing.T) {
	v := newVirtual(t)
	ent, err := v.vs.AttestAtTime(vIdentity, vIssuer, provenanceFor(artifactA), time.Now().Add(time.Hour), false)
	if err != nil {
		t.Fatal(err)
	}
	p := v.partsOf(ent)
	p.timestamps = nil
	r := v.verify(v.write("late.json", p), artifactA)
	wantRejected(t, r, CheckTlog)
	if !strings.Contains(r.Check(CheckTlog).Detail, "outside certificate validity") {
		t.Errorf("tlog detail: %q", r.Check(CheckTlog).Detail)
	}
	if r.Check(CheckCertificate).Passed() {
		t.Errorf("certificate passed without a valid signing time: %v", r.Check(CheckCertificate))
	}
}

// TestExpiredCertificateWithoutTimestamp: a certificate whose validity
// window ended before verification, with no tlog entry and no timestamp to
// prove it signed in time, is rejected — on tlog by default, and on the
// certificate even with --insecure-ignore-tlog (checked at the current
// time, as cosign does). With a timestamp taken after expiry it is rejected
// on the certificate too. The certificate comes from a second Fulcio CA
// (sigstore-go's test CA helpers) added to the virtual instance's root.
func TestExpiredCertificateWithoutTimestamp(t *testing.T) {
	v := newVirtual(t)
	rootCert, rootKey, err := ca.GenerateRootCa()
	if err != nil {
		t.Fatal(err)
	}
	interCert, interKey, err := ca.GenerateFulcioIntermediate(rootCert, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	v.extraCAs = append(v.extraCAs, &root.FulcioCertificateAuthority{
		Root: rootCert, Intermediates: []*x509.Certificate{interCert}, URI: "https://expired.fulcio.test",
		ValidityPeriodStart: time.Now().Add(-5 * time.Hour), ValidityPeriodEnd: time.Now().Add(time.Hour),
	})
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// ca.GenerateLeafCert: valid from the time given for ten minutes.
	notBefore := time.Now().Add(-time.Hour)
	leaf, err := ca.GenerateLeafCert(vIdentity, vIssuer, notBefore, leafKey, interCert, interKey)
	if err != nil {
		t.Fatal(err)
	}
	env := signEnvelope(t, leafKey, provenanceFor(artifactA))
	p := bundleParts{leaf: leaf, envelope: env}

	noTime := v.write("expired.json", p)
	r := v.verify(noTime, artifactA)
	wantRejected(t, r, CheckTlog)
	if r.Check(CheckCertificate).Passed() {
		t.Errorf("certificate passed: %v", r.Check(CheckCertificate))
	}

	r = v.verify(noTime, artifactA, WithInsecureIgnoreTlog())
	wantRejected(t, r, CheckCertificate)
	if d := r.Check(CheckCertificate).Detail; !strings.Contains(d, "not at signing time") || !strings.Contains(d, "current time") {
		t.Errorf("certificate detail %q", d)
	}
	if !r.Check(CheckSignature).Passed() || !r.Check(CheckDigest).Passed() || r.Check(CheckTlog).Status != Skip {
		t.Errorf("only the certificate should fail:\n%s", dump(r))
	}

	sig, _ := base64.StdEncoding.DecodeString(env.Signatures[0].Sig)
	tsr, err := v.vs.TimestampResponse(sig)
	if err != nil {
		t.Fatal(err)
	}
	p.timestamps = [][]byte{tsr}
	r = v.verify(v.write("expired-tsa.json", p), artifactA)
	wantRejected(t, r, CheckCertificate)
	if !strings.Contains(r.Check(CheckCertificate).Detail, "RFC 3161") {
		t.Errorf("certificate detail %q does not name the timestamp", r.Check(CheckCertificate).Detail)
	}

	// Control: the same certificate inside its window verifies, so the
	// rejections above are about time and nothing else.
	leaf2, err := ca.GenerateLeafCert(vIdentity, vIssuer, time.Now().Add(-time.Minute), leafKey, interCert, interKey)
	if err != nil {
		t.Fatal(err)
	}
	r = v.verify(v.write("fresh.json", bundleParts{leaf: leaf2, envelope: env}), artifactA, WithInsecureIgnoreTlog())
	if !r.Verified {
		t.Errorf("fresh certificate rejected: %s\n%s", r.Failure(), dump(r))
	}
}

func signEnvelope(t *testing.T, key *ecdsa.PrivateKey, payload []byte) *dsse.Envelope {
	t.Helper()
	signer, err := signature.LoadECDSASignerVerifier(key, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	es, err := dsse.NewEnvelopeSigner(&sigdsse.SignerAdapter{SignatureSigner: signer, Pub: key.Public()})
	if err != nil {
		t.Fatal(err)
	}
	env, err := es.SignPayload(context.Background(), intotoPayloadType, payload)
	if err != nil {
		t.Fatal(err)
	}
	return env
}
