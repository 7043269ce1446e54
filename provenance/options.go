package provenance

import (
	"crypto"
	"errors"
	"fmt"
	"regexp"

	"github.com/sigstore/sigstore-go/pkg/root"
)

// Option configures Verify: key material, trust root and the policy the
// bundle must satisfy. Options follow sigstore-go's functional-option style;
// an option that cannot be applied (unreadable key, bad regexp) makes Verify
// return an error, never a silent pass.
type Option func(*config) error

type config struct {
	keyPath   string
	publicKey crypto.PublicKey

	trustedRootPath string
	trustedMaterial root.TrustedMaterial

	identity       string
	identityRegexp *regexp.Regexp
	issuer         string
	issuerRegexp   *regexp.Regexp

	builderIDs []string
	sourceURI  string
	sourceRef  string
	buildType  string

	ignoreTlog bool

	// workflow holds the GitHub workflow certificate extensions required,
	// by field (trigger, sha, name, repository, ref).
	workflow map[string]string
}

// WithKey verifies against the PEM public key (ECDSA, Ed25519 or RSA) in
// file path instead of a Fulcio certificate ("cosign --key").
func WithKey(path string) Option {
	return func(c *config) error {
		if path == "" {
			return errors.New("empty key path")
		}
		c.keyPath = path
		return nil
	}
}

// WithPublicKey is WithKey for a key already in memory.
func WithPublicKey(pub crypto.PublicKey) Option {
	return func(c *config) error {
		if pub == nil {
			return errors.New("nil public key")
		}
		c.publicKey = pub
		return nil
	}
}

// WithTrustedRoot replaces the embedded public-good Sigstore trusted root
// with the trusted_root.json in file path (a private Sigstore instance).
func WithTrustedRoot(path string) Option {
	return func(c *config) error {
		if path == "" {
			return errors.New("empty trusted root path")
		}
		c.trustedRootPath = path
		return nil
	}
}

// WithTrustedMaterial replaces the trusted root with material already in
// memory (another sigstore-go root.TrustedMaterial).
func WithTrustedMaterial(tm root.TrustedMaterial) Option {
	return func(c *config) error {
		if tm == nil {
			return errors.New("nil trusted material")
		}
		c.trustedMaterial = tm
		return nil
	}
}

// WithIdentity requires the certificate's subject alternative name to equal
// san ("cosign --certificate-identity").
func WithIdentity(san string) Option {
	return func(c *config) error {
		c.identity = san
		return nil
	}
}

// WithIdentityRegexp requires the certificate's subject alternative name to
// match the regular expression expr ("--certificate-identity-regexp").
func WithIdentityRegexp(expr string) Option {
	return func(c *config) error {
		if expr == "" {
			return errors.New("empty certificate identity regexp")
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return fmt.Errorf("certificate identity regexp %q: %w", expr, err)
		}
		c.identityRegexp = re
		return nil
	}
}

// WithIssuer requires the certificate's OIDC issuer extension to equal
// issuer ("--certificate-oidc-issuer").
func WithIssuer(issuer string) Option {
	return func(c *config) error {
		c.issuer = issuer
		return nil
	}
}

// WithIssuerRegexp requires the OIDC issuer to match the regular expression
// expr ("--certificate-oidc-issuer-regexp").
func WithIssuerRegexp(expr string) Option {
	return func(c *config) error {
		if expr == "" {
			return errors.New("empty certificate OIDC issuer regexp")
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return fmt.Errorf("certificate OIDC issuer regexp %q: %w", expr, err)
		}
		c.issuerRegexp = re
		return nil
	}
}

// WithBuilderIDs adds builder ids to the allow-list the SLSA provenance's
// builder id must be in. An entry without "@" also admits any version of
// that builder ("…/builder_go_slsa3.yml" admits "…/builder_go_slsa3.yml@refs/tags/v2.1.0"),
// as slsa-verifier does.
func WithBuilderIDs(ids ...string) Option {
	return func(c *config) error {
		for _, id := range ids {
			if id == "" {
				return errors.New("empty builder id")
			}
			c.builderIDs = append(c.builderIDs, id)
		}
		return nil
	}
}

// WithSourceURI requires the provenance's source repository to be uri.
// "https://github.com/o/r", "github.com/o/r" and "git+https://github.com/o/r.git"
// are the same repository.
func WithSourceURI(uri string) Option {
	return func(c *config) error {
		c.sourceURI = uri
		return nil
	}
}

// WithSourceRef requires the provenance's source ref to be ref: a full ref
// ("refs/heads/main", "refs/tags/v1.2.0") or a short branch or tag name.
func WithSourceRef(ref string) Option {
	return func(c *config) error {
		c.sourceRef = ref
		return nil
	}
}

// WithBuildType requires the provenance's build type to equal buildType.
func WithBuildType(buildType string) Option {
	return func(c *config) error {
		c.buildType = buildType
		return nil
	}
}

// WithInsecureIgnoreTlog accepts bundles without transparency-log entry or
// signed timestamp ("cosign --insecure-ignore-tlog"), for private keys that
// never went to a log. Certificates are then checked at the current time.
func WithInsecureIgnoreTlog() Option {
	return func(c *config) error {
		c.ignoreTlog = true
		return nil
	}
}

func (c *config) keyMode() bool { return c.keyPath != "" || c.publicKey != nil }

// validate rejects option sets that could only produce a meaningless pass.
func (c *config) validate() error {
	if c.keyPath != "" && c.publicKey != nil {
		return errors.New("give either a key file or a public key, not both")
	}
	if c.identity != "" && c.identityRegexp != nil {
		return errors.New("give either a certificate identity or an identity regexp, not both")
	}
	if c.issuer != "" && c.issuerRegexp != nil {
		return errors.New("give either a certificate OIDC issuer or an issuer regexp, not both")
	}
	if c.keyMode() {
		if c.identity != "" || c.identityRegexp != nil || c.issuer != "" || c.issuerRegexp != nil || len(c.workflow) > 0 {
			return errors.New("certificate identity and issuer do not apply to key-based verification")
		}
		return nil
	}
	// Keyless: anyone can get a Fulcio certificate, so a signature means
	// nothing until the identity is pinned (cosign refuses the same).
	if c.identity == "" && c.identityRegexp == nil {
		return errors.New("keyless verification needs a certificate identity: pass --certificate-identity or --certificate-identity-regexp with --certificate-oidc-issuer (or set require_provenance's identity and issuer in the policy), or --key for key-signed provenance")
	}
	if c.issuer == "" && c.issuerRegexp == nil {
		return errors.New("keyless verification needs a certificate OIDC issuer (--certificate-oidc-issuer), or give a key")
	}
	return nil
}
