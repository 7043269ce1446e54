package provenance

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
)

// corpusDir holds the real provenance corpus (testdata/CORPUS-MANIFEST.md §2).
const corpusDir = "../testdata/provenance"

// expectation is one case of corpusDir/expectations.json.
type expectation struct {
	ID                  string            `json:"id"`
	Bundle              string            `json:"bundle"`
	ArtifactDigest      string            `json:"artifact_digest"`
	ArtifactDigests     map[string]string `json:"artifact_digests"`
	NPMIntegrity        string            `json:"npm_integrity"`
	SubjectSHA256       string            `json:"subject_sha256"`
	SubjectSHA512       string            `json:"subject_sha512"`
	MessageDigestSHA256 string            `json:"message_digest_sha256_hex"`
	TrustedRoot         string            `json:"trusted_root"`
	Identity            string            `json:"certificate_identity"`
	Issuer              string            `json:"certificate_oidc_issuer"`
	SourceRepository    string            `json:"source_repository"`
	SourceURIForSLSA    string            `json:"source_uri_for_slsa_verifier"`
	SourceRef           string            `json:"source_ref"`
	SourceDigest        string            `json:"source_digest"`
	BuilderID           string            `json:"builder_id"`
	ExpectedResult      string            `json:"expected_result"`
}

func loadExpectations(t *testing.T) []expectation {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpusDir, "expectations.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exps []expectation
	if err := json.Unmarshal(data, &exps); err != nil {
		t.Fatal(err)
	}
	if len(exps) != 11 {
		t.Fatalf("expectations.json: %d cases, want the 11 of CORPUS-MANIFEST.md §2", len(exps))
	}
	// Two tampered cases say "as above" for the signer they must be checked
	// against: take it from the case they were derived from.
	derivedFrom := map[string]string{
		"npm-sigstore-2.3.1-upstream-invalid": "npm-sigstore-2.3.1-attestations",
		"TAMPERED-payload":                    "npm-sigstore-2.0.0-provenance",
	}
	byID := map[string]expectation{}
	for _, e := range exps {
		byID[e.ID] = e
	}
	for i, e := range exps {
		from, ok := derivedFrom[e.ID]
		if !ok {
			continue
		}
		src, ok := byID[from]
		if !ok || e.Identity != "" {
			t.Fatalf("expectations.json: case %s no longer matches this test's reading of it", e.ID)
		}
		exps[i].Identity, exps[i].Issuer, exps[i].TrustedRoot = src.Identity, src.Issuer, src.TrustedRoot
		exps[i].BuilderID, exps[i].SourceRepository = src.BuilderID, src.SourceRepository
	}
	return exps
}

// digest is the artifact digest a case is verified against: the deleted
// artifact's, or the subject's when no artifact was ever included.
func (e expectation) digest() string {
	switch {
	case e.ArtifactDigest != "":
		return e.ArtifactDigest
	case e.SubjectSHA512 != "":
		return "sha512:" + e.SubjectSHA512
	case e.SubjectSHA256 != "":
		return "sha256:" + e.SubjectSHA256
	case e.MessageDigestSHA256 != "":
		return "sha256:" + e.MessageDigestSHA256
	}
	return ""
}

// identity strips the corpus's annotations ("foo!oidc.local (otherName SAN)").
func (e expectation) identity() string {
	id, _, _ := strings.Cut(e.Identity, " (")
	return id
}

func (e expectation) valid() bool { return strings.HasPrefix(e.ExpectedResult, "VALID") }

func (e expectation) keySigned() bool { return e.Identity == "" }

// options are the policy a case names: its trusted root, identity, issuer,
// builder and source.
func (e expectation) options() []Option {
	var opts []Option
	if e.TrustedRoot != "" {
		opts = append(opts, WithTrustedRoot(filepath.Join(corpusDir, e.TrustedRoot)))
	}
	if e.Identity != "" {
		opts = append(opts, WithIdentity(e.identity()), WithIssuer(e.Issuer))
	}
	if e.BuilderID != "" {
		opts = append(opts, WithBuilderIDs(e.BuilderID))
	}
	if e.SourceRepository != "" {
		opts = append(opts, WithSourceURI(e.SourceRepository))
	}
	if e.SourceRef != "" {
		opts = append(opts, WithSourceRef(e.SourceRef))
	}
	return opts
}

