package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/provenance/cosigntest"
)

const (
	verifyCorpus = "../../testdata/provenance"

	// npm sigstore@2.0.0: its provenance bundle, tarball digest and signer
	// (testdata/provenance/expectations.json).
	npm200Bundle   = verifyCorpus + "/npm-sigstore-2.0.0/sigstore-2.0.0.provenance.sigstore.json"
	npm200Digest   = "sha512:46d4e2f74c4877316640000a6fdf8a8b59f1e0847667973e9859f774dd31b8f1e0937813b777fb66a2ac67d50540fe34640966eee9fc2ccca387082b4c85cd3c"
	npm200Identity = "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main"
	ghIssuer       = "https://token.actions.githubusercontent.com"
	npm200Builder  = "https://github.com/actions/runner/github-hosted"
)

func npm200Args(extra ...string) []string {
	return append([]string{"verify", "--digest", npm200Digest, "--bundle", npm200Bundle,
		"--certificate-identity", npm200Identity, "--certificate-oidc-issuer", ghIssuer}, extra...)
}

// TestVerifyExitCodes: 0 verified, 1 rejected with the failing check named
// on stderr, 2 could not check.
func TestVerifyExitCodes(t *testing.T) {
	t.Parallel()
	tamperedDigest := "sha512:b4342f2f836333cac68d6d6fade159694a0cda03c27a799d1230f13f8e0808de53be1fe5b33d9463096dd66991ecfc7726f0ede5cc15e89f22cd0dd7c46cb8c9"
	cases := []struct {
		name    string
		args    []string
		code    int
		stderr  string // substring of stderr
		checkOK string // a "CHECK STATUS" row expected on stdout
	}{
		{"valid", npm200Args("--builder-id", npm200Builder, "--source-uri", "github.com/sigstore/sigstore-js", "--source-ref", "refs/heads/main"), 0, "", "builder      pass"},
		{"tampered payload", []string{"verify", "--digest", npm200Digest, "--bundle", verifyCorpus + "/tampered/sigstore-2.0.0.provenance.TAMPERED-payload.sigstore.json",
			"--certificate-identity", npm200Identity, "--certificate-oidc-issuer", ghIssuer}, 1, "provenance rejected: signature: ", "signature    fail"},
		{"tampered artifact", []string{"verify", "--digest", tamperedDigest, "--bundle", npm200Bundle,
			"--certificate-identity", npm200Identity, "--certificate-oidc-issuer", ghIssuer}, 1, "provenance rejected: digest: ", "digest       fail"},
		{"wrong identity", []string{"verify", "--digest", npm200Digest, "--bundle", npm200Bundle,
			"--certificate-identity", "https://github.com/evil/fork/.github/workflows/release.yml@refs/heads/main", "--certificate-oidc-issuer", ghIssuer}, 1, "provenance rejected: identity: ", "identity     fail"},
		{"wrong issuer", []string{"verify", "--digest", npm200Digest, "--bundle", npm200Bundle,
			"--certificate-identity", npm200Identity, "--certificate-oidc-issuer", "https://accounts.google.com"}, 1, "provenance rejected: issuer: ", "issuer       fail"},
		{"wrong builder", npm200Args("--builder-id", "https://github.com/evil/builder@v1"), 1, "provenance rejected: builder: ", "builder      fail"},
		{"wrong source", npm200Args("--source-uri", "https://github.com/evil/fork"), 1, "provenance rejected: source: ", "source       fail"},
		{"wrong ref", npm200Args("--source-ref", "refs/tags/v9.9.9"), 1, "provenance rejected: ref: ", "ref          fail"},
		{"private root, public-good bundle", npm200Args("--trusted-root", verifyCorpus+"/trusted-roots/sigstore-scaffolding.trusted_root.json"), 1, "provenance rejected: tlog: ", "certificate  fail"},

		{"missing bundle", []string{"verify", "--digest", npm200Digest, "--bundle", "/nonexistent/bundle.json", "--certificate-identity", npm200Identity, "--certificate-oidc-issuer", ghIssuer}, 2, "/nonexistent/bundle.json", ""},
		{"not a bundle", []string{"verify", "--digest", npm200Digest, "--bundle", functionsDir + "/node-app.zip", "--certificate-identity", npm200Identity, "--certificate-oidc-issuer", ghIssuer}, 2, "not JSON", ""},
		{"expectations file is no bundle", []string{"verify", "--digest", npm200Digest, "--bundle", verifyCorpus + "/expectations.json", "--certificate-identity", npm200Identity, "--certificate-oidc-issuer", ghIssuer}, 2, "not a Sigstore bundle", ""},
		{"unreadable trusted root", npm200Args("--trusted-root", "/nonexistent/trusted_root.json"), 2, "trusted root", ""},
		{"bad trusted root", npm200Args("--trusted-root", functionsDir+"/node-app.zip"), 2, "trusted root", ""},
		{"no identity", []string{"verify", "--digest", npm200Digest, "--bundle", npm200Bundle}, 2, "needs a certificate identity", ""},
		{"no issuer", []string{"verify", "--digest", npm200Digest, "--bundle", npm200Bundle, "--certificate-identity", npm200Identity}, 2, "needs a certificate OIDC issuer", ""},
		{"no bundle flag", []string{"verify", "--digest", npm200Digest}, 2, "--bundle is required", ""},
		{"no artifact", []string{"verify", "--bundle", npm200Bundle}, 2, "TARGET or its digest", ""},
		{"artifact twice", []string{"verify", functionsDir + "/node-app.zip", "--digest", npm200Digest, "--bundle", npm200Bundle}, 2, "not both", ""},
		{"bad digest", []string{"verify", "--digest", "md5:d41d8cd98f00b204e9800998ecf8427e", "--bundle", npm200Bundle}, 2, "unsupported algorithm", ""},
		{"bad regexp", []string{"verify", "--digest", npm200Digest, "--bundle", npm200Bundle, "--certificate-identity-regexp", "(", "--certificate-oidc-issuer", ghIssuer}, 2, "certificate identity regexp", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errs)
			}
			if !strings.Contains(errs, tc.stderr) {
				t.Errorf("stderr %q lacks %q", errs, tc.stderr)
			}
			if tc.checkOK != "" && !strings.Contains(out, tc.checkOK) {
				t.Errorf("stdout lacks row %q:\n%s", tc.checkOK, out)
			}
			if code == 2 && out != "" {
				t.Errorf("could-not-check printed a report:\n%s", out)
			}
			if code != 0 && strings.Contains(out, "VERIFIED") {
				t.Errorf("non-zero exit with a VERIFIED report:\n%s", out)
			}
			if code != 2 {
				// Every check has its own line.
				for _, name := range []string{"signature", "tlog", "certificate", "identity", "issuer", "digest", "provenance", "builder", "source", "ref", "build-type"} {
					if !strings.Contains(out, "\n"+name+" ") {
						t.Errorf("no %s line:\n%s", name, out)
					}
				}
			}
		})
	}
}

