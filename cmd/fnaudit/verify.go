package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/fnaudit/fnaudit/provenance"
)

func init() { register(newVerifyCmd) }

// verifyFlags are verify's flags; the certificate and tlog flags are
// cosign's, so a cosign command line carries over.
type verifyFlags struct {
	bundle         string
	digest         string
	key            string
	trustedRoot    string
	identity       string
	identityRegexp string
	issuer         string
	issuerRegexp   string
	builderIDs     []string
	sourceURI      string
	sourceRef      string
	buildType      string
	ignoreTlog     bool
	format         string
	output         string
	cosign         cosignVerifyFlags
}

func newVerifyCmd(g *globalOptions) *cobra.Command {
	var f verifyFlags
	cmd := &cobra.Command{
		Use:   "verify [TARGET | --digest ALG:HEX] --bundle FILE",
		Short: "Verify the signed build provenance of an artifact",
		Long: `verify checks that --bundle (a Sigstore bundle v0.1-v0.3, an
slsa-github-generator .intoto.jsonl, an npm attestations document, or a DSSE
envelope) is validly signed and vouches for TARGET, the artifact file, or
for --digest when only the digest is at hand (e.g. a deployed Lambda's
CodeSha256: --digest sha256:BASE64).

Signatures are checked against --key (PEM: ECDSA, Ed25519, RSA), or keyless
against the Fulcio, Rekor and CT keys of --trusted-root (default: the
embedded Sigstore public-good root, so no network is used). Keyless needs
--certificate-identity(-regexp) and --certificate-oidc-issuer(-regexp).

Every check is reported on its own line: signature, tlog, certificate,
identity, issuer, digest, provenance (SLSA v0.2/v1), builder, source, ref,
build-type.

Exit codes: 0 verified, 1 rejected (the failing check is named), 2 could
not check (unreadable bundle, trusted root or key, incomplete policy, or a
--digest in an algorithm the statement's subjects do not use).`,
		Example: `  fnaudit verify function.zip --bundle function.zip.sigstore.json \
      --certificate-identity-regexp '^https://github.com/acme/payments/' \
      --certificate-oidc-issuer https://token.actions.githubusercontent.com
  fnaudit verify --digest sha256:xL8trFfHYihPUt8um/0LqRuqYOLW4V33f2DFDn9O10Y= \
      --bundle b.json --key k.pub`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(cmd, g, &f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.bundle, "bundle", "", "provenance file: Sigstore bundle, .intoto.jsonl, npm attestations document or DSSE envelope (required)")
	fl.StringVar(&f.digest, "digest", "", "artifact digest instead of TARGET: sha256|sha384|sha512 as ALG:HEX, ALG:BASE64 or ALG-BASE64")
	fl.StringVar(&f.key, "key", "", "PEM public key the provenance must be signed with (instead of a Fulcio certificate)")
	fl.StringVar(&f.trustedRoot, "trusted-root", "", "Sigstore trusted_root.json (default: the embedded public-good root)")
	fl.StringVar(&f.identity, "certificate-identity", "", "signing certificate's identity (SAN); for GitHub Actions the workflow's URL@ref")
	fl.StringVar(&f.identityRegexp, "certificate-identity-regexp", "", "regular expression the certificate identity must match (unanchored, as cosign)")
	fl.StringVar(&f.issuer, "certificate-oidc-issuer", "", "signing certificate's OIDC issuer, e.g. https://token.actions.githubusercontent.com")
	fl.StringVar(&f.issuerRegexp, "certificate-oidc-issuer-regexp", "", "regular expression the OIDC issuer must match")
	fl.StringArrayVar(&f.builderIDs, "builder-id", nil, "allowed SLSA builder id (repeatable; without @version it admits every version)")
	fl.StringVar(&f.sourceURI, "source-uri", "", "required source repository, e.g. github.com/ORG/REPO")
	fl.StringVar(&f.sourceRef, "source-ref", "", "required source ref: refs/heads/main, refs/tags/v1.2.3, or a short branch or tag name")
	fl.StringVar(&f.buildType, "build-type", "", "required SLSA build type")
	fl.BoolVar(&f.ignoreTlog, "insecure-ignore-tlog", false, "accept provenance without transparency log entry or signed timestamp (private keys); certificates are then checked at the current time")
	f.cosign.register(cmd)
	fl.StringVarP(&f.format, "format", "o", "table", "output format: table, json")
	fl.StringVar(&f.output, "output", "", "write to this file instead of standard output")
	return cmd
}

func runVerify(cmd *cobra.Command, g *globalOptions, f *verifyFlags, args []string) error {
	if f.bundle == "" {
		return errors.New("verify: --bundle is required")
	}
	if f.format != "table" && f.format != "json" {
		return fmt.Errorf("verify: unknown output format %q (want table or json)", f.format)
	}
	var (
		art provenance.Artifact
		err error
	)
	switch {
	case len(args) == 1 && f.digest != "":
		return errors.New("verify: give TARGET or --digest, not both")
	case len(args) == 1:
		art, err = provenance.ArtifactFromFile(args[0])
	case f.digest != "":
		art, err = provenance.ArtifactFromDigest(f.digest)
	default:
		return errors.New("verify: give the artifact as TARGET or its digest with --digest")
	}
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}

	wantType, err := f.cosign.wantType()
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	res, err := provenance.Verify(cmd.Context(), art, f.bundle, append(f.options(), f.cosign.options()...)...)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	checkType(res, wantType)
	if !res.Verified && res.Undecided && onlyDigestFailed(res) {
		return fmt.Errorf("verify: could not check: %s; give TARGET (the file) so every digest can be computed", res.Failure())
	}
	if err := writeOutput(g, f.output, func(w writer) error {
		if f.format == "json" {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(res)
		}
		return writeVerifyTable(w, res)
	}); err != nil {
		return err
	}
	if !res.Verified {
		return newGateFailure("provenance rejected: %s", res.Failure())
	}
	return nil
}

