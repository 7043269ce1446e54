package fleet

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// pullImage copies an image function's image, pinned as Lambda resolved it,
// into an OCI layout under dir (with the source's registry credentials) and
// returns the scan target and the image digest it is stored under.
func (p *Planner) pullImage(ctx context.Context, fn Function, dir string) (target, digest string, err error) {
	ref := fn.ResolvedImageURI
	if ref == "" {
		ref = fn.ImageURI
	}
	if ref == "" {
		return "", "", fmt.Errorf("image function without an image reference")
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		return "", "", fmt.Errorf("image %s: %w", ref, err)
	}
	auth := authn.Anonymous
	if p.ImageAuth != nil {
		if auth, err = p.ImageAuth.ImageAuth(ctx, fn); err != nil {
			return "", "", fmt.Errorf("image %s: registry credentials: %w", ref, err)
		}
	}
	img, err := remote.Image(r, remote.WithAuth(auth), remote.WithContext(ctx))
	if err != nil {
		return "", "", fmt.Errorf("image %s: %w", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		return "", "", fmt.Errorf("image %s: %w", ref, err)
	}
	if want := imageDigest(fn); want != "" && want != d.String() {
		return "", "", fmt.Errorf("image %s: registry served %s", ref, d)
	}
	out := filepath.Join(dir, "image")
	lp, err := layout.Write(out, empty.Index)
	if err != nil {
		return "", "", fmt.Errorf("image %s: %w", ref, err)
	}
	if err := lp.AppendImage(img); err != nil {
		return "", "", fmt.Errorf("image %s: %w", ref, err)
	}
	return "oci-dir:" + out, d.String(), nil
}
