package manifest_test

import (
	"context"
	"fmt"
	"os"

	"github.com/fnaudit/fnaudit/fleet"
	"github.com/fnaudit/fnaudit/fleet/manifest"
)

// Example wires a source and a Fetcher as `fleet scan` does: list, then
// download every zip function (bounded concurrency), each into the run's
// private directory, sharing the layers.
func Example() {
	var src fleet.Source = manifest.Source{Path: "testdata/fleet.yaml"}
	fns, err := src.List(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	runDir, _ := os.MkdirTemp("", "fleet-example-")
	defer os.RemoveAll(runDir) // nothing is left behind
	f := &fleet.Fetcher{LayerDir: runDir}
	if r, ok := src.(fleet.Refresher); ok {
		f.Refresher = r // AWS: expired presigned URLs are fetched again
	}
	got := make([]fleet.Downloaded, len(fns))
	errs := fleet.ForEach(context.Background(), fns, fleet.DefaultConcurrency, func(ctx context.Context, i int, fn fleet.Function) error {
		var err error
		got[i], err = f.FetchFunction(ctx, fn, runDir)
		return err
	})
	for i, fn := range fns {
		switch {
		case errs[i] != nil:
			fmt.Println(fn.ID(), "error:", errs[i])
		case fn.PackageType == fleet.PackageImage:
			fmt.Println(fn.ID(), "image", fn.ResolvedImageURI != "")
		default:
			fmt.Println(fn.ID(), "zip", got[i].Code.CodeSha256 == fn.CodeSha256, "layers", len(got[i].Layers), "findings", len(fn.ConfigFindings))
		}
	}
	fmt.Println("files fetched:", f.Stats().Downloads)
	// Output:
	// 123456789012/eu-west-1/orders-api:7 zip true layers 1 findings 0
	// 123456789012/eu-west-1/reports zip true layers 1 findings 1
	// bootstrap zip true layers 0 findings 0
	// billing zip true layers 0 findings 0
	// azure-subscription-0f1e/westeurope/legacy-stream zip true layers 0 findings 0
	// thumbs image true
	// files fetched: 7
}