func mustArtifact(t *testing.T, digest string) Artifact {
	t.Helper()
	a, err := ArtifactFromDigest(digest)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func verifyCase(t *testing.T, e expectation, digest string, extra ...Option) *Result {
	t.Helper()
	r, err := Verify(context.Background(), mustArtifact(t, digest), filepath.Join(corpusDir, e.Bundle), append(e.options(), extra...)...)
	if err != nil {
		t.Fatalf("%s: could not check: %v", e.ID, err)
	}
	return r
}

// wantRejected asserts a rejection naming check first, and returns the result.
func wantRejected(t *testing.T, r *Result, check string) {
	t.Helper()
	if r.Verified {
		t.Fatalf("verified, want rejected on %s:\n%s", check, dump(r))
	}
	if c := r.FailedCheck(); c == nil || c.Name != check {
		t.Fatalf("rejected on %v, want %s:\n%s", c, check, dump(r))
	}
	if !strings.HasPrefix(r.Failure(), check+": ") {
		t.Errorf("Failure() = %q, want it to start with %q", r.Failure(), check+": ")
	}
}

func dump(r *Result) string {
	var b strings.Builder
	for _, c := range r.Checks {
		b.WriteString("  " + c.String() + "\n")
	}
	return b.String()
}

// TestCorpusExpectations: every VALID case verifies offline with the
// identity, issuer and builder it names; every INVALID case is rejected on
// the check that is actually broken.
func TestCorpusExpectations(t *testing.T) {
	invalid := map[string]string{
		"npm-sigstore-2.3.1-upstream-invalid": CheckSignature, // payload altered upstream
		"TAMPERED-payload":                    CheckSignature, // one byte of the payload flipped
		"TAMPERED-artifact":                   CheckDigest,    // artifact with one byte flipped
	}
	seen := 0
	for _, e := range loadExpectations(t) {
		t.Run(e.ID, func(t *testing.T) {
			if want, ok := invalid[e.ID]; ok {
				seen++
				if e.valid() {
					t.Fatalf("expectations.json calls %s valid: %s", e.ID, e.ExpectedResult)
				}
				r := verifyCase(t, e, e.digest())
				wantRejected(t, r, want)
				return
			}
			if !e.valid() {
				t.Fatalf("INVALID case %s has no expected failing check in this test", e.ID)
			}
			seen++
			if e.keySigned() {
				return // the npm publish attestation: TestNPMPublishAttestationNeedsRegistryKey
			}
			r := verifyCase(t, e, e.digest())
			if !r.Verified {
				t.Fatalf("rejected (%s), want verified:\n%s", r.Failure(), dump(r))
			}
			for _, name := range []string{CheckSignature, CheckTlog, CheckCertificate, CheckIdentity, CheckIssuer, CheckDigest} {
				if !r.Check(name).Passed() {
					t.Errorf("check %s: %v, want pass", name, r.Check(name))
				}
			}
			if r.Identity != e.identity() || r.Issuer != e.Issuer {
				t.Errorf("signer %q / %q, want %q / %q", r.Identity, r.Issuer, e.identity(), e.Issuer)
			}
			if want := canonicalDigest(t, e.digest()); r.Digest != want {
				t.Errorf("digest %q, want %q", r.Digest, want)
			}
			if r.SignedAt.IsZero() {
				t.Error("no signing time")
			}
			if e.BuilderID != "" {
				if r.Builder != e.BuilderID || !r.Check(CheckBuilder).Passed() {
					t.Errorf("builder %q (%v), want %q passed", r.Builder, r.Check(CheckBuilder), e.BuilderID)
				}
			}
			if e.SourceRepository != "" && (!sameRepo(r.SourceURI, e.SourceRepository) || !r.Check(CheckSource).Passed()) {
				t.Errorf("source %q (%v), want %q passed", r.SourceURI, r.Check(CheckSource), e.SourceRepository)
			}
			if e.SourceDigest != "" && !strings.HasSuffix(r.SourceDigest, ":"+e.SourceDigest) {
				t.Errorf("source digest %q, want the commit %s", r.SourceDigest, e.SourceDigest)
			}
			if e.SourceRef != "" && (r.SourceRef != e.SourceRef || !r.Check(CheckRef).Passed()) {
				t.Errorf("ref %q (%v), want %q passed", r.SourceRef, r.Check(CheckRef), e.SourceRef)
			}
		})
	}
	if seen != 11 {
		t.Errorf("checked %d cases, want 11", seen)
	}
}

func canonicalDigest(t *testing.T, s string) string {
	alg, sum, err := ParseDigest(s)
	if err != nil {
		t.Fatal(err)
	}
	return alg + ":" + hex.EncodeToString(sum)
}

// TestCorpusWrongExpectations: against each valid keyless case, each wrong
// expectation is rejected on its own check, and only on it.
func TestCorpusWrongExpectations(t *testing.T) {
	for _, e := range loadExpectations(t) {
		if !e.valid() || e.keySigned() {
			continue
		}
		type variant struct {
			name  string
			check string
			opt   Option
			e     expectation
		}
		wrongDigest := flipDigest(t, e.digest())
		vs := []variant{
			{"identity", CheckIdentity, nil, with(e, func(x *expectation) {
				x.Identity = "https://github.com/evil/fork/.github/workflows/release.yml@refs/heads/main"
			})},
			{"identity-regexp", CheckIdentity, WithIdentityRegexp(`^https://github\.com/evil/`), with(e, func(x *expectation) { x.Identity = "" })},
			{"issuer", CheckIssuer, nil, with(e, func(x *expectation) { x.Issuer = "https://accounts.google.com" })},
			{"digest", CheckDigest, nil, with(e, func(x *expectation) { x.ArtifactDigest = wrongDigest })},
		}
		if e.BuilderID != "" {
			vs = append(vs, variant{"builder", CheckBuilder, nil, with(e, func(x *expectation) {
				x.BuilderID = "https://github.com/evil/builder/.github/workflows/build.yml@refs/tags/v1.0.0"
			})})
		}
		if e.SourceRepository != "" {
			vs = append(vs, variant{"source", CheckSource, nil, with(e, func(x *expectation) { x.SourceRepository = "https://github.com/evil/fork" })})
		}
		if e.BuilderID != "" { // every SLSA case names a ref in its provenance
			vs = append(vs, variant{"ref", CheckRef, nil, with(e, func(x *expectation) { x.SourceRef = "refs/heads/evil" })})
		}
		for _, v := range vs {
			t.Run(e.ID+"/wrong-"+v.name, func(t *testing.T) {
				var extra []Option
				if v.opt != nil {
					extra = append(extra, v.opt, WithIssuer(v.e.Issuer))
				}
				r := verifyCase(t, v.e, v.e.digest(), extra...)
				wantRejected(t, r, v.check)
				for _, c := range r.Checks {
					if c.Failed() && c.Name != v.check {
						t.Errorf("check %s also failed: %s", c.Name, c.Detail)
					}
				}
				if v.check != CheckDigest && !r.Check(CheckDigest).Passed() {
					t.Errorf("digest check %v, want pass", r.Check(CheckDigest))
				}
			})
		}
	}
}

func with(e expectation, f func(*expectation)) expectation {
	f(&e)
	return e
}

// flipDigest changes the last byte of a digest, keeping its algorithm.
func flipDigest(t *testing.T, s string) string {
	alg, sum, err := ParseDigest(s)
	if err != nil {
		t.Fatal(err)
	}
	sum[len(sum)-1] ^= 0x01
	return alg + ":" + hex.EncodeToString(sum)
}

// TestCorpusDigestForms: the npm cases verify by every form of the
// tarball's digest the corpus records (hex, base64 as in Lambda's
// CodeSha256, npm's sha512-… integrity), and a digest in an algorithm the
// statement does not use is rejected on the digest check, not passed.
func TestCorpusDigestForms(t *testing.T) {
	for _, e := range loadExpectations(t) {
		if !e.valid() || e.NPMIntegrity == "" || e.keySigned() {
			continue
		}
		t.Run(e.ID, func(t *testing.T) {
			for _, d := range []string{
				"sha512:" + e.ArtifactDigests["sha512"],
				"sha512:" + e.ArtifactDigests["sha512_base64"],
				e.NPMIntegrity,
			} {
				if r := verifyCase(t, e, d); !r.Verified {
					t.Errorf("%s: rejected: %s", d, r.Failure())
				}
			}
			// The npm statements list sha512 only: the tarball's true
			// sha256 cannot be compared, so it must not verify.
			for _, d := range []string{"sha256:" + e.ArtifactDigests["sha256"], "sha256:" + e.ArtifactDigests["sha256_base64"]} {
				r := verifyCase(t, e, d)
				wantRejected(t, r, CheckDigest)
			}
		})
	}
}

// TestCorpusSLSAVerifierSourceForm: slsa-verifier's "github.com/o/r" form
// of --source-uri and a short branch name select the same source.
func TestCorpusSLSAVerifierSourceForm(t *testing.T) {
	for _, e := range loadExpectations(t) {
		if e.SourceURIForSLSA == "" {
			continue
		}
		r := verifyCase(t, e, e.digest(), WithSourceURI(e.SourceURIForSLSA), WithSourceRef("main"),
			WithBuilderIDs("https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml"))
		if !r.Verified {
			t.Fatalf("%s: rejected: %s\n%s", e.ID, r.Failure(), dump(r))
		}
		if r.SourceURI != "https://github.com/slsa-framework/example-package" || r.SourceRef != "refs/heads/main" ||
			r.BuildType != "https://github.com/slsa-framework/slsa-github-generator/go@v1" {
			t.Errorf("source %q ref %q build type %q", r.SourceURI, r.SourceRef, r.BuildType)
		}
		return
	}
	t.Fatal("no case with source_uri_for_slsa_verifier")
}

// TestNPMPublishAttestationNeedsRegistryKey: the npm publish attestation is
// signed with the npm registry's key, not a certificate. Without that key
// it is rejected on the signature; with the registry key (keyid
// SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA, see testdata/README.md)
// it verifies, its Rekor entry included.
func TestNPMPublishAttestationNeedsRegistryKey(t *testing.T) {
	var e expectation
	for _, x := range loadExpectations(t) {
		if x.ID == "npm-sigstore-1.3.0-publish" {
			e = x
		}
	}
	if e.ID == "" {
		t.Fatal("case npm-sigstore-1.3.0-publish missing")
	}
	a := mustArtifact(t, e.digest())
	path := filepath.Join(corpusDir, e.Bundle)

	r, err := Verify(context.Background(), a, path,
		WithIdentity("https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main"),
		WithIssuer("https://token.actions.githubusercontent.com"))
	if err != nil {
		t.Fatal(err)
	}
	wantRejected(t, r, CheckSignature)
	if !strings.Contains(r.Failure(), "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA") {
		t.Errorf("failure %q does not name the unknown key", r.Failure())
	}

	r, err = Verify(context.Background(), a, path, WithKey("testdata/npm-registry-publish-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Verified {
		t.Fatalf("rejected with the registry key: %s\n%s", r.Failure(), dump(r))
	}
	if !r.Check(CheckTlog).Passed() || r.Check(CheckCertificate).Status != Skip || r.PredicateType != "https://github.com/npm/attestation/tree/main/specs/publish/v0.1" {
		t.Errorf("unexpected report:\n%s", dump(r))
	}

	// Another key must not verify it.
	r, err = Verify(context.Background(), a, path, WithKey(writeOtherKey(t)))
	if err != nil {
		t.Fatal(err)
	}
	wantRejected(t, r, CheckSignature)
}

// TestPrivateInstanceNeedsItsRoot: the scaffolding (private instance)
// bundle verifies against its own trusted root only.
func TestPrivateInstanceNeedsItsRoot(t *testing.T) {
	for _, e := range loadExpectations(t) {
		if e.ID != "othername-private-instance" {
			continue
		}
		e.TrustedRoot = "" // the embedded public-good root
		r := verifyCase(t, e, e.digest())
		wantRejected(t, r, CheckTlog)
		if r.Check(CheckCertificate).Passed() {
			t.Errorf("certificate of a private CA passed against the public-good root: %v", r.Check(CheckCertificate))
		}
		return
	}
	t.Fatal("case othername-private-instance missing")
}

// TestEmbeddedRootCoversCorpusPublicGood: the embedded default holds every
// Rekor log and Fulcio CA of the public-good root the corpus cases name
// (today it is that file byte for byte; a refresh may add keys, never drop
// these), and those cases verify with the default.
func TestEmbeddedRootCoversCorpusPublicGood(t *testing.T) {
	corpus, err := root.NewTrustedRootFromPath(filepath.Join(corpusDir, "trusted-roots/sigstore-public-good.trusted_root.json"))
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := DefaultTrustedRoot()
	if err != nil {
		t.Fatal(err)
	}
	for id, log := range corpus.RekorLogs() {
		got, ok := embedded.RekorLogs()[id]
		if !ok || got.BaseURL != log.BaseURL {
			t.Errorf("embedded root lacks Rekor log %s (%s)", id, log.BaseURL)
		}
	}
	roots := map[string]bool{}
	for _, ca := range embedded.FulcioCertificateAuthorities() {
		if f, ok := ca.(*root.FulcioCertificateAuthority); ok {
			roots[string(f.Root.Raw)] = true
		}
	}
	for _, ca := range corpus.FulcioCertificateAuthorities() {
		if f, ok := ca.(*root.FulcioCertificateAuthority); !ok || !roots[string(f.Root.Raw)] {
			t.Errorf("embedded root lacks Fulcio CA %v", ca)
		}
	}
	for _, e := range loadExpectations(t) {
		if !e.valid() || e.TrustedRoot != "trusted-roots/sigstore-public-good.trusted_root.json" {
			continue
		}
		e.TrustedRoot = ""
		if r := verifyCase(t, e, e.digest()); !r.Verified {
			t.Errorf("%s with the embedded root: %s", e.ID, r.Failure())
		}
	}
}

// TestAgreesWithSigstoreGoVerifier cross-checks the composed checks with
// sigstore-go's own Verifier (tlog, observer timestamp, SCT, identity and
// artifact digest in one call) on every keyless case: same verdict.
func TestAgreesWithSigstoreGoVerifier(t *testing.T) {
	for _, e := range loadExpectations(t) {
		if e.keySigned() {
			continue
		}
		t.Run(e.ID, func(t *testing.T) {
			rootPath := filepath.Join(corpusDir, e.TrustedRoot)
			tr, err := root.NewTrustedRootFromPath(rootPath)
			if err != nil {
				t.Fatal(err)
			}
			pf, err := parseProvenance(mustRead(t, filepath.Join(corpusDir, e.Bundle)))
			if err != nil {
				t.Fatal(err)
			}
			alg, sum, err := ParseDigest(e.digest())
			if err != nil {
				t.Fatal(err)
			}
			id, err := verify.NewShortCertificateIdentity(e.Issuer, "", e.identity(), "")
			if err != nil {
				t.Fatal(err)
			}
			v, err := verify.NewVerifier(tr, verify.WithTransparencyLog(1), verify.WithObserverTimestamps(1), verify.WithSignedCertificateTimestamps(1))
			if err != nil {
				t.Fatal(err)
			}
			theirs := false
			for _, en := range pf.entries {
				_, err := v.Verify(en.bundle, verify.NewPolicy(verify.WithArtifactDigest(alg, sum), verify.WithCertificateIdentity(id)))
				theirs = theirs || err == nil
			}
			ours := verifyCase(t, e, e.digest()).Verified
			if ours != theirs || ours != e.valid() {
				t.Errorf("fnaudit verified=%v, sigstore-go verified=%v, expectations say %s", ours, theirs, e.ExpectedResult)
			}
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