// TestVerifyJSON: -o json carries every check and the verified builder,
// source, ref and digest; --output writes it to a file.
func TestVerifyJSON(t *testing.T) {
	t.Parallel()
	dest := filepath.Join(t.TempDir(), "provenance.json")
	code, out, errs := runCLI(t, append(npm200Args("--builder-id", npm200Builder), "-o", "json", "--output", dest)...)
	if code != 0 || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, out, errs)
	}
	data, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Verified bool `json:"verified"`
		Checks   []struct {
			Name, Status, Detail string
		} `json:"checks"`
		Digest, Identity, Issuer, Builder, BuildType, SourceURI, SourceRef, SourceDigest, PredicateType, SignedAt string
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	want := map[string]string{
		"Digest": npm200Digest, "Identity": npm200Identity, "Issuer": ghIssuer, "Builder": npm200Builder,
		"BuildType": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
		"SourceURI": "https://github.com/sigstore/sigstore-js", "SourceRef": "refs/heads/main",
		"SourceDigest": "gitCommit:f0b49a04e5a62250e0f60fb128004a73110fe311", "PredicateType": "https://slsa.dev/provenance/v1",
		"SignedAt": "2023-08-18T16:05:35Z",
	}
	have := map[string]string{
		"Digest": got.Digest, "Identity": got.Identity, "Issuer": got.Issuer, "Builder": got.Builder, "BuildType": got.BuildType,
		"SourceURI": got.SourceURI, "SourceRef": got.SourceRef, "SourceDigest": got.SourceDigest, "PredicateType": got.PredicateType,
		"SignedAt": got.SignedAt,
	}
	for k, v := range want {
		if have[k] != v {
			t.Errorf("%s = %q, want %q", k, have[k], v)
		}
	}
	if !got.Verified || len(got.Checks) != 11 {
		t.Fatalf("verified=%v, %d checks:\n%s", got.Verified, len(got.Checks), data)
	}
	status := map[string]string{}
	for _, c := range got.Checks {
		status[c.Name] = c.Status
	}
	for name, st := range map[string]string{"signature": "pass", "tlog": "pass", "certificate": "pass", "identity": "pass", "issuer": "pass",
		"digest": "pass", "provenance": "pass", "builder": "pass", "source": "skip", "ref": "skip", "build-type": "skip"} {
		if status[name] != st {
			t.Errorf("check %s: %q, want %q", name, status[name], st)
		}
	}
}

