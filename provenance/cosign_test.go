package provenance_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/provenance"
	"github.com/fnaudit/fnaudit/provenance/cosigntest"
)

const (
	cosignRepo    = "https://github.com/acme/node-app"
	cosignRef     = "refs/heads/main"
	cosignBuilder = "https://github.com/actions/runner/github-hosted"
)

// TestCosignRoundTrip: the real cosign CLI signs a corpus function zip with
// a fresh key, never touching a transparency log or the network
// (sign-blob, attest-blob --type slsaprovenance1 as bundles, attest-blob as
// a bare DSSE envelope). fnaudit verifies all three with the public key and
// --insecure-ignore-tlog, rejects them against another zip on the digest,
// without --insecure-ignore-tlog on the tlog, and with another key on the
// signature. cosign's own verify-blob agrees on the verdicts.
func TestCosignRoundTrip(t *testing.T) {
	c := cosigntest.New(t)
	zip, err := filepath.Abs("../testdata/functions/node-app.zip")
	if err != nil {
		t.Fatal(err)
	}
	other, err := filepath.Abs("../testdata/functions/node-layer.zip")
	if err != nil {
		t.Fatal(err)
	}
	pred := cosigntest.SLSAPredicate(cosignRepo, cosignRef, cosignBuilder)
	ecdsaKey := cosigntest.Sign(t, c, zip, pred)
	rsaKey := cosigntest.SignWith(t, c, cosigntest.ImportRSAKey(t, c, "rsa"), zip, pred)

	art, err := provenance.ArtifactFromFile(zip)
	if err != nil {
		t.Fatal(err)
	}
	otherArt, err := provenance.ArtifactFromFile(other)
	if err != nil {
		t.Fatal(err)
	}
	// node-app.zip's sha256 per CORPUS-MANIFEST.md §3.
	const zipSHA256 = "sha256:c4bf2dac57c762284f52df2e9bfd0ba91baa60e2d6e15df77f60c50e7f4ed746"

	slsaPolicy := []provenance.Option{
		provenance.WithBuilderIDs(cosignBuilder), provenance.WithSourceURI("github.com/acme/node-app"), provenance.WithSourceRef(cosignRef),
	}
	keys := []struct {
		name         string
		f, otherKeys cosigntest.Fixtures
	}{
		{"ECDSA generate-key-pair", ecdsaKey, rsaKey},
		{"RSA import-key-pair", rsaKey, ecdsaKey},
	}
	for _, k := range keys {
		for _, tc := range []struct {
			name   string
			bundle string
			slsa   bool
		}{
			{"sign-blob bundle", k.f.SignBundle, false},
			{"attest-blob bundle", k.f.AttestBundle, true},
			{"attest-blob DSSE envelope", k.f.AttestDSSE, true},
		} {
			t.Run(k.name+"/"+tc.name, func(t *testing.T) {
				var policy []provenance.Option
				if tc.slsa {
					policy = slsaPolicy
				}
				with := func(opts ...provenance.Option) []provenance.Option { return append(opts, policy...) }
				key := provenance.WithKey(k.f.PublicKey)

				r := verify(t, art, tc.bundle, with(key, provenance.WithInsecureIgnoreTlog())...)
				if !r.Verified {
					t.Fatalf("rejected: %s\n%s", r.Failure(), report(r))
				}
				if r.Digest != zipSHA256 {
					t.Errorf("digest %s, want %s", r.Digest, zipSHA256)
				}
				if r.Check(provenance.CheckTlog).Status != provenance.Skip || r.Check(provenance.CheckCertificate).Status != provenance.Skip {
					t.Errorf("tlog / certificate should be skipped:\n%s", report(r))
				}
				if tc.slsa {
					if r.Builder != cosignBuilder || r.SourceURI != cosignRepo || r.SourceRef != cosignRef ||
						!r.Check(provenance.CheckBuilder).Passed() || !r.Check(provenance.CheckSource).Passed() || !r.Check(provenance.CheckRef).Passed() {
						t.Errorf("SLSA policy not checked as expected:\n%s", report(r))
					}
				}

				// Same signature, another zip: the digest names the swap.
				r = verify(t, otherArt, tc.bundle, with(key, provenance.WithInsecureIgnoreTlog())...)
				wantFailure(t, r, provenance.CheckDigest)
				if !r.Check(provenance.CheckSignature).Passed() {
					t.Errorf("signature should still verify:\n%s", report(r))
				}
				// No tlog entry and no --insecure-ignore-tlog.
				wantFailure(t, verify(t, art, tc.bundle, with(key)...), provenance.CheckTlog)
				// The other key pair.
				wantFailure(t, verify(t, art, tc.bundle, with(provenance.WithKey(k.otherKeys.PublicKey), provenance.WithInsecureIgnoreTlog())...), provenance.CheckSignature)
			})
		}
	}

	f := ecdsaKey
	// The peer agrees: cosign verifies the bundles against node-app.zip and
	// refuses the sign-blob bundle for node-layer.zip.
	root, err := filepath.Abs("public-good.trusted_root.json")
	if err != nil {
		t.Fatal(err)
	}
	common := []string{"--key", f.PublicKey, "--insecure-ignore-tlog", "--new-bundle-format", "--trusted-root", root}
	c.Run(t, append(append([]string{"verify-blob", "--bundle", f.SignBundle}, common...), zip)...)
	c.Run(t, append(append([]string{"verify-blob-attestation", "--type", "slsaprovenance1", "--bundle", f.AttestBundle}, common...), zip)...)
	if out, err := c.RunErr(append(append([]string{"verify-blob", "--bundle", f.SignBundle}, common...), other)...); err == nil {
		t.Errorf("cosign verify-blob accepted the bundle for another zip:\n%s", out)
	}
	c.AssertOffline(t)
}

func verify(t *testing.T, a provenance.Artifact, bundle string, opts ...provenance.Option) *provenance.Result {
	t.Helper()
	r, err := provenance.Verify(context.Background(), a, bundle, opts...)
	if err != nil {
		t.Fatalf("could not check %s: %v", bundle, err)
	}
	return r
}

func wantFailure(t *testing.T, r *provenance.Result, check string) {
	t.Helper()
	if r.Verified {
		t.Fatalf("verified, want rejected on %s:\n%s", check, report(r))
	}
	if c := r.FailedCheck(); c == nil || c.Name != check {
		t.Fatalf("rejected on %v, want %s:\n%s", c, check, report(r))
	}
}

func report(r *provenance.Result) string {
	var b strings.Builder
	for _, c := range r.Checks {
		b.WriteString("  " + c.String() + "\n")
	}
	return b.String()
}
