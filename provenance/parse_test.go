package provenance

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
)

func TestParseDigest(t *testing.T) {
	hex256 := "c4bf2dac57c762284f52df2e9bfd0ba91baa60e2d6e15df77f60c50e7f4ed746"
	b64 := "xL8trFfHYihPUt8um/0LqRuqYOLW4V33f2DFDn9O10Y=" // the same digest, as Lambda's CodeSha256
	for _, s := range []string{"sha256:" + hex256, "SHA256:" + strings.ToUpper(hex256), "sha256:" + b64, "sha256-" + b64, "sha256:" + strings.TrimRight(b64, "=")} {
		alg, sum, err := ParseDigest(s)
		if err != nil || alg != "sha256" || hex.EncodeToString(sum) != hex256 {
			t.Errorf("ParseDigest(%q) = %s %x %v", s, alg, sum, err)
		}
	}
	for _, s := range []string{"", hex256, "sha256:", "md5:d41d8cd98f00b204e9800998ecf8427e", "sha256:" + hex256[:62], "sha512:" + hex256, "sha256:not-a-digest"} {
		if _, _, err := ParseDigest(s); err == nil {
			t.Errorf("ParseDigest(%q) accepted", s)
		}
	}
}

func TestSourceMatching(t *testing.T) {
	for in, want := range map[string][2]string{
		"git+https://github.com/sigstore/sigstore-js@refs/heads/main": {"https://github.com/sigstore/sigstore-js", "refs/heads/main"},
		"git+https://user@example.com/o/r.git@refs/tags/v1.0.0":       {"https://user@example.com/o/r.git", "refs/tags/v1.0.0"},
		"git+https://github.com/o/r":                                  {"https://github.com/o/r", ""},
		"github.com":                                                  {"github.com", ""},
	} {
		if u, r := splitGitURI(in); u != want[0] || r != want[1] {
			t.Errorf("splitGitURI(%q) = %q %q, want %q %q", in, u, r, want[0], want[1])
		}
	}
	same := [][2]string{
		{"https://github.com/slsa-framework/example-package", "github.com/slsa-framework/example-package"},
		{"git+https://github.com/o/r.git", "https://github.com/O/R/"},
		{"https://user@example.com/o/r", "example.com/o/r"},
	}
	for _, p := range same {
		if !sameRepo(p[0], p[1]) {
			t.Errorf("%q and %q should be the same repository", p[0], p[1])
		}
	}
	for _, p := range [][2]string{{"github.com/o/r", "github.com/o/r2"}, {"github.com/o/r", "gitlab.com/o/r"}, {"github.com/o/r", ""}, {"github.com/o/r", "github.com/o/r/sub"}} {
		if sameRepo(p[0], p[1]) {
			t.Errorf("%q and %q should differ", p[0], p[1])
		}
	}
	for _, c := range []struct {
		want, got string
		ok        bool
	}{
		{"refs/heads/main", "refs/heads/main", true},
		{"main", "refs/heads/main", true},
		{"v1.0.0", "refs/tags/v1.0.0", true},
		{"refs/heads/main", "refs/heads/maio", false},
		{"main", "refs/heads/main-evil", false},
		{"refs/heads/main", "main", false},
	} {
		if refMatches(c.want, c.got) != c.ok {
			t.Errorf("refMatches(%q, %q) != %v", c.want, c.got, c.ok)
		}
	}
	gen := "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml"
	for _, c := range []struct {
		allow []string
		got   string
		ok    bool
	}{
		{[]string{gen + "@refs/tags/v2.1.0"}, gen + "@refs/tags/v2.1.0", true},
		{[]string{gen}, gen + "@refs/tags/v2.1.0", true},
		{[]string{gen + "@refs/tags/v2.0.0"}, gen + "@refs/tags/v2.1.0", false},
		{[]string{"https://github.com/actions/runner"}, "https://github.com/actions/runner/github-hosted", false},
		{[]string{"x", "https://github.com/actions/runner/github-hosted"}, "https://github.com/actions/runner/github-hosted", true},
	} {
		if builderAllowed(c.allow, c.got) != c.ok {
			t.Errorf("builderAllowed(%v, %q) != %v", c.allow, c.got, c.ok)
		}
	}
}

