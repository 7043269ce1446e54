package fleet_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/fnaudit/fnaudit/fleet"
	fleetaws "github.com/fnaudit/fnaudit/fleet/aws"
	"github.com/fnaudit/fnaudit/fleet/aws/awstest"
	"github.com/fnaudit/fnaudit/fleet/fleettest"
	"github.com/fnaudit/fnaudit/fleet/manifest"
)

// BenchmarkFleetRescan: a manifest fleet of FNAUDIT_FLEET_FUNCTIONS
// (default 200) functions sharing 20 layers on the embedded store. The first
// run (downloads and scans everything) is timed once and reported as
// first-run-s; each iteration is a second run (nothing downloaded, stored
// SBOMs re-matched), and speedup is first run / second run.
//
//	go test -run '^$' -bench BenchmarkFleetRescan -benchtime 3x ./fleet
func BenchmarkFleetRescan(b *testing.B) {
	ctx := context.Background()
	n := fleetSize(200)
	fl := buildFleet(b, n)
	e := openEngine(b)
	st := openStore(b, filepath.Join(b.TempDir(), "inventory.db"))
	src := manifest.Source{Path: fl.Manifest}
	t0 := time.Now()
	sum, _ := fleet.ScanFleet(ctx, src, newPlanner(b, e, st), fleet.DefaultConcurrency)
	first := time.Since(t0)
	if sum.Scanned != n || sum.Errors != 0 {
		b.Fatalf("first run: %s", counts(sum))
	}
	var total time.Duration
	runs := 0
	for b.Loop() {
		p := newPlanner(b, e, st)
		t1 := time.Now()
		sum, _ := fleet.ScanFleet(ctx, src, p, fleet.DefaultConcurrency)
		total += time.Since(t1)
		runs++
		if sum.Unchanged != n || p.Fetcher.Stats().Downloads != 0 {
			b.Fatalf("second run: %s, %d downloads", counts(sum), p.Fetcher.Stats().Downloads)
		}
	}
	second := total / time.Duration(runs)
	b.ReportMetric(first.Seconds(), "first-run-s")
	b.ReportMetric(second.Seconds(), "second-run-s")
	b.ReportMetric(first.Seconds()/second.Seconds(), "speedup")
}

// BenchmarkFleetScaling: FNAUDIT_FLEET_FUNCTIONS (default 200) functions
// through the AWS double with 100 ms of latency on every download, scanned
// from an empty inventory with 1, 2 and 4 functions at once.
//
//	FNAUDIT_FLEET_FUNCTIONS=40 go test -run '^$' -bench BenchmarkFleetScaling -benchtime 1x ./fleet
func BenchmarkFleetScaling(b *testing.B) {
	ctx := context.Background()
	n := fleetSize(200)
	for _, k := range []string{"AWS_PROFILE", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"} {
		b.Setenv(k, "")
	}
	b.Setenv("AWS_CONFIG_FILE", filepath.Join(b.TempDir(), "none"))
	b.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(b.TempDir(), "none"))
	srv := awstest.New()
	b.Cleanup(srv.Close)
	srv.DownloadLatency(100 * time.Millisecond)
	dir := b.TempDir()
	variant := func(base, note string) []byte {
		p := filepath.Join(dir, "v.zip")
		if err := fleettest.Variant(filepath.Join(functionsDir, base), p, note); err != nil {
			b.Fatal(err)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	var layers []string
	for i := 0; i < 20; i++ {
		base := "node-layer.zip"
		if i%2 == 1 {
			base = "python-layer.zip"
		}
		layers = append(layers, srv.AddLayer(awstest.BaseAccount, "eu-west-1", fmt.Sprintf("deps-%d", i), 1, variant(base, fmt.Sprint("layer ", i))))
	}
	for i := 0; i < n; i++ {
		base, rt := "node-app.zip", "nodejs22.x"
		if i%2 == 1 {
			base, rt = "python-app.zip", "python3.12"
		}
		srv.AddFunction(awstest.BaseAccount, "eu-west-1", awstest.Function{Name: fmt.Sprintf("fn-%03d", i), Runtime: rt, Role: "r",
			Zip: variant(base, fmt.Sprint("function ", i)), Layers: []string{layers[i%20]}})
	}
	src, err := fleetaws.New(ctx, fleetaws.Options{Regions: []string{"eu-west-1"}, ListOnly: true, BaseEndpoint: srv.URL,
		Credentials: credentials.NewStaticCredentialsProvider(awstest.BaseAccessKey, awstest.BaseSecretKey, "")})
	if err != nil {
		b.Fatal(err)
	}
	e := openEngine(b)
	for _, c := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("concurrency=%d", c), func(b *testing.B) {
			for b.Loop() {
				st := openStore(b, filepath.Join(b.TempDir(), "inventory.db"))
				t0 := time.Now()
				sum, _ := fleet.ScanFleet(ctx, src, newPlanner(b, e, st), c)
				if sum.Scanned != n || sum.Errors != 0 {
					b.Fatalf("%s %+v", counts(sum), sum.Errored())
				}
				b.ReportMetric(time.Since(t0).Seconds(), "run-s")
			}
		})
	}
}
