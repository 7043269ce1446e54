package sbom

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/anchore/syft/syft"
	"github.com/anchore/syft/syft/cataloging"
	"github.com/google/licensecheck"

	"github.com/fnaudit/fnaudit/artifact"
	"github.com/fnaudit/fnaudit/internal/ziptest"
)

// licenseValue finds the value syft's licenses package keeps in ctx, by
// walking the context chain (context.valueCtx{Context, key, val}).
func licenseValue(t *testing.T, ctx context.Context) reflect.Value {
	t.Helper()
	for v := reflect.ValueOf(ctx); v.IsValid(); {
		for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
			if v.IsNil() {
				t.Fatal("no license scanner in the context")
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			break
		}
		if key := v.FieldByName("key"); key.IsValid() && !key.IsNil() &&
			key.Elem().Type().PkgPath() == "github.com/anchore/syft/internal/licenses" {
			return v.FieldByName("val").Elem()
		}
		v = v.FieldByName("Context")
	}
	t.Fatal("no license scanner in the context")
	return reflect.Value{}
}

// TestLazyLicenseScannerLayout guards the go:linkname declarations in
// license.go: the scanner fnaudit stores must be the type syft's own set-up
// stores, with the threshold and scan function fnaudit passed landing in
// the fields syft reads. A syft upgrade that changes NewScanner's
// ScannerConfig or the scanner struct fails here.
func TestLazyLicenseScannerLayout(t *testing.T) {
	Preload()
	if licenses.err != nil {
		t.Fatal(licenses.err)
	}
	ours := licenseValue(t, licenses.full)
	ref, err := syft.SetContextLicenseScanner(context.Background(), cataloging.DefaultLicenseConfig())
	if err != nil {
		t.Fatal(err)
	}
	theirs := licenseValue(t, ref)
	if ours.Type() != theirs.Type() {
		t.Fatalf("scanner type %v, syft stores %v", ours.Type(), theirs.Type())
	}
	s := ours.Elem()
	if s.NumField() != 2 || s.Field(0).Kind() != reflect.Float64 || s.Field(1).Kind() != reflect.Func {
		t.Fatalf("syft's scanner struct changed: %v", s.Type())
	}
	if got := s.Field(0).Float(); got != syftDefaultCoverage || got != theirs.Elem().Field(0).Float() {
		t.Fatalf("coverage threshold %v, syft's default %v", got, theirs.Elem().Field(0).Float())
	}
	if s.Field(1).Pointer() != reflect.ValueOf(licensecheck.Scan).Pointer() {
		t.Fatal("the scan function is not licensecheck.Scan")
	}
	declared := licenseValue(t, licenses.declared)
	if declared.Type() != theirs.Type() || declared.Elem().Field(1).Pointer() != reflect.ValueOf(noLicenseMatch).Pointer() {
		t.Fatal("the declared-only scanner is not syft's scanner with noLicenseMatch")
	}
}

// TestLazyLicenseScannerMatchesSyft: a package that declares no license is
// classified from its LICENSE file (the automaton built on first use), and
// a declared license is kept as written.
func TestLazyLicenseScannerMatchesSyft(t *testing.T) {
	mit := ziptest.ReadEntry(t, filepath.Join("..", "testdata", "functions", "node-app.zip"), "node_modules/jsonwebtoken/LICENSE")
	if !strings.Contains(mit, "MIT") {
		t.Fatal("expected jsonwebtoken's MIT license text")
	}
	zipPath := ziptest.Write(t, t.TempDir(), "fn.zip",
		ziptest.File("index.js", "exports.handler = async () => 1;\n"),
		ziptest.File("node_modules/undeclared/package.json", `{"name":"undeclared","version":"1.0.0"}`),
		ziptest.File("node_modules/undeclared/LICENSE", mit),
		ziptest.File("node_modules/declared/package.json", `{"name":"declared","version":"2.0.0","license":"ISC"}`),
	)
	for _, tc := range []struct {
		opts Options
		want map[string]string
	}{
		{Options{}, map[string]string{"undeclared": "MIT", "declared": "ISC"}},
		// scans keep declared licenses only
		{Options{WithoutLicenseFiles: true}, map[string]string{"undeclared": "", "declared": "ISC"}},
	} {
		d, err := artifact.Open(context.Background(), zipPath, artifact.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s, err := Generate(context.Background(), d, tc.opts)
		d.Close()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, p := range s.Packages {
			got[p.Name] = strings.Join(p.Licenses, ",")
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v: licenses %v, want %v", tc.opts, got, tc.want)
		}
	}
}