func TestOptionConflicts(t *testing.T) {
	a := mustArtifact(t, "sha256:"+strings.Repeat("00", 32))
	bundle := filepath.Join(corpusDir, "othername-private-instance/othername.sigstore.json")
	for name, opts := range map[string][]Option{
		"key and identity":        {WithKey("k.pem"), WithIdentity("x"), WithIssuer("y")},
		"identity twice":          {WithIdentity("x"), WithIdentityRegexp("x"), WithIssuer("y")},
		"issuer twice":            {WithIdentity("x"), WithIssuer("y"), WithIssuerRegexp("y")},
		"no issuer":               {WithIdentity("x")},
		"empty regexp":            {WithIdentityRegexp(""), WithIssuer("y")},
		"bad regexp":              {WithIdentityRegexp("("), WithIssuer("y")},
		"empty builder":           {WithIdentity("x"), WithIssuer("y"), WithBuilderIDs("")},
		"missing key file":        {WithKey("/nonexistent/key.pem")},
		"key is not a key":        {WithKey(filepath.Join(corpusDir, "expectations.json"))},
		"trusted root not a root": {WithTrustedRoot(filepath.Join(corpusDir, "expectations.json")), WithIdentity("x"), WithIssuer("y")},
	} {
		if _, err := Verify(context.Background(), a, bundle, opts...); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := Verify(context.Background(), Artifact{Name: "none"}, bundle, WithIdentity("x"), WithIssuer("y")); err == nil {
		t.Error("no artifact digest: no error")
	}
	if _, err := Verify(context.Background(), Artifact{Name: "short", Digests: map[string][]byte{"sha256": {1, 2}}}, bundle, WithIdentity("x"), WithIssuer("y")); err == nil {
		t.Error("truncated artifact digest: no error")
	}
}

// TestInputForms: the parser recognises each real form, refuses what is
// not provenance with a message saying so, and, for files with several
// entries, reports the entry that verifies.
func TestInputForms(t *testing.T) {
	for _, c := range []struct {
		file, format string
		entries      int
	}{
		{"npm-sigstore-1.3.0/sigstore-1.3.0.provenance.sigstore.json", "sigstore bundle", 1},
		{"slsa-go-builder/binary-linux-amd64-workflow_dispatch.intoto.jsonl", "sigstore bundle", 1}, // one line: a plain bundle
		{"npm-sigstore-2.3.1/sigstore-2.3.1.attestations.json", formatNPM, 1},                       // only the SLSA entry counts
	} {
		pf, err := parseProvenance(mustRead(t, filepath.Join(corpusDir, c.file)))
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if pf.format != c.format || len(pf.entries) != c.entries {
			t.Errorf("%s: %s with %d entries, want %s with %d", c.file, pf.format, len(pf.entries), c.format, c.entries)
		}
	}
	for in, want := range map[string]string{
		"":                        "empty",
		"[1,2]":                   "not a JSON object",
		`{"a":1}`:                 "not a Sigstore bundle",
		`{"base64Signature":"x"}`: "legacy bundle format",
		"{\"a\":1}\nnot json":     "line 1: not a Sigstore bundle",
		`{"payloadType":"t","payload":"e30=","signatures":[{"sig":"AA=="}]}` + "\nnot json": "line 2: not JSON",
		`{"attestations":[]}`: "no attestations",
		`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[]}`: "no signatures",
	} {
		_, err := parseProvenance([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseProvenance(%q) = %v, want an error containing %q", in, err, want)
		}
	}
	big := bytes.Repeat([]byte(" "), maxProvenanceFile+1)
	if _, err := parseProvenance(big); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("oversized file: %v", err)
	}
}

// TestJSONLinesPicksTheVerifyingEntry: an .intoto.jsonl holding the
// slsa-go-builder bundle after the sigstore@2.0.0 one (a bundle for another
// artifact) reports line 2, verified; against a digest neither vouches for
// it reports the entry that got furthest, rejected on the digest.
func TestJSONLinesPicksTheVerifyingEntry(t *testing.T) {
	first := bytes.TrimSpace(mustRead(t, filepath.Join(corpusDir, "npm-sigstore-2.0.0/sigstore-2.0.0.provenance.sigstore.json")))
	second := bytes.TrimSpace(mustRead(t, filepath.Join(corpusDir, "slsa-go-builder/binary-linux-amd64-workflow_dispatch.intoto.jsonl")))
	var compact bytes.Buffer
	if err := json.Compact(&compact, first); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "multi.intoto.jsonl")
	if err := os.WriteFile(path, append(append(compact.Bytes(), '\n'), append(second, '\n')...), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := []Option{WithIdentityRegexp(`^https://github\.com/(sigstore/sigstore-js|slsa-framework/slsa-github-generator)/`), WithIssuer("https://token.actions.githubusercontent.com")}
	r, err := Verify(context.Background(), mustArtifact(t, "sha256:f6ab7ad0c7549b5a4942c3b0690519d791c28c4c0f8b286208cb40da3322a066"), path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Verified || r.Entry != 2 || r.Entries != 2 || !strings.HasPrefix(r.Format, formatJSONL) {
		t.Fatalf("verified=%v entry %d/%d format %q: %s", r.Verified, r.Entry, r.Entries, r.Format, r.Failure())
	}
	r, err = Verify(context.Background(), mustArtifact(t, "sha256:"+strings.Repeat("11", 32)), path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	wantRejected(t, r, CheckDigest)
}

// TestDSSEEnvelopeSignatures: a bare DSSE envelope needs --key; with
// several signatures, the one made by the key is found.
func TestDSSEEnvelopeSignatures(t *testing.T) {
	data := mustRead(t, "../testdata/functions/java-app.zip")
	art, err := ArtifactFromFile("../testdata/functions/java-app.zip")
	if err != nil {
		t.Fatal(err)
	}
	statement := provenanceFor(data)
	var envs []map[string]any
	dir := t.TempDir()
	var keyPath string
	for i := 0; i < 2; i++ {
		priv := newKey(t, protocommon.PublicKeyDetails_PKIX_ECDSA_P256_SHA_256)
		pb := dsseBundle(t, priv, protocommon.PublicKeyDetails_PKIX_ECDSA_P256_SHA_256, statement)
		env := pb.GetDsseEnvelope()
		envs = append(envs, map[string]any{"keyid": "key-" + string(rune('a'+i)), "sig": base64.StdEncoding.EncodeToString(env.Signatures[0].Sig)})
		if i == 1 {
			keyPath = writePub(t, dir, priv.Public())
		}
	}
	doc, _ := json.Marshal(map[string]any{"payloadType": intotoPayloadType, "payload": base64.StdEncoding.EncodeToString(statement), "signatures": envs})
	path := filepath.Join(dir, "two.dsse.json")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Verify(context.Background(), art, path, WithKey(keyPath), WithInsecureIgnoreTlog())
	if err != nil {
		t.Fatal(err)
	}
	if !r.Verified || r.Entry != 2 || r.KeyHint != "key-b" {
		t.Fatalf("verified=%v entry %d hint %q: %s\n%s", r.Verified, r.Entry, r.KeyHint, r.Failure(), dump(r))
	}
	if _, err := Verify(context.Background(), art, path, WithIdentity("x"), WithIssuer("y")); err != nil {
		t.Fatal(err)
	}
	r, _ = Verify(context.Background(), art, path, WithIdentity("x"), WithIssuer("y"))
	wantRejected(t, r, CheckSignature)
}
