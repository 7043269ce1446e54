package fleet

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// BenchmarkFetchFleet downloads a fleet of 200 functions sharing 20 layers
// from a server that answers each download after 100 ms (a presigned S3 GET's
// latency), at several concurrencies. Run with -benchtime 1x.
func BenchmarkFetchFleet(b *testing.B) {
	const functions, layers = 200, 20
	latency := 100 * time.Millisecond
	body := []byte(strings.Repeat("z", 64<<10))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(latency)
		w.Write(body)
	}))
	defer srv.Close()
	fns := make([]Function, functions)
	for i := range fns {
		l := i % layers
		fns[i] = Function{Name: fmt.Sprintf("f%03d", i), Code: srv.URL + "/f", CodeSha256: b64(body),
			Layers: []Layer{{ARN: fmt.Sprintf("arn:aws:lambda:eu-west-1:1:layer:l%02d:1", l), CodeSha256: b64(body), Location: srv.URL + "/l"}}}
	}
	for _, c := range []int{1, 2, 4, 8, 16} {
		b.Run(fmt.Sprintf("concurrency=%d", c), func(b *testing.B) {
			for range b.N {
				dir, layerDir := b.TempDir(), b.TempDir()
				f := &Fetcher{LayerDir: layerDir}
				errs := ForEach(context.Background(), fns, c, func(ctx context.Context, i int, fn Function) error {
					d, err := f.FetchFunction(ctx, fn, dir)
					if err == nil {
						os.Remove(d.Code.Path) // the scan would consume and delete it
					}
					return err
				})
				for _, err := range errs {
					if err != nil {
						b.Fatal(err)
					}
				}
				if st := f.Stats(); st.Downloads != functions+layers {
					b.Fatalf("downloads %d", st.Downloads)
				}
			}
		})
	}
}