func (f *verifyFlags) options() []provenance.Option {
	var opts []provenance.Option
	add := func(v string, o func(string) provenance.Option) {
		if v != "" {
			opts = append(opts, o(v))
		}
	}
	add(f.key, provenance.WithKey)
	add(f.trustedRoot, provenance.WithTrustedRoot)
	add(f.identity, provenance.WithIdentity)
	add(f.identityRegexp, provenance.WithIdentityRegexp)
	add(f.issuer, provenance.WithIssuer)
	add(f.issuerRegexp, provenance.WithIssuerRegexp)
	add(f.sourceURI, provenance.WithSourceURI)
	add(f.sourceRef, provenance.WithSourceRef)
	add(f.buildType, provenance.WithBuildType)
	if len(f.builderIDs) > 0 {
		opts = append(opts, provenance.WithBuilderIDs(f.builderIDs...))
	}
	if f.ignoreTlog {
		opts = append(opts, provenance.WithInsecureIgnoreTlog())
	}
	return opts
}

// writeVerifyTable prints the verdict, what was verified, then one line
// per check.
func writeVerifyTable(w io.Writer, r *provenance.Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	verdict := "VERIFIED"
	if !r.Verified && r.Undecided && onlyDigestFailed(r) {
		verdict = "COULD NOT CHECK (digest)"
	} else if !r.Verified {
		verdict = "REJECTED"
		if c := r.FailedCheck(); c != nil {
			verdict += " (" + c.Name + ")"
		}
	}
	bundle := fmt.Sprintf("%s (%s", r.Bundle, r.Format)
	if r.Entries > 0 {
		bundle += fmt.Sprintf(", entry %d of %d", r.Entry, r.Entries)
	}
	bundle += ")"
	fmt.Fprintf(tw, "provenance:\t%s\n", verdict)
	fmt.Fprintf(tw, "bundle:\t%s\n", bundle)
	fmt.Fprintf(tw, "artifact:\t%s\n", r.Artifact)
	if r.Verified {
		signer := r.Identity
		if r.Issuer != "" {
			signer += " (" + r.Issuer + ")"
		}
		if signer == "" {
			signer = "key " + orDash(r.KeyHint)
		}
		fmt.Fprintf(tw, "digest:\t%s\n", r.Digest)
		fmt.Fprintf(tw, "signer:\t%s\n", signer)
		if r.Builder != "" {
			fmt.Fprintf(tw, "builder:\t%s\n", r.Builder)
			fmt.Fprintf(tw, "source:\t%s\n", strings.TrimSpace(orDash(r.SourceURI)+" "+r.SourceRef+" "+r.SourceDigest))
		}
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "CHECK\tSTATUS\tDETAIL")
	for _, c := range r.Checks {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Name, c.Status, c.Detail)
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// onlyDigestFailed: the digest is the one failed check, so the bundle was
// not rejected on its own merits.
func onlyDigestFailed(r *provenance.Result) bool {
	for _, c := range r.Checks {
		if c.Failed() && c.Name != provenance.CheckDigest && c.Detail != "not checked" {
			return false
		}
	}
	return true
}