// TestVerifyCosignRoundTrip: the real cosign CLI signs node-app.zip with a
// fresh key (no tlog, no network); `fnaudit verify` accepts the sign-blob
// and attest-blob bundles for that zip with --key and
// --insecure-ignore-tlog, also by Lambda's base64 CodeSha256, and rejects
// them for another zip on the digest (exit 1).
func TestVerifyCosignRoundTrip(t *testing.T) {
	t.Parallel()
	c := cosigntest.New(t)
	zip, err := filepath.Abs(functionsDir + "/node-app.zip")
	if err != nil {
		t.Fatal(err)
	}
	other, err := filepath.Abs(functionsDir + "/node-layer.zip")
	if err != nil {
		t.Fatal(err)
	}
	const repo, ref = "https://github.com/acme/node-app", "refs/heads/main"
	f := cosigntest.Sign(t, c, zip, cosigntest.SLSAPredicate(repo, ref, npm200Builder))
	// node-app.zip's SHA-256 as Lambda reports it (GetFunction CodeSha256).
	const codeSha256 = "sha256:xL8trFfHYihPUt8um/0LqRuqYOLW4V33f2DFDn9O10Y="

	for _, b := range []struct {
		name, path string
		slsa       bool
	}{{"sign-blob", f.SignBundle, false}, {"attest-blob", f.AttestBundle, true}, {"attest-blob DSSE", f.AttestDSSE, true}} {
		t.Run(b.name, func(t *testing.T) {
			common := []string{"--bundle", b.path, "--key", f.PublicKey, "--insecure-ignore-tlog"}
			if b.slsa {
				common = append(common, "--builder-id", npm200Builder, "--source-uri", repo, "--source-ref", ref)
			}
			if code, out, errs := runCLI(t, append([]string{"verify", zip}, common...)...); code != 0 {
				t.Fatalf("exit %d\n%s%s", code, out, errs)
			} else if !strings.Contains(out, "VERIFIED") || !strings.Contains(out, "sha256:c4bf2dac57c762284f52df2e9bfd0ba91baa60e2d6e15df77f60c50e7f4ed746") {
				t.Errorf("report:\n%s", out)
			}
			if code, out, errs := runCLI(t, append([]string{"verify", "--digest", codeSha256}, common...)...); code != 0 {
				t.Fatalf("by CodeSha256: exit %d\n%s%s", code, out, errs)
			}
			code, out, errs := runCLI(t, append([]string{"verify", other}, common...)...)
			if code != 1 || !strings.Contains(errs, "provenance rejected: digest: ") {
				t.Fatalf("other zip: exit %d, stderr %q\n%s", code, errs, out)
			}
			code, _, errs = runCLI(t, append([]string{"verify", zip}, common[:4]...)...)
			if code != 1 || !strings.Contains(errs, "provenance rejected: tlog: ") {
				t.Fatalf("without --insecure-ignore-tlog: exit %d, stderr %q", code, errs)
			}
		})
	}
}
