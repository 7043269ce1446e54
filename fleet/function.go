// Package fleet holds what every fleet source shares: the description of one
// deployed function (Function), the Source that lists them, and the Fetcher
// that downloads their code safely. It imports no cloud SDK; the AWS source
// lives in fleet/aws and the YAML manifest source in fleet/manifest.
package fleet

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
)

// Where a Function was listed from.
const (
	SourceAWS      = "aws"
	SourceManifest = "manifest"
)

// PackageType is how the function's code is deployed.
type PackageType string

const (
	PackageZip   PackageType = "zip"
	PackageImage PackageType = "image"
)

// Function is one deployed function version as a source saw it. Only names of
// environment variables are kept: their values are read once, checked for
// credentials (ConfigFindings) and dropped, so no value is ever stored.
type Function struct {
	Source    string // SourceAWS or SourceManifest
	Account   string
	Region    string
	Name      string
	Qualifier string // the version ("$LATEST", "7"); empty when the source has none
	ARN       string

	PackageType   PackageType
	Runtime       string
	Architectures []string

	// CodeSha256 is the base64 SHA-256 of the zip exactly as Lambda gives it
	// (for a manifest zip it is computed from the local file or left empty
	// for a URL, and the download then cannot be checked against a claim).
	CodeSha256 string
	CodeSize   int64
	// Code is where the zip is: an https/http URL (for AWS, the presigned
	// Code.Location valid for 10 minutes) or a local path. Empty for images,
	// and for AWS functions listed with ListOnly (the Fetcher then asks the
	// Refresher for it). A presigned URL is a bearer credential for its 10
	// minutes: never store or print it.
	Code string

	ImageURI         string // the image as configured (tag or digest)
	ResolvedImageURI string // the image pinned by digest, as Lambda resolved it

	Layers []Layer // in Lambda order: a later layer overwrites an earlier one in /opt

	Role     string   // execution role ARN
	EnvNames []string // environment variable names, sorted; never values

	// Signing facts from GetFunction, recorded beside provenance.
	SigningProfileVersionArn string
	SigningJobArn            string
	// Provenance is a local Sigstore bundle path (manifest `provenance:`).
	Provenance string

	LastModified string

	// ConfigFindings are configuration facts (fleet/config): eol-runtime,
	// env-credential. Filled by the sources that saw the configuration.
	ConfigFindings []ConfigFinding
}

// Layer is one Lambda layer version attached to a function.
type Layer struct {
	ARN        string // layer version ARN (or, for a manifest, the path/URL it was given as)
	CodeSha256 string // base64, as GetLayerVersionByArn gives it
	CodeSize   int64
	Location   string // presigned Content.Location URL, or a local path

	SigningProfileVersionArn string
	SigningJobArn            string
}

// ConfigFinding kinds.
const (
	KindEOLRuntime    = "eol-runtime"
	KindEnvCredential = "env-credential"
)

// ConfigFinding is one configuration fact about a function. For
// env-credential it names the variable and the detection rule, never the value.
type ConfigFinding struct {
	Kind     string
	Variable string    // env-credential: the variable name
	Rule     string    // env-credential: the detection rule id (gitleaks rule id)
	Runtime  string    // eol-runtime: the runtime identifier
	Date     time.Time // eol-runtime: the deprecation date
	Detail   string    // one readable line
}

// ID names the function version in messages and keys:
// account/region/name:qualifier, leaving out what the source does not know.
func (f Function) ID() string {
	id := f.Name
	if f.Region != "" {
		id = f.Region + "/" + id
	}
	if f.Account != "" {
		id = f.Account + "/" + id
	}
	if f.Qualifier != "" {
		id += ":" + f.Qualifier
	}
	return id
}

// Digest returns the code digest as "sha256:<hex>" (the artifact digest
// fnaudit stores), or "" when the source gave no CodeSha256.
func (f Function) Digest() (string, error) {
	if f.CodeSha256 == "" {
		return "", nil
	}
	h, err := SHA256Hex(f.CodeSha256)
	if err != nil {
		return "", fmt.Errorf("function %s: CodeSha256: %w", f.ID(), err)
	}
	return "sha256:" + h, nil
}

// SHA256Hex turns Lambda's base64 CodeSha256 into lowercase hex.
func SHA256Hex(b64 string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return "", fmt.Errorf("CodeSha256 %q is not base64: %w", b64, err)
	}
	if len(raw) != 32 {
		return "", fmt.Errorf("CodeSha256 %q is %d bytes, not 32", b64, len(raw))
	}
	return hex.EncodeToString(raw), nil
}

// Source lists the functions of a fleet.
type Source interface {
	List(ctx context.Context) ([]Function, error)
}

// Refresher is implemented by sources whose code locations expire (AWS
// presigned URLs): the Fetcher asks it for a fresh location after an HTTP 403,
// or when a Function was listed without one.
type Refresher interface {
	// RefreshFunction returns f with a fresh Code location (a new GetFunction).
	RefreshFunction(ctx context.Context, f Function) (Function, error)
	// RefreshLayer returns l with a fresh Location (a new
	// GetLayerVersionByArn), using f's account and region.
	RefreshLayer(ctx context.Context, f Function, l Layer) (Layer, error)
}

// ImageAuthorizer is implemented by sources that can authenticate to the
// registry of an image function (AWS: an ECR token). The image itself is
// pulled by the caller (artifact) from the function's ResolvedImageURI.
type ImageAuthorizer interface {
	ImageAuth(ctx context.Context, f Function) (authn.Authenticator, error)
}
