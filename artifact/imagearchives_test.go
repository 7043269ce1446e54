package artifact

import (
	"context"
	"fmt"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/fnaudit/fnaudit/internal/imagetest"
	zt "github.com/fnaudit/fnaudit/internal/ziptest"
)

// Archives inside an image's filesystem are checked as a function zip's
// nested archives are (issue 10, point 12 inside an image): counted against
// --max-nested-archives, their entries against --max-entries, their own
// archives against --max-depth; one that is not a zip stops the read. Only
// the final filesystem counts: a whited-out archive is never cataloged.
func TestImageArchivesChecked(t *testing.T) {
	empty := zt.Bytes(t)
	inner := make([]zt.Entry, 30_000)
	for i := range inner {
		inner[i] = zt.Entry{Name: fmt.Sprintf("lib/j%05d.jar", i), Body: empty, Store: true}
	}
	bomb := string(zt.Bytes(t, inner...))
	jarInJar := string(zt.Bytes(t, zt.Entry{Name: "lib/inner.jar", Body: zt.Bytes(t, zt.File("a.class", "x"))}))
	handler := imagetest.File("var/task/Handler.class", "")
	cases := []struct {
		name   string
		layers [][]imagetest.Entry
		limits Limits
		file   string // after the target and "!/<layer digest>"
		entry  string
		reason string
		limit  string
	}{
		{name: "jar bomb", layers: [][]imagetest.Entry{{handler, imagetest.File("var/task/lib/bomb.jar", bomb)}},
			file: "!/var/task/lib/bomb.jar", entry: "lib/j00999.jar", reason: "more than 1000 nested archives", limit: "--max-nested-archives"},
		{name: "jar bomb, nested limit raised", layers: [][]imagetest.Entry{{handler, imagetest.File("var/task/lib/bomb.jar", bomb)}},
			limits: Limits{MaxNestedArchives: 30_001, MaxEntries: 30_000},
			file:   "!/var/task/lib/bomb.jar", entry: "lib/j29998.jar", reason: "more than 30000 entries", limit: "--max-entries"},
		{name: "not a zip", layers: [][]imagetest.Entry{{handler, imagetest.File("opt/app/lib/bad.whl", "not a zip")}},
			entry: "opt/app/lib/bad.whl", reason: "nested archive is not a readable zip"},
		{name: "archive in an archive past --max-depth", layers: [][]imagetest.Entry{{handler, imagetest.File("var/task/app.jar", jarInJar)}},
			limits: Limits{MaxDepth: 1},
			file:   "!/var/task/app.jar", entry: "lib/inner.jar", reason: "archives nested deeper than 1 levels", limit: "--max-depth"},
		{name: "whited-out archive", layers: [][]imagetest.Entry{
			{handler, imagetest.File("var/task/lib/bad.jar", "not a zip")},
			{imagetest.Whiteout("var/task/lib/bad.jar")}}},
		{name: "readable jars", layers: [][]imagetest.Entry{{handler, imagetest.File("var/task/app.jar", jarInJar)}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var layers []v1.Layer
			for _, es := range c.layers {
				layers = append(layers, imagetest.Layer(t, es...))
			}
			img := imagetest.Image(t, layers...)
			target := imagetest.DockerArchive(t, img)
			d, err := Open(context.Background(), target, Options{Limits: c.limits})
			if c.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				d.Close()
				return
			}
			if err == nil {
				d.Close()
				t.Fatal("opened")
			}
			ls, _ := img.Layers()
			digest, _ := ls[0].Digest()
			wantInputError(t, err, target+"!/"+digest.String()+c.file, c.entry, c.reason, c.limit)
		})
	}
}
