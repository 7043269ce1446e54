package core

import "fmt"

// OriginKind says which part of a deployment a file came from.
type OriginKind string

const (
	// OriginFunction is the function's own code (a Lambda zip lands in /var/task).
	OriginFunction OriginKind = "function"
	// OriginLayer is a Lambda layer zip (extracted into /opt, in order).
	OriginLayer OriginKind = "layer"
	// OriginImageLayer is one layer of a container image.
	OriginImageLayer OriginKind = "image-layer"
	// OriginDirectory is an unpacked function given as a directory.
	OriginDirectory OriginKind = "directory"
	// OriginSBOM is an SBOM file read as scan input: the packages it lists.
	OriginSBOM OriginKind = "sbom"
)

// Origin names where a file of the merged view came from. Two files share an
// Origin value when they came from the same zip, directory or image layer.
type Origin struct {
	Kind OriginKind `json:"kind"`
	// Index is the 1-based position of a layer (Lambda layer order, or image
	// layer order from the base up); 0 for the function itself.
	Index int `json:"index,omitempty"`
	// Name is the file name of the zip or directory, or the image reference.
	Name string `json:"name,omitempty"`
	// Digest is "sha256:<hex>" of the zip bytes as deployed (for the function
	// zip this is Lambda's CodeSha256, base64-encoded there), or the image
	// layer's digest.
	Digest string `json:"digest,omitempty"`
}

// String is the short form used in tables and the fnaudit:origin property:
// "function", "layer 2 (deps.zip)", "image-layer sha256:...".
func (o Origin) String() string {
	switch o.Kind {
	case OriginLayer:
		return fmt.Sprintf("layer %d (%s)", o.Index, o.Name)
	case OriginImageLayer:
		return fmt.Sprintf("image-layer %s", o.Digest)
	default:
		return string(o.Kind)
	}
}

// ArtifactKind says what kind of thing was scanned.
type ArtifactKind string

const (
	ArtifactZip       ArtifactKind = "zip"       // a Lambda function (or layer) zip, plus --layer zips
	ArtifactDirectory ArtifactKind = "directory" // an unpacked function
	ArtifactImage     ArtifactKind = "image"     // a container-image function
	ArtifactSBOM      ArtifactKind = "sbom"      // an SBOM file made elsewhere
)
