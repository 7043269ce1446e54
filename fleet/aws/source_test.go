package aws_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/fnaudit/fnaudit/fleet"
	fleetaws "github.com/fnaudit/fnaudit/fleet/aws"
	"github.com/fnaudit/fnaudit/fleet/aws/awstest"
)

const (
	acctA   = "111111111111"
	acctB   = "222222222222"
	roleA   = "arn:aws:iam::111111111111:role/fnaudit-audit"
	roleB   = "arn:aws:iam::222222222222:role/fnaudit-audit"
	secret  = "AKIAQ2V7ZL4MNT5XKRJW" // a credential-shaped value that must never show up
	imgRef  = "222222222222.dkr.ecr.ap-southeast-2.amazonaws.com/thumbs@sha256:4a5f3b3c1c2d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f"
	profile = "arn:aws:signer:eu-west-1:111111111111:/signing-profiles/fleet/abcdef0123"
)

var regions = []string{"eu-west-1", "us-east-1", "ap-southeast-2"}

func zip(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "functions", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// isolate keeps the developer's own AWS configuration out of the test.
func isolate(t *testing.T) {
	for _, k := range []string{"AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

type world struct {
	srv       *awstest.Server
	zips      map[string][]byte // function ARN -> zip
	nodeLayer string
	pyLayer   string
	expired   string // function ARN whose first Location has expired
	wrong     string // function ARN with a wrong CodeSha256
	ids       []string
}

// build deploys two accounts over three regions:
//
//	A/eu-west-1: 7 functions ($LATEST + version 1 of three), 4 with the node layer
//	A/us-east-1: none
//	A/ap-southeast-2: 2 functions
//	B/eu-west-1: none, B/us-east-1: 3 functions with the python layer (2),
//	B/ap-southeast-2: 1 image function
func build(t *testing.T) *world {
	w := &world{srv: awstest.New(), zips: map[string][]byte{}}
	t.Cleanup(w.srv.Close)
	s := w.srv
	s.AddRole(roleA, "ext-a", acctA)
	s.AddRole(roleB, "ext-b", acctB)
	w.nodeLayer = s.AddLayer(acctA, "eu-west-1", "node-deps", 4, zip(t, "node-layer.zip"))
	w.pyLayer = s.AddLayer(acctB, "us-east-1", "py-deps", 2, zip(t, "python-layer.zip"))
	add := func(acct, region string, fn awstest.Function) string {
		arn := s.AddFunction(acct, region, fn)
		w.zips[arn] = fn.Zip
		v := fn.Version
		if v == "" {
			v = "$LATEST"
		}
		w.ids = append(w.ids, acct+"/"+region+"/"+fn.Name+":"+v)
		return arn
	}
	role := "arn:aws:iam::111111111111:role/shared-exec"
	node, py, gob, java := zip(t, "node-app.zip"), zip(t, "python-app.zip"), zip(t, "go-bootstrap.zip"), zip(t, "java-app.zip")
	for i := 1; i <= 7; i++ {
		fn := awstest.Function{Name: fmt.Sprintf("orders-%02d", i), Runtime: "nodejs22.x", Handler: "index.handler", Role: role, Zip: node}
		if i <= 4 {
			fn.Layers = []string{w.nodeLayer}
		}
		if i == 2 {
			fn.Runtime = "nodejs16.x"
			fn.Env = map[string]string{"AWS_ACCESS_KEY_ID": secret, "TABLE": "orders"}
		}
		if i == 6 {
			fn.SigningProfileVersionArn = profile
			fn.SigningJobArn = "arn:aws:signer:eu-west-1:111111111111:/signing-jobs/0f1e2d3c"
		}
		arn := add(acctA, "eu-west-1", fn)
		if i == 3 {
			w.expired = arn
		}
		if i == 5 {
			w.wrong = arn
		}
		if i <= 3 {
			fn.Version = "1"
			add(acctA, "eu-west-1", fn)
		}
	}
	add(acctA, "ap-southeast-2", awstest.Function{Name: "reports", Runtime: "python3.12", Role: role, Zip: py})
	add(acctA, "ap-southeast-2", awstest.Function{Name: "bootstrap", Runtime: "provided.al2023", Role: role, Zip: gob, Arch: []string{"arm64"}})
	for _, n := range []string{"billing", "invoices", "ledger"} {
		fn := awstest.Function{Name: n, Runtime: "java21", Role: "arn:aws:iam::222222222222:role/" + n, Zip: java}
		if n != "ledger" {
			fn = awstest.Function{Name: n, Runtime: "python3.12", Role: "arn:aws:iam::222222222222:role/" + n, Zip: py, Layers: []string{w.pyLayer}}
		}
		add(acctB, "us-east-1", fn)
	}
	add(acctB, "ap-southeast-2", awstest.Function{Name: "thumbs", Image: true, Role: "arn:aws:iam::222222222222:role/thumbs",
		ImageURI: "222222222222.dkr.ecr.ap-southeast-2.amazonaws.com/thumbs:latest", ResolvedImageURI: imgRef})
	sort.Strings(w.ids)
	return w
}

func newSource(t *testing.T, w *world, mod func(*fleetaws.Options)) *fleetaws.Source {
	isolate(t)
	opts := fleetaws.Options{
		Regions:      regions,
		Roles:        []fleetaws.Role{{ARN: roleA, ExternalID: "ext-a"}, {ARN: roleB, ExternalID: "ext-b"}},
		AllVersions:  true,
		PageSize:     2,
		BaseEndpoint: w.srv.URL,
		Credentials:  credentials.NewStaticCredentialsProvider(awstest.BaseAccessKey, awstest.BaseSecretKey, ""),
		MaxBackoff:   20 * time.Millisecond,
		Now:          func() time.Time { return time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC) },
	}
	if mod != nil {
		mod(&opts)
	}
	src, err := fleetaws.New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func ids(fns []fleet.Function) []string {
	var out []string
	for _, f := range fns {
		out = append(out, f.ID())
	}
	sort.Strings(out)
	return out
}

func byName(t *testing.T, fns []fleet.Function, id string) fleet.Function {
	for _, f := range fns {
		if f.ID() == id {
			return f
		}
	}
	t.Fatalf("no function %s", id)
	return fleet.Function{}
}

func TestFleetThroughTheDouble(t *testing.T) {
	w := build(t)
	w.srv.Throttle("ListFunctions", 2)
	w.srv.Throttle("GetFunction", 1)
	w.srv.Throttle("GetLayerVersionByArn", 1)
	w.srv.ExpireNextLocation(w.expired)
	w.srv.WrongCodeSha256(w.wrong)
	src := newSource(t, w, nil)
	ctx := context.Background()

	fns, err := src.List(ctx)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if got := ids(fns); !slices.Equal(got, w.ids) {
		t.Fatalf("listed\n%v\nwant\n%v", got, w.ids)
	}
	// Pages of 2 per scope: A/eu-west-1 has 10 versions (5 pages), A/us-east-1
	// 0 (1 page), A/ap-southeast-2 2 (1), B/eu-west-1 0 (1), B/us-east-1 3
	// (2), B/ap-southeast-2 1 (1) = 11 pages, plus 2 throttled answers.
	if n := w.srv.Calls("ListFunctions"); n != 13 {
		t.Fatalf("ListFunctions calls %d, want 11 pages + 2 throttled", n)
	}
	// One GetFunction per version plus the throttled one; one
	// GetLayerVersionByArn per layer version plus the throttled one.
	if n := w.srv.Calls("GetFunction"); n != len(w.ids)+1 {
		t.Fatalf("GetFunction calls %d, want %d", n, len(w.ids)+1)
	}
	if n := w.srv.Calls("GetLayerVersionByArn"); n != 3 {
		t.Fatalf("GetLayerVersionByArn calls %d, want 2 layers + 1 throttled", n)
	}
	// Each account was reached through its own assumed role, in all three regions.
	wantScopes := []string{
		"000000000000/eu-west-1/sts",
		"111111111111/ap-southeast-2/lambda", "111111111111/eu-west-1/lambda", "111111111111/us-east-1/lambda",
		"222222222222/ap-southeast-2/lambda", "222222222222/eu-west-1/lambda", "222222222222/us-east-1/lambda",
	}
	if got := w.srv.Scopes(); !slices.Equal(got, wantScopes) {
		t.Fatalf("scopes %v", got)
	}

	// What List carries.
	o2 := byName(t, fns, "111111111111/eu-west-1/orders-02:$LATEST")
	if o2.ARN != "arn:aws:lambda:eu-west-1:111111111111:function:orders-02:$LATEST" || o2.Runtime != "nodejs16.x" ||
		o2.PackageType != fleet.PackageZip || !slices.Equal(o2.Architectures, []string{"x86_64"}) ||
		len(o2.Layers) != 1 || o2.Layers[0].ARN != w.nodeLayer || o2.Layers[0].CodeSize != 129458 ||
		!slices.Equal(o2.EnvNames, []string{"AWS_ACCESS_KEY_ID", "TABLE"}) || o2.Source != fleet.SourceAWS {
		t.Fatalf("orders-02: %+v", o2)
	}
	wantFindings := []fleet.ConfigFinding{
		{Kind: fleet.KindEOLRuntime, Runtime: "nodejs16.x", Date: time.Date(2024, 6, 12, 0, 0, 0, 0, time.UTC), Detail: "runtime nodejs16.x was deprecated on 2024-06-12"},
		{Kind: fleet.KindEnvCredential, Variable: "AWS_ACCESS_KEY_ID", Rule: "aws-access-token", Detail: "environment variable AWS_ACCESS_KEY_ID holds a value that looks like a credential (gitleaks rule aws-access-token)"},
	}
	if !slices.Equal(o2.ConfigFindings, wantFindings) {
		t.Fatalf("orders-02 findings %+v", o2.ConfigFindings)
	}
	if s := fmt.Sprintf("%+v %#v", fns, fns); strings.Contains(s, secret) {
		t.Fatal("an environment value is kept in the listed functions")
	}
	o6 := byName(t, fns, "111111111111/eu-west-1/orders-06:$LATEST")
	if o6.SigningProfileVersionArn != profile || o6.SigningJobArn != "arn:aws:signer:eu-west-1:111111111111:/signing-jobs/0f1e2d3c" || len(o6.ConfigFindings) != 0 {
		t.Fatalf("orders-06: %+v", o6)
	}
	img := byName(t, fns, "222222222222/ap-southeast-2/thumbs:$LATEST")
	if img.PackageType != fleet.PackageImage || img.ResolvedImageURI != imgRef || img.Code != "" {
		t.Fatalf("thumbs: %+v", img)
	}

	// Download everything through the Fetcher, with the source as refresher.
	w.srv.Throttle("Download", 1)
	w.srv.DownloadRetryAfter("1")
	f := &fleet.Fetcher{Refresher: src, LayerDir: t.TempDir(), BaseDelay: 10 * time.Millisecond}
	dir := t.TempDir()
	got := make([]fleet.Downloaded, len(fns))
	start := time.Now()
	errs := fleet.ForEach(ctx, fns, 4, func(ctx context.Context, i int, fn fleet.Function) error {
		d, err := f.FetchFunction(ctx, fn, dir)
		got[i] = d
		return err
	})
	if el := time.Since(start); el < time.Second {
		t.Fatalf("the download's Retry-After: 1 was not honoured (all done in %v)", el)
	}
	for i, fn := range fns {
		if fn.ARN == w.wrong || fn.ARN == w.wrong+":$LATEST" {
			var mm *fleet.DigestMismatchError
			if !errors.As(errs[i], &mm) || !strings.HasPrefix(errs[i].Error(), "function 111111111111/eu-west-1/orders-05:$LATEST: downloaded code has sha256 ") {
				t.Fatalf("orders-05: err = %v", errs[i])
			}
			continue
		}
		if errs[i] != nil {
			t.Fatalf("%s: %v", fn.ID(), errs[i])
		}
		if fn.PackageType == fleet.PackageImage {
			continue
		}
		b, _ := os.ReadFile(got[i].Code.Path)
		if want := w.zips[strings.TrimSuffix(fn.ARN, ":$LATEST")]; string(b) != string(want) {
			t.Fatalf("%s: downloaded %d bytes, want %d", fn.ID(), len(b), len(want))
		}
		if len(got[i].Layers) != len(fn.Layers) {
			t.Fatalf("%s: %d layers", fn.ID(), len(got[i].Layers))
		}
	}
	// The wrong function left nothing behind: 14 zips of the 15 zip versions.
	if es, _ := os.ReadDir(dir); len(es) != 14 {
		t.Fatalf("%d files in the download dir, want 14", len(es))
	}
	// The expired Location was fetched again through a fresh GetFunction.
	if n := w.srv.Fetches(w.expired); n != 1 {
		t.Fatalf("expired function fetched %d times", n)
	}
	if n := w.srv.Calls("GetFunction"); n != len(w.ids)+2 {
		t.Fatalf("GetFunction calls %d after downloads, want one refresh more (%d)", n, len(w.ids)+2)
	}
	// Each layer version was fetched once although 4 (node: 3 versions
	// with it twice) and 2 functions use them.
	if a, b := w.srv.Fetches(w.nodeLayer), w.srv.Fetches(w.pyLayer); a != 1 || b != 1 {
		t.Fatalf("layers fetched %d and %d times", a, b)
	}
	// 14 good codes + 1 wrong one served (refused here) + 2 layers.
	if n := w.srv.TotalFetches(); n != 17 {
		t.Fatalf("total fetches %d", n)
	}
	if st := f.Stats(); st.Downloads != 16 {
		t.Fatalf("fetcher kept %d files, want 14 codes + 2 layers", st.Downloads)
	}
	if n := w.srv.Calls("Download"); n != 17+1+1 {
		t.Fatalf("download requests %d, want 17 + 1 throttled + 1 expired", n)
	}

	// Image functions: an ECR authenticator and the pinned reference.
	a, err := src.ImageAuth(ctx, img)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := a.Authorization()
	if err != nil || *cfg != (authn.AuthConfig{Username: "AWS", Password: awstest.ECRPassword + acctB}) {
		t.Fatalf("auth %+v %v", cfg, err)
	}
	ref, err := fleetaws.ImageRef(img)
	if err != nil || ref.Name() != imgRef || ref.Context().RegistryStr() != "222222222222.dkr.ecr.ap-southeast-2.amazonaws.com" {
		t.Fatalf("ref %v %v", ref, err)
	}
}

// TestSDKRetryerOnThrottling confirms what the SDK's standard retryer does
// with Lambda's 429 TooManyRequestsException: it retries it as a throttle up
// to MaxAttempts, then returns the modeled error.
func TestSDKRetryerOnThrottling(t *testing.T) {
	w := build(t)
	w.srv.Throttle("ListFunctions", 3)
	src := newSource(t, w, func(o *fleetaws.Options) {
		o.Roles = []fleetaws.Role{{ARN: roleB, ExternalID: "ext-b"}}
		o.Regions = []string{"us-east-1"}
		o.MaxAttempts = 3
	})
	_, err := src.List(context.Background())
	var tm *types.TooManyRequestsException
	if !errors.As(err, &tm) || aws.ToString(tm.RetryAfterSeconds) != "1" || tm.ErrorCode() != "TooManyRequestsException" {
		t.Fatalf("err = %v", err)
	}
	if !strings.HasPrefix(err.Error(), "aws: list functions (role "+roleB+" in us-east-1): ") || !strings.Contains(err.Error(), "exceeded maximum number of attempts, 3") {
		t.Fatalf("err = %v", err)
	}
	if n := w.srv.Calls("ListFunctions"); n != 3 {
		t.Fatalf("calls %d, want 3 attempts", n)
	}
	// Within MaxAttempts, the throttle is invisible.
	w.srv.Throttle("ListFunctions", 2)
	fns, err := src.List(context.Background())
	if err != nil || len(fns) != 3 {
		t.Fatalf("%d functions, %v", len(fns), err)
	}
}

func TestRoleRefusedListsTheOthers(t *testing.T) {
	w := build(t)
	src := newSource(t, w, func(o *fleetaws.Options) {
		o.Roles = []fleetaws.Role{{ARN: roleA, ExternalID: "wrong"}, {ARN: roleB, ExternalID: "ext-b"}}
		o.Regions = []string{"us-east-1"}
		o.AllVersions = false
	})
	fns, err := src.List(context.Background())
	if err == nil || !strings.HasPrefix(err.Error(), "aws: list functions (role "+roleA+" in us-east-1): ") || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("err = %v", err)
	}
	if got := ids(fns); !slices.Equal(got, []string{"222222222222/us-east-1/billing:$LATEST", "222222222222/us-east-1/invoices:$LATEST", "222222222222/us-east-1/ledger:$LATEST"}) {
		t.Fatalf("listed %v", got)
	}
}

func TestListOnlyFetchesLocationLazily(t *testing.T) {
	w := build(t)
	src := newSource(t, w, func(o *fleetaws.Options) {
		o.Roles = []fleetaws.Role{{ARN: roleB, ExternalID: "ext-b"}}
		o.Regions = []string{"us-east-1"}
		o.ListOnly = true
	})
	fns, err := src.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if w.srv.Calls("GetFunction") != 0 || fns[0].Code != "" || fns[0].Layers[0].CodeSha256 == "" {
		t.Fatalf("ListOnly called GetFunction %d times; %+v", w.srv.Calls("GetFunction"), fns[0])
	}
	f := &fleet.Fetcher{Refresher: src, LayerDir: t.TempDir()}
	d, err := f.FetchFunction(context.Background(), fns[0], t.TempDir())
	if err != nil || d.Code.CodeSha256 != fns[0].CodeSha256 || w.srv.Calls("GetFunction") != 1 {
		t.Fatalf("%+v %v (GetFunction %d)", d, err, w.srv.Calls("GetFunction"))
	}
}

// TestGetFunctionFailureKeepsTheFunction: a function whose GetFunction fails
// while listing is still returned (and named in List's error); the Fetcher
// then asks for its location again rather than losing it silently.
func TestGetFunctionFailureKeepsTheFunction(t *testing.T) {
	w := build(t)
	src := newSource(t, w, func(o *fleetaws.Options) {
		o.Roles = []fleetaws.Role{{ARN: roleB, ExternalID: "ext-b"}}
		o.Regions = []string{"us-east-1"}
		o.MaxAttempts = 2
		o.Concurrency = 1
	})
	w.srv.Throttle("GetFunction", 2) // both attempts of the first GetFunction
	fns, err := src.List(context.Background())
	if err == nil || !strings.HasPrefix(err.Error(), "aws: function 222222222222/us-east-1/billing:$LATEST: GetFunction: ") {
		t.Fatalf("err = %v", err)
	}
	if got := ids(fns); len(got) != 3 || fns[0].Name != "billing" || fns[0].Code != "" || fns[1].Code == "" {
		t.Fatalf("%v / %+v", got, fns[0])
	}
	f := &fleet.Fetcher{Refresher: src, LayerDir: t.TempDir()}
	d, err := f.FetchFunction(context.Background(), fns[0], t.TempDir())
	if err != nil || d.Code.CodeSha256 != fns[0].CodeSha256 || d.Function.Code == "" {
		t.Fatalf("%+v %v", d, err)
	}
}

// TestTwoRolesIntoOneAccount: functions reached through two roles of the same
// account are listed once.
func TestTwoRolesIntoOneAccount(t *testing.T) {
	w := build(t)
	other := "arn:aws:iam::222222222222:role/readonly"
	w.srv.AddRole(other, "", acctB)
	src := newSource(t, w, func(o *fleetaws.Options) {
		o.Roles = []fleetaws.Role{{ARN: roleB, ExternalID: "ext-b"}, {ARN: other}}
		o.Regions = []string{"us-east-1"}
		o.AllVersions = false
	})
	fns, err := src.List(context.Background())
	if err != nil || len(fns) != 3 || w.srv.Calls("ListFunctions") != 4 {
		t.Fatalf("%v %v (ListFunctions %d)", ids(fns), err, w.srv.Calls("ListFunctions"))
	}
}
