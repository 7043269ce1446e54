package aws_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	fleetaws "github.com/fnaudit/fnaudit/fleet/aws"
	"github.com/fnaudit/fnaudit/fleet/aws/awstest"
)

// TestImageFunctionAuthenticator pulls an image function's pinned reference
// from go-containerregistry's in-process registry, which (like ECR) wants
// basic auth with the ECR token's user and password.
func TestImageFunctionAuthenticator(t *testing.T) {
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	var authorized atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "AWS" || pass != awstest.ECRPassword+acctB {
			w.Header().Set("WWW-Authenticate", `Basic realm="ecr"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		authorized.Add(1)
		reg.ServeHTTP(w, r)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	digest, _ := img.Digest()
	tag, _ := name.NewTag(host + "/thumbs:latest")
	push := authn.FromConfig(authn.AuthConfig{Username: "AWS", Password: awstest.ECRPassword + acctB})
	if err := remote.Write(tag, img, remote.WithAuth(push)); err != nil {
		t.Fatal(err)
	}

	w := build(t)
	pinned := host + "/thumbs@" + digest.String()
	w.srv.AddFunction(acctB, "eu-west-1", awstest.Function{Name: "resize", Image: true, Role: "r", ImageURI: tag.String(), ResolvedImageURI: pinned})
	src := newSource(t, w, func(o *fleetaws.Options) {
		o.Roles = []fleetaws.Role{{ARN: roleB, ExternalID: "ext-b"}}
		o.Regions = []string{"eu-west-1"}
	})
	fns, err := src.List(context.Background())
	if err != nil || len(fns) != 1 {
		t.Fatalf("%d functions, %v", len(fns), err)
	}
	f := fns[0]
	if f.CodeSha256 != digest.Hex || f.ResolvedImageURI != pinned {
		t.Fatalf("%+v", f)
	}
	ref, err := fleetaws.ImageRef(f)
	if err != nil {
		t.Fatal(err)
	}
	a, err := src.ImageAuth(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	before := authorized.Load()
	got, err := remote.Image(ref, remote.WithAuth(a))
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := got.Digest(); d != digest || authorized.Load() == before {
		t.Fatalf("pulled %s, authorized requests %d", d, authorized.Load()-before)
	}
	// The token is cached: one GetAuthorizationToken per account and region.
	if _, err := src.ImageAuth(context.Background(), f); err != nil || w.srv.Calls("GetAuthorizationToken") != 1 {
		t.Fatalf("GetAuthorizationToken calls %d, %v", w.srv.Calls("GetAuthorizationToken"), err)
	}
	// Without the token the registry refuses.
	if _, err := remote.Image(ref); err == nil {
		t.Fatal("pulled without credentials")
	}
}

// TestProfileAndDefaultRegion uses a named profile from the shared config
// files: its credentials (the caller's own account) and its region.
func TestProfileAndDefaultRegion(t *testing.T) {
	w := build(t)
	w.srv.AddFunction(awstest.BaseAccount, "us-east-1", awstest.Function{Name: "own", Runtime: "python3.12", Role: "r", Zip: []byte("z")})
	isolate(t)
	dir := t.TempDir()
	cfg := dir + "/config"
	creds := dir + "/credentials"
	write := func(p, s string) {
		if err := writeFile(p, s); err != nil {
			t.Fatal(err)
		}
	}
	write(cfg, "[profile audit]\nregion = us-east-1\n")
	write(creds, "[audit]\naws_access_key_id = "+awstest.BaseAccessKey+"\naws_secret_access_key = "+awstest.BaseSecretKey+"\n")
	t.Setenv("AWS_CONFIG_FILE", cfg)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	src, err := fleetaws.New(context.Background(), fleetaws.Options{Profile: "audit", BaseEndpoint: w.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	fns, err := src.List(context.Background())
	if err != nil || len(fns) != 1 || fns[0].ID() != "000000000000/us-east-1/own:$LATEST" {
		t.Fatalf("%v %v", fns, err)
	}
	if _, err := fleetaws.New(context.Background(), fleetaws.Options{Profile: "nope", BaseEndpoint: w.srv.URL}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("unknown profile: %v", err)
	}
}

func writeFile(p, s string) error { return os.WriteFile(p, []byte(s), 0o600) }
