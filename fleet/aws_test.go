package fleet_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/fnaudit/fnaudit/fleet"
	fleetaws "github.com/fnaudit/fnaudit/fleet/aws"
	"github.com/fnaudit/fnaudit/fleet/aws/awstest"
	"github.com/fnaudit/fnaudit/fleet/manifest"
	"github.com/fnaudit/fnaudit/inventory"
)

func isolateAWS(t *testing.T) {
	for _, k := range []string{"AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func corpus(t *testing.T, name string) []byte {
	b, err := os.ReadFile(filepath.Join(functionsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFleetAWSDouble: two accounts (roles), three regions, pages of 2,
// throttling, one expired Location, one wrong CodeSha256 refused for that
// function only; every other function is stored, and the second run
// downloads nothing.
func TestFleetAWSDouble(t *testing.T) {
	isolateAWS(t)
	ctx := context.Background()
	srv := awstest.New()
	t.Cleanup(srv.Close)
	const acctA, acctB = "111111111111", "222222222222"
	roleA, roleB := "arn:aws:iam::111111111111:role/audit", "arn:aws:iam::222222222222:role/audit"
	srv.AddRole(roleA, "ext-a", acctA)
	srv.AddRole(roleB, "ext-b", acctB)
	nodeLayer := srv.AddLayer(acctA, "eu-west-1", "node-deps", 3, corpus(t, "node-layer.zip"))
	node, py := corpus(t, "node-app.zip"), corpus(t, "python-app.zip")
	var expired, wrong string
	want := 0
	for i := 0; i < 5; i++ {
		fn := awstest.Function{Name: fmt.Sprintf("orders-%d", i), Runtime: "nodejs22.x", Role: "arn:aws:iam::111111111111:role/shared", Zip: node,
			Layers: []string{nodeLayer}}
		if i == 1 {
			fn.Runtime = "nodejs16.x"
			fn.Env = map[string]string{"AWS_ACCESS_KEY_ID": "AKIAQ2V7ZL4MNT5XKRJW"}
		}
		arn := srv.AddFunction(acctA, "eu-west-1", fn)
		want++
		switch i {
		case 2:
			expired = arn
		case 3:
			wrong = arn
		}
	}
	srv.AddFunction(acctA, "us-east-1", awstest.Function{Name: "reports", Runtime: "python3.12", Role: "r", Zip: py})
	srv.AddFunction(acctB, "ap-southeast-2", awstest.Function{Name: "billing", Runtime: "python3.12", Role: "r2", Zip: py})
	want += 2
	srv.Throttle("ListFunctions", 1)
	srv.Throttle("GetFunction", 1)
	srv.ExpireNextLocation(expired)
	srv.WrongCodeSha256(wrong)

	src, err := fleetaws.New(ctx, fleetaws.Options{
		Regions:  []string{"eu-west-1", "us-east-1", "ap-southeast-2"},
		Roles:    []fleetaws.Role{{ARN: roleA, ExternalID: "ext-a"}, {ARN: roleB, ExternalID: "ext-b"}},
		PageSize: 2, ListOnly: true, BaseEndpoint: srv.URL, MaxBackoff: 20 * time.Millisecond,
		Credentials: credentials.NewStaticCredentialsProvider(awstest.BaseAccessKey, awstest.BaseSecretKey, ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	e := openEngine(t)
	st := openStore(t, filepath.Join(t.TempDir(), "inventory.db"))
	p := newPlanner(t, e, st)
	p.Fetcher.BaseDelay, p.Fetcher.MaxDelay = time.Millisecond, 5*time.Millisecond
	sum, fns := fleet.ScanFleet(ctx, src, p, 4)
	if sum.ListError != "" || sum.Listed != want {
		t.Fatalf("listed %d (%s), want %d", sum.Listed, sum.ListError, want)
	}
	if n := srv.Calls("ListFunctions"); n < 5 { // 3 pages in A/eu-west-1, 1 per other scope with functions... plus a throttled one
		t.Fatalf("ListFunctions calls %d: no pagination", n)
	}
	errs := sum.Errored()
	wrongID := acctA + "/eu-west-1/orders-3"
	if len(errs) != 1 || !strings.HasPrefix(errs[0].Function, wrongID) || !strings.Contains(errs[0].Error, "CodeSha256") {
		t.Fatalf("errors = %+v, want only %s refused for its CodeSha256", errs, wrongID)
	}
	// The orders functions deploy the same bytes, and so do reports and
	// billing: one that starts after another of its kind was recorded in
	// this run is re-matched from the stored SBOM instead of downloaded.
	// Which ones do depends on timing; their sum does not, and the first
	// four (orders-0 to orders-3, the expired one among them) always start
	// before anything is recorded.
	if sum.Scanned+sum.Unchanged != want-1 || sum.Scanned < 3 {
		t.Fatalf("scanned %d and unchanged %d, want %d in all", sum.Scanned, sum.Unchanged, want-1)
	}
	// Every other function is stored; the refused one is not.
	for _, f := range fns {
		_, err := st.ShowFunction(ctx, inventory.FunctionRef{Source: f.Source, Account: f.Account, Region: f.Region, Name: f.Name, Qualifier: f.Qualifier})
		isWrong := strings.HasPrefix(f.ID(), wrongID)
		if isWrong && !errors.Is(err, inventory.ErrNoFunction) {
			t.Fatalf("%s: refused function was stored (err %v)", f.ID(), err)
		}
		if !isWrong && err != nil {
			t.Fatalf("%s: not stored: %v", f.ID(), err)
		}
	}
	// The expired Location answered 403 and a fresh GetFunction gave the
	// Location that downloaded: one GetFunction per function downloaded
	// (listing is ListOnly; the refused one was downloaded too), one
	// throttled, one for the fresh Location.
	if n, g := srv.Fetches(expired), srv.Calls("GetFunction"); n != 1 || g != sum.Scanned+1+2 {
		t.Fatalf("expired function: %d full downloads, %d GetFunction calls; want 1 and %d", n, g, sum.Scanned+1+2)
	}
	if len(sum.EOLRuntimes) != 1 || sum.EOLRuntimes[0].Runtime != "nodejs16.x" || len(sum.EnvCredentials) != 1 || sum.EnvCredentials[0].Variable != "AWS_ACCESS_KEY_ID" {
		t.Fatalf("config: eol %+v, credentials %+v", sum.EOLRuntimes, sum.EnvCredentials)
	}

	// Second run: nothing is downloaded but the refused function again.
	before := srv.TotalFetches()
	p2 := newPlanner(t, e, st)
	sum2, _ := fleet.ScanFleet(ctx, src, p2, 4)
	if sum2.Unchanged != want-1 || sum2.Errors != 1 {
		t.Fatalf("second run: %s", counts(sum2))
	}
	if got := srv.TotalFetches() - before; got != 1 {
		t.Fatalf("second run fetched %d objects, want 1 (the refused function again)", got)
	}
}

// TestFleetImageFunction: an image function pulled from the in-process
// registry is stored under its image digest and skipped on the second run.
func TestFleetImageFunction(t *testing.T) {
	ctx := context.Background()
	reg := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(reg.Close)
	host := strings.TrimPrefix(reg.URL, "http://")
	img, err := random.Image(512, 1)
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.ParseReference(host + "/thumbs:latest")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	dir := t.TempDir()
	mf := filepath.Join(dir, "m.yaml")
	if err := os.WriteFile(mf, []byte("functions:\n  - name: thumbs\n    image: "+host+"/thumbs@"+d.String()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := openEngine(t)
	st := openStore(t, filepath.Join(t.TempDir(), "inventory.db"))
	sum, _ := fleet.ScanFleet(ctx, manifest.Source{Path: mf}, newPlanner(t, e, st), 2)
	if sum.Errors != 0 || sum.Scanned != 1 || sum.Functions[0].Digest != d.String() {
		t.Fatalf("first run: %s %+v", counts(sum), sum.Functions)
	}
	det, err := st.ShowFunction(ctx, inventory.FunctionRef{Source: fleet.SourceManifest, Name: "thumbs"})
	if err != nil || len(det.Versions) != 1 || det.Versions[0].ArtifactDigest != d.String() || det.Versions[0].Version.ImageDigest != d.String() {
		t.Fatalf("stored: %+v, %v", det.Versions, err)
	}
	sum2, _ := fleet.ScanFleet(ctx, manifest.Source{Path: mf}, newPlanner(t, e, st), 2)
	if sum2.Errors != 0 || sum2.Unchanged != 1 || sum2.Scanned != 0 {
		t.Fatalf("second run: %s %+v", counts(sum2), sum2.Functions)
	}
}
