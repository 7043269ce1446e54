package artifact

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// defaultPlatform is Lambda's default architecture.
const defaultPlatform = "linux/amd64"

// openImage opens a container-image function and applies its layers in
// order, whiteouts included, into one view whose files know their layer.
func openImage(ctx context.Context, target string, opts Options) (*Deployment, error) {
	d := &Deployment{Target: target, Kind: KindImage, view: newView(false, "/"), sources: map[Origin]string{}}
	ok := false
	defer func() {
		if !ok {
			d.Close()
		}
	}()
	platform, err := v1.ParsePlatform(cmp.Or(opts.Platform, defaultPlatform))
	if err != nil {
		return nil, fmt.Errorf("%s: platform: %w", target, err)
	}
	img, err := loadImage(ctx, d, target, *platform, opts)
	if err != nil {
		return nil, err
	}
	digest, err := verifyImage(img)
	if err != nil {
		return nil, &InputError{File: target, Reason: "image manifest", Err: err}
	}
	d.Digest = digest
	b := newImageBudget(opts)
	if err := applyLayers(ctx, d, img, b); err != nil {
		return nil, err
	}
	if err := checkImageArchives(ctx, d, b); err != nil {
		return nil, err
	}
	ok = true
	return d, nil
}

// loadImage resolves the target to one image (picking the platform from an
// index), reading archives in place and only extracting an oci-archive's
// layout into the private temp directory.
func loadImage(ctx context.Context, d *Deployment, target string, platform v1.Platform, opts Options) (v1.Image, error) {
	kind, ref, _ := strings.Cut(target, ":")
	switch kind + ":" {
	case PrefixDockerArchive:
		img, err := tarball.ImageFromPath(ref, nil)
		if err != nil {
			return nil, &InputError{File: ref, Reason: "not a readable docker-archive (docker save) tarball", Err: err}
		}
		return img, nil
	case PrefixOCIDir:
		return imageFromLayout(ref, ref, platform)
	case PrefixOCIArchive:
		dir, err := os.MkdirTemp(opts.TempDir, "oci-archive-")
		if err != nil {
			return nil, fmt.Errorf("create temp directory: %w", err)
		}
		d.closers = append(d.closers, removeDir(dir))
		if err := untarLayout(ctx, ref, dir, newImageBudget(opts)); err != nil {
			return nil, err
		}
		return imageFromLayout(ref, dir, platform)
	case PrefixRegistry:
		if opts.Offline {
			return nil, fmt.Errorf("%s: pulling from a registry needs the network, and --offline was given", target)
		}
		r, err := name.ParseReference(ref)
		if err != nil {
			return nil, fmt.Errorf("%s: image reference: %w", target, err)
		}
		img, err := remote.Image(r, remote.WithContext(ctx), remote.WithPlatform(platform),
			remote.WithAuthFromKeychain(authn.DefaultKeychain))
		if err != nil {
			return nil, fmt.Errorf("pull %s: %w", ref, err)
		}
		return img, nil
	}
	return nil, fmt.Errorf("%s: unknown image target", target)
}

// verifyImage returns the digest of the image's manifest, computed from its
// bytes, after checking that the config blob is the one the manifest names.
// Archives and layouts are read without verification by the library; with
// this check and each layer's diff_id (applyLayer), every byte fnaudit
// reads is bound to the digest it reports.
func verifyImage(img v1.Image) (string, error) {
	raw, err := img.RawManifest()
	if err != nil {
		return "", err
	}
	m, err := img.Manifest()
	if err != nil {
		return "", err
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		return "", fmt.Errorf("config: %w", err)
	}
	if got := sha256Hex(cfg); m.Config.Digest.Algorithm != "sha256" || got != m.Config.Digest.Hex {
		return "", fmt.Errorf("config blob does not match the manifest's %s", m.Config.Digest)
	}
	return "sha256:" + sha256Hex(raw), nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// imageFromLayout picks the image for platform from an OCI layout's index
// (descending into nested indexes, as multi-platform builds write them).
func imageFromLayout(file, dir string, platform v1.Platform) (v1.Image, error) {
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, &InputError{File: file, Reason: "not a readable OCI image layout", Err: err}
	}
	img, err := pickImage(idx, platform)
	if err != nil {
		return nil, &InputError{File: file, Reason: "OCI image layout", Err: err}
	}
	return img, nil
}

// maxIndexDepth bounds nested image indexes.
const maxIndexDepth = 4

func pickImage(idx v1.ImageIndex, platform v1.Platform) (v1.Image, error) {
	var candidates []v1.Image
	var walk func(v1.ImageIndex, int) error
	walk = func(idx v1.ImageIndex, depth int) error {
		if depth > maxIndexDepth {
			return fmt.Errorf("image indexes nested deeper than %d", maxIndexDepth)
		}
		m, err := idx.IndexManifest()
		if err != nil {
			return err
		}
		for _, desc := range m.Manifests {
			switch {
			case desc.MediaType.IsIndex():
				child, err := idx.ImageIndex(desc.Digest)
				if err != nil {
					return err
				}
				if err := walk(child, depth+1); err != nil {
					return err
				}
			case desc.MediaType.IsImage():
				if desc.Platform != nil && !desc.Platform.Satisfies(platform) {
					continue
				}
				img, err := idx.Image(desc.Digest)
				if err != nil {
					return err
				}
				candidates = append(candidates, img)
			}
		}
		return nil
	}
	if err := walk(idx, 0); err != nil {
		return nil, err
	}
	switch len(candidates) {
	case 0:
		return nil, fmt.Errorf("no image for platform %s", platform.String())
	case 1:
		return candidates[0], nil
	default:
		return nil, fmt.Errorf("%d images match platform %s; the layout is ambiguous", len(candidates), platform.String())
	}
}

type removeDir string

func (r removeDir) Close() error { return os.RemoveAll(string(r)) }
