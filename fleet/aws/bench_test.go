package aws_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/fnaudit/fnaudit/fleet"
	fleetaws "github.com/fnaudit/fnaudit/fleet/aws"
	"github.com/fnaudit/fnaudit/fleet/aws/awstest"
)

// BenchmarkListAndFetch200 lists 200 functions sharing 20 layers through the
// real SDK (pages of 50, one GetFunction each, one GetLayerVersionByArn per
// layer) and downloads them with 100 ms of latency per download, at
// several concurrencies. Run with -benchtime 1x.
func BenchmarkListAndFetch200(b *testing.B) {
	srv := awstest.New()
	defer srv.Close()
	srv.DownloadLatency(100 * time.Millisecond)
	code := []byte("small function zip")
	var layers []string
	for i := range 20 {
		layers = append(layers, srv.AddLayer(awstest.BaseAccount, "eu-west-1", fmt.Sprintf("deps-%02d", i), 1, []byte(fmt.Sprintf("layer %d", i))))
	}
	for i := range 200 {
		srv.AddFunction(awstest.BaseAccount, "eu-west-1", awstest.Function{Name: fmt.Sprintf("fn-%03d", i), Runtime: "nodejs22.x", Role: "r", Zip: code, Layers: []string{layers[i%20]}})
	}
	for _, c := range []int{1, 4, 8, 16} {
		b.Run(fmt.Sprintf("concurrency=%d", c), func(b *testing.B) {
			for range b.N {
				src, err := fleetaws.New(context.Background(), fleetaws.Options{
					Regions: []string{"eu-west-1"}, BaseEndpoint: srv.URL, Concurrency: c,
					Credentials: credentials.NewStaticCredentialsProvider(awstest.BaseAccessKey, awstest.BaseSecretKey, ""),
				})
				if err != nil {
					b.Fatal(err)
				}
				fns, err := src.List(context.Background())
				if err != nil || len(fns) != 200 {
					b.Fatalf("%d functions, %v", len(fns), err)
				}
				f := &fleet.Fetcher{Refresher: src, LayerDir: b.TempDir()}
				dir := b.TempDir()
				for i, err := range fleet.ForEach(context.Background(), fns, c, func(ctx context.Context, i int, fn fleet.Function) error {
					_, err := f.FetchFunction(ctx, fn, dir)
					return err
				}) {
					if err != nil {
						b.Fatalf("%s: %v", fns[i].ID(), err)
					}
				}
				if st := f.Stats(); st.Downloads != 220 {
					b.Fatalf("downloads %d", st.Downloads)
				}
			}
		})
	}
}
