// Package cosigntest drives the real cosign CLI (v2.6.5, built by `make
// tools` into bin/cosign from tools/cosign/go.mod) from tests, strictly
// offline, to produce key-signed Sigstore bundles and DSSE envelopes that
// fnaudit must verify.
//
// cosign is found at $FNAUDIT_COSIGN or bin/cosign under the repository
// root. When it is missing the test fails if $CI is set and is skipped with
// a message otherwise.
package cosigntest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Binary returns the path of the cosign CLI, or ends the test.
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("FNAUDIT_COSIGN"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("FNAUDIT_COSIGN=%s: %v", p, err)
		}
		return p
	}
	where := "bin/cosign (repository root not found)"
	if root, err := repoRoot(); err == nil {
		p := filepath.Join(root, "bin", "cosign")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		where = p
	}
	msg := fmt.Sprintf("cosign CLI not found at %s or $FNAUDIT_COSIGN: run `make tools`", where)
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg + " (skipped outside CI)")
	return ""
}

// repoRoot walks up from the working directory to fnaudit's go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(data, []byte("module github.com/fnaudit/fnaudit\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// Cosign runs the CLI in a private directory with an environment that
// cannot reach the network: no inherited COSIGN_/SIGSTORE_ settings, a
// private HOME and TUF cache, and every proxy pointed at a closed loopback
// port, so a fetch (TUF, Rekor, Fulcio) fails the command instead of
// leaving the machine.
type Cosign struct {
	Bin string
	Dir string
	env []string
}

// New prepares cosign in a fresh temporary directory.
func New(t testing.TB) *Cosign {
	t.Helper()
	c := &Cosign{Bin: Binary(t), Dir: t.TempDir()}
	home := filepath.Join(c.Dir, "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	deadProxy := "http://127.0.0.1:9"
	c.env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"TMPDIR=" + c.Dir,
		"XDG_CONFIG_HOME=" + home,
		"XDG_CACHE_HOME=" + home,
		"TUF_ROOT=" + c.tufRoot(),
		"SIGSTORE_NO_CACHE=true",
		"COSIGN_PASSWORD=",
		"HTTP_PROXY=" + deadProxy, "HTTPS_PROXY=" + deadProxy,
		"http_proxy=" + deadProxy, "https_proxy=" + deadProxy,
		"NO_PROXY=", "no_proxy=",
	}
	return c
}

func (c *Cosign) tufRoot() string { return filepath.Join(c.Dir, "tuf") }

// Run runs cosign with args in c.Dir; a failure ends the test.
func (c *Cosign) Run(t testing.TB, args ...string) string {
	t.Helper()
	out, err := c.RunErr(args...)
	if err != nil {
		t.Fatalf("cosign %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	c.AssertOffline(t)
	return out
}

// RunErr runs cosign and returns its combined output and error.
func (c *Cosign) RunErr(args ...string) (string, error) {
	cmd := exec.Command(c.Bin, args...)
	cmd.Dir = c.Dir
	cmd.Env = c.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// AssertOffline fails the test if cosign fetched or cached TUF metadata.
func (c *Cosign) AssertOffline(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(c.tufRoot()); err == nil {
		t.Fatalf("cosign wrote TUF metadata to %s: it tried to go online", c.tufRoot())
	}
}

// Path is a file in c.Dir.
func (c *Cosign) Path(name string) string { return filepath.Join(c.Dir, name) }

// Fixtures are what Sign produced, as paths.
type Fixtures struct {
	PublicKey    string // PREFIX.pub (PEM)
	SignBundle   string // sign-blob --new-bundle-format: message signature bundle
	AttestBundle string // attest-blob --new-bundle-format: DSSE bundle with SLSA v1
	AttestDSSE   string // attest-blob --output-signature: bare DSSE envelope
}

// Sign generates a key pair (`cosign generate-key-pair`: ECDSA P-256) and
// signs artifact with it; see SignWith.
func Sign(t testing.TB, c *Cosign, artifact string, predicate []byte) Fixtures {
	t.Helper()
	c.Run(t, "generate-key-pair")
	return SignWith(t, c, "cosign", artifact, predicate)
}

// ImportRSAKey makes a 3072-bit RSA key, imports it with `cosign
// import-key-pair` as prefix.key / prefix.pub, and returns the prefix.
func ImportRSAKey(t testing.TB, c *Cosign, prefix string) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 3072)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	in := c.Path(prefix + ".pkcs8.pem")
	if err := os.WriteFile(in, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	c.Run(t, "import-key-pair", "--key", in, "--output-key-prefix", prefix)
	return prefix
}

// SignWith signs artifact with the cosign key pair prefix.key / prefix.pub
// three ways, never uploading to a transparency log: sign-blob and
// attest-blob (--type slsaprovenance1 with predicate) as Sigstore bundles,
// and attest-blob's bare DSSE envelope (--output-signature).
func SignWith(t testing.TB, c *Cosign, prefix, artifact string, predicate []byte) Fixtures {
	t.Helper()
	pred := c.Path(prefix + ".predicate.json")
	if err := os.WriteFile(pred, predicate, 0o600); err != nil {
		t.Fatal(err)
	}
	key := prefix + ".key"
	f := Fixtures{
		PublicKey:    c.Path(prefix + ".pub"),
		SignBundle:   c.Path(prefix + ".sign.sigstore.json"),
		AttestBundle: c.Path(prefix + ".attest.sigstore.json"),
		AttestDSSE:   c.Path(prefix + ".attest.dsse.json"),
	}
	c.Run(t, "sign-blob", "--yes", "--key", key, "--tlog-upload=false",
		"--new-bundle-format", "--bundle", f.SignBundle, artifact)
	c.Run(t, "attest-blob", "--yes", "--key", key, "--tlog-upload=false",
		"--type", "slsaprovenance1", "--predicate", pred,
		"--new-bundle-format", "--bundle", f.AttestBundle, artifact)
	c.Run(t, "attest-blob", "--yes", "--key", key, "--tlog-upload=false",
		"--type", "slsaprovenance1", "--predicate", pred,
		"--output-signature", f.AttestDSSE, artifact)
	for _, p := range []string{f.PublicKey, f.SignBundle, f.AttestBundle, f.AttestDSSE} {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Fatalf("cosign did not write %s (%v)", p, err)
		}
	}
	return f
}

// SLSAPredicate is a SLSA provenance v1 predicate as a GitHub Actions
// workflow of repo at ref would record, for attest-blob --predicate.
func SLSAPredicate(repo, ref, builder string) []byte {
	return []byte(fmt.Sprintf(`{
  "buildDefinition": {
    "buildType": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
    "externalParameters": {"workflow": {"ref": %q, "repository": %q, "path": ".github/workflows/release.yml"}},
    "resolvedDependencies": [{"uri": "git+%s@%s", "digest": {"gitCommit": "0123456789abcdef0123456789abcdef01234567"}}]
  },
  "runDetails": {"builder": {"id": %q}, "metadata": {"invocationId": "%s/actions/runs/1/attempts/1"}}
}
`, ref, repo, repo, ref, builder, repo))
}
