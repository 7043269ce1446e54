package manifest

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/fleet"
)

var now = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

func sum(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

func corpus(t *testing.T, name string) string {
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "functions", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadExample(t *testing.T) {
	fns, err := Source{Path: "testdata/fleet.yaml", Now: func() time.Time { return now }}.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fns {
		got = append(got, f.ID())
	}
	want := []string{"123456789012/eu-west-1/orders-api:7", "123456789012/eu-west-1/reports", "bootstrap", "billing", "azure-subscription-0f1e/westeurope/legacy-stream", "thumbs"}
	if !slices.Equal(got, want) {
		t.Fatalf("ids %v", got)
	}
	o := fns[0]
	node, layer := corpus(t, "node-app.zip"), corpus(t, "node-layer.zip")
	if o.Source != fleet.SourceManifest || o.PackageType != fleet.PackageZip || o.Code != node || o.CodeSha256 != sum(t, node) ||
		o.CodeSize != 215090 || o.Runtime != "nodejs22.x" || o.Role != "arn:aws:iam::123456789012:role/orders" ||
		len(o.Layers) != 1 || o.Layers[0].Location != layer || o.Layers[0].CodeSha256 != sum(t, layer) || len(o.ConfigFindings) != 0 {
		t.Fatalf("orders-api: %+v", o)
	}
	r := fns[1]
	if len(r.ConfigFindings) != 1 || r.ConfigFindings[0].Kind != fleet.KindEOLRuntime || r.ConfigFindings[0].Detail != "runtime python3.8 was deprecated on 2024-10-14" {
		t.Fatalf("reports: %+v", r.ConfigFindings)
	}
	img := fns[5]
	if img.PackageType != fleet.PackageImage || img.Code != "" || img.ResolvedImageURI != "123456789012.dkr.ecr.eu-west-1.amazonaws.com/thumbs@sha256:4a5f3b3c1c2d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f" {
		t.Fatalf("thumbs: %+v", img)
	}

	// The Fetcher copies a manifest's local zips and checks them.
	f := &fleet.Fetcher{LayerDir: t.TempDir()}
	d, err := f.FetchFunction(context.Background(), o, t.TempDir())
	if err != nil || d.Code.CodeSha256 != o.CodeSha256 || len(d.Layers) != 1 || d.Layers[0].CodeSha256 != o.Layers[0].CodeSha256 {
		t.Fatalf("%+v %v", d, err)
	}
}

func TestProvenanceAndSHA256(t *testing.T) {
	dir := t.TempDir()
	zip := corpus(t, "python-app.zip")
	os.WriteFile(filepath.Join(dir, "app.zip.sigstore.json"), []byte("{}"), 0o600)
	hexsum := "sha256:" + strings.Repeat("ab", 32)
	write(t, dir, `functions:
  - name: a
    code: `+zip+`
    provenance: app.zip.sigstore.json
  - name: b
    code: https://artifacts.example.com/b.zip
    sha256: `+hexsum+`
  - name: c
    code: https://artifacts.example.com/c.zip
`)
	fns, err := Load(filepath.Join(dir, "fleet.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if fns[0].Provenance != filepath.Join(dir, "app.zip.sigstore.json") || fns[0].Code != zip {
		t.Fatalf("a: %+v", fns[0])
	}
	if fns[1].Code != "https://artifacts.example.com/b.zip" || fns[1].CodeSha256 != base64.StdEncoding.EncodeToString(bytesOf(0xab, 32)) {
		t.Fatalf("b: %+v", fns[1])
	}
	if fns[2].CodeSha256 != "" {
		t.Fatalf("c: %+v", fns[2])
	}
}

func bytesOf(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

func write(t *testing.T, dir, text string) string {
	t.Helper()
	p := filepath.Join(dir, "fleet.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStrictness(t *testing.T) {
	dir := t.TempDir()
	zip := corpus(t, "node-app.zip")
	os.WriteFile(filepath.Join(dir, "a.zip"), []byte("a"), 0o600)
	six := "[a.zip, a.zip, a.zip, a.zip, a.zip, a.zip]"
	cases := []struct{ name, yaml, want string }{
		{"unknown key in an entry", "functions:\n  - name: a\n    code: a.zip\n  - name: billing\n    code: a.zip\n    colour: red\n",
			`function #2 "billing": line 6: unknown key "colour" (known keys: name, code, image, sha256, layers, runtime, account, region, qualifier, role, provenance)`},
		{"unknown top-level key", "functions:\n  - name: a\n    code: a.zip\nfuction: x\n", `line 4: unknown key "fuction" (known keys: functions)`},
		{"misspelt functions", "fuctions:\n  - name: a\n", `line 1: unknown key "fuctions" (known keys: functions)`},
		{"layers not a list", "functions:\n  - name: a\n    code: a.zip\n    layers: a.zip\n",
			"function #1 \"a\": line 4: cannot unmarshal !!str `a.zip` into []string"},
		{"no name", "functions:\n  - code: a.zip\n", `function #1 (line 2): name is required`},
		{"code and image", "functions:\n  - name: a\n    code: a.zip\n    image: alpine@sha256:" + strings.Repeat("0", 64) + "\n", `function #1 "a" (line 2): give code or image, not both`},
		{"neither", "functions:\n  - name: a\n    runtime: nodejs22.x\n", `function #1 "a" (line 2): code (a zip path or https URL) or image (a reference) is required`},
		{"six layers", "functions:\n  - name: a\n    code: a.zip\n    layers: " + six + "\n", `function #1 "a" (line 2): layers: 6 layers, Lambda allows at most 5`},
		{"duplicate", "functions:\n  - name: a\n    code: a.zip\n  - name: b\n    code: a.zip\n  - name: a\n    code: " + zip + "\n", `function #3 "a" (line 6): duplicate of function #1 (same name, account, region and qualifier)`},
		{"missing zip", "functions:\n  - name: a\n    code: build/none.zip\n", `function #1 "a" (line 2): code: build/none.zip: no such file or directory`},
		{"missing layer", "functions:\n  - name: a\n    code: a.zip\n    layers: [a.zip, gone.zip]\n", `function #1 "a" (line 2): layer 2: gone.zip: no such file or directory`},
		{"ftp", "functions:\n  - name: a\n    code: ftp://host/a.zip\n", `function #1 "a" (line 2): code: ftp://host/a.zip: only local paths and https URLs are read`},
		{"sha256 differs", "functions:\n  - name: a\n    code: a.zip\n    sha256: " + strings.Repeat("0", 64) + "\n",
			`function #1 "a" (line 2): sha256: a.zip has sha256 ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs=, not the AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= the manifest gives`},
		{"bad sha256", "functions:\n  - name: a\n    code: https://x.example/a.zip\n    sha256: nope\n", `function #1 "a" (line 2): sha256 "nope": want 64 hex digits, sha256:<hex> or Lambda's base64 CodeSha256`},
		{"image with layers", "functions:\n  - name: a\n    image: alpine:3\n    layers: [a.zip]\n", `function #1 "a" (line 2): an image function has no layers (Lambda bakes them into the image)`},
		{"bad image", "functions:\n  - name: a\n    image: 'UPPER CASE'\n", `function #1 "a" (line 2): image "UPPER CASE": could not parse reference: UPPER CASE`},
		{"missing provenance", "functions:\n  - name: a\n    code: a.zip\n    provenance: a.sigstore.json\n", `function #1 "a" (line 2): provenance a.sigstore.json: not a readable file`},
		{"empty", "", `empty manifest: it needs a functions: list`},
		{"empty list", "functions: []\n", `no functions: the manifest needs a non-empty functions: list`},
		{"syntax", "functions:\n  - name: a\n    code: [a.zip\n", `line 2: did not find expected ',' or ']'`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := write(t, dir, c.yaml)
			_, err := Load(p)
			if err == nil {
				t.Fatal("accepted")
			}
			want := "manifest " + p + ": " + c.want
			if err.Error() != want {
				t.Fatalf("err\n%q\nwant\n%q", err.Error(), want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatal("error is not one line")
			}
		})
	}
}
