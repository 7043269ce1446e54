package sbom

import (
	"context"
	"path"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/artifact"
	"github.com/fnaudit/fnaudit/internal/imagetest"
	zt "github.com/fnaudit/fnaudit/internal/ziptest"
)

// corpusFile reads one entry of a corpus zip: real registry metadata.
func corpusFile(t *testing.T, zipName, entry string) string {
	return zt.ReadEntry(t, path.Join(functionsDir, zipName), entry)
}

// TestImageWhiteout: a container-image function built with
// go-containerregistry, two layers, the second deleting a package of the
// first by whiteout and adding another. In every image form fnaudit reads,
// the SBOM holds the final filesystem's packages only, each with the digest
// of the layer it came from.
func TestImageWhiteout(t *testing.T) {
	base := imagetest.Layer(t,
		imagetest.File("var/task/index.js", "exports.handler = async () => 1"),
		imagetest.File("var/task/node_modules/lodash/package.json", corpusFile(t, "node-app.zip", "node_modules/lodash/package.json")),
		imagetest.File("var/task/node_modules/minimist/package.json", corpusFile(t, "node-app.zip", "node_modules/minimist/package.json")),
	)
	top := imagetest.Layer(t,
		imagetest.Whiteout("var/task/node_modules/minimist"),
		imagetest.File("var/task/node_modules/ws/package.json", corpusFile(t, "node-app.zip", "node_modules/ws/package.json")),
	)
	baseDigest, err := base.Digest()
	if err != nil {
		t.Fatal(err)
	}
	topDigest, err := top.Digest()
	if err != nil {
		t.Fatal(err)
	}
	img := imagetest.Image(t, base, top)
	imgDigest, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	for form, target := range imagetest.Targets(t, img) {
		t.Run(form, func(t *testing.T) {
			s := generateFile(t, target)
			if s.Kind != artifact.KindImage || s.Digest != imgDigest.String() {
				t.Errorf("kind %s digest %s, want image %s", s.Kind, s.Digest, imgDigest)
			}
			want := map[string]string{ // name@version -> layer digest
				"lodash@4.17.15": baseDigest.String(),
				"ws@7.4.5":       topDigest.String(),
			}
			if len(s.Packages) != len(want) {
				t.Fatalf("packages %+v, want %v", s.Packages, want)
			}
			for _, p := range s.Packages {
				layer, ok := want[p.Name+"@"+p.Version]
				if !ok || p.Origin.Kind != artifact.OriginImageLayer || p.Origin.Digest != layer {
					t.Errorf("%s@%s from %+v, want layer %s", p.Name, p.Version, p.Origin, layer)
				}
				if p.Path() != "/var/task/node_modules/"+p.Name || !p.Loaded {
					t.Errorf("%s: path %s loaded %v", p.Name, p.Path(), p.Loaded)
				}
			}
			if s.Runtime.Name != "nodejs" {
				t.Errorf("runtime %+v", s.Runtime)
			}
			if form == "registry" {
				_, err := artifact.Open(context.Background(), target, artifact.Options{Offline: true})
				if err == nil || !strings.Contains(err.Error(), "--offline") {
					t.Errorf("registry target opened offline: %v", err)
				}
			}
		})
	}
}
