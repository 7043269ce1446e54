// Package provenance verifies the signed build provenance of an artifact:
// that a Sigstore bundle (v0.1–v0.3), an slsa-github-generator .intoto.jsonl,
// an npm attestations document or a key-signed DSSE envelope is validly
// signed and vouches for the artifact's digest, and that the SLSA provenance
// inside names an allowed builder, source repository and ref.
//
// The cryptography is sigstore-go's (pkg/verify, pkg/bundle, pkg/root);
// statements and SLSA v0.2 / v1 predicates are read with the in-toto
// attestation Go types. Verification is offline: keyless bundles are
// checked against an embedded copy of the Sigstore public-good trusted root
// (or WithTrustedRoot), key-signed ones against WithKey.
//
// Each check is reported on its own (see the Check* constants, in report
// order): signature, tlog, certificate, identity, issuer, digest,
// provenance, builder, source, ref, build-type. Verify returns an error only
// when it could not check; a rejection is a Result with Verified false and
// Failure naming the first failed check.
//
//	art, err := provenance.ArtifactFromFile("function.zip")
//	res, err := provenance.Verify(ctx, art, "function.zip.sigstore.json",
//		provenance.WithIdentity("https://github.com/acme/fn/.github/workflows/release.yml@refs/heads/main"),
//		provenance.WithIssuer("https://token.actions.githubusercontent.com"),
//		provenance.WithBuilderIDs("https://github.com/actions/runner/github-hosted"),
//		provenance.WithSourceURI("github.com/acme/fn"))
//	if err != nil { /* could not check: exit 2 */ }
//	if !res.Verified { /* rejected: res.Failure() */ }
//
// See README.md for the embedded trusted root and how to refresh it.
package provenance
