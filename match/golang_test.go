package match

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/fnaudit/fnaudit/core"
)

// bootstrap extracts the corpus's Go custom-runtime binary (go1.26.8,
// built with -trimpath -ldflags='-s -w') into a temporary directory.
func bootstrap(t *testing.T) string {
	t.Helper()
	zr, err := zip.OpenReader(filepath.Join("..", "testdata", "functions", "go-bootstrap.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != "bootstrap" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		dst := filepath.Join(t.TempDir(), "bootstrap")
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, 0o700)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, rc); err != nil {
			t.Fatal(err)
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
		return dst
	}
	t.Fatal("no bootstrap in go-bootstrap.zip")
	return ""
}

func goRecords(t *testing.T) []*osvschema.Vulnerability {
	var out []*osvschema.Vulnerability
	for _, v := range corpusRecords(t) {
		if strings.HasPrefix(v.GetId(), "GO-") {
			out = append(out, v)
		}
	}
	if len(out) != 21 {
		t.Fatalf("%d GO records, want 21", len(out))
	}
	return out
}

// Every GO record of the corpus against the stripped bootstrap. The binary
// links golang.org/x/net/html (and html/charset), golang.org/x/text/language
// and aws-lambda-go (so net/http); no x/net/http2, httpguts, proxy or idna,
// no x/text/unicode/norm, no x/crypto. x/vuln alone would call every record
// of an affected module reachable (the binary has no symbol table); the
// pclntab says which functions are really there.
func TestGoReachabilityStrippedBootstrap(t *testing.T) {
	bin := bootstrap(t)
	if has, err := hasSymbolTable(bin); err != nil || has {
		t.Fatalf("bootstrap has a symbol table (%v, %v); the fixture should be stripped", has, err)
	}
	got, err := GoReachability(context.Background(), bin, goRecords(t))
	if err != nil {
		t.Fatal(err)
	}
	type w struct {
		r    Reachability
		syms []string
	}
	want := map[string]w{
		// Not affected at the binary's versions: fixed before them, or no
		// such module (x/crypto).
		"GO-2020-0014": {Unreachable, nil},
		"GO-2020-0015": {Unreachable, nil},
		"GO-2023-2402": {Unreachable, nil},
		"GO-2024-3321": {Unreachable, nil},
		"GO-2025-3487": {Unreachable, nil},
		// x/net/html: the parser entry point is a function of the binary.
		"GO-2021-0238": {Reachable, []string{"golang.org/x/net/html.ParseWithOptions"}},
		"GO-2024-3333": {Reachable, []string{"golang.org/x/net/html.ParseWithOptions"}},
		"GO-2025-3595": {Reachable, []string{"golang.org/x/net/html.ParseWithOptions", "golang.org/x/net/html.Tokenizer.Next"}},
		// x/net/html is there, its vulnerable Render is not a function of
		// the binary; x/text/language likewise for Parse, MatchStrings,
		// ParseAcceptLanguage: inlined or absent, the pclntab cannot say.
		"GO-2023-1988": {ReachabilityUnknown, nil},
		"GO-2021-0113": {ReachabilityUnknown, nil},
		"GO-2022-1059": {ReachabilityUnknown, nil},
		// Affected x/net at the binary's version, but no code of the
		// vulnerable package at all (the standard library's net/http is
		// not affected at go1.26.8, so it does not count).
		"GO-2022-0236": {Unreachable, nil}, // x/net/http/httpguts
		"GO-2022-0288": {Unreachable, nil}, // x/net/http2
		"GO-2022-0969": {Unreachable, nil},
		"GO-2022-1144": {Unreachable, nil},
		"GO-2023-1571": {Unreachable, nil}, // x/net/http2, http2/hpack
		"GO-2023-2102": {Unreachable, nil},
		"GO-2024-2687": {Unreachable, nil},
		"GO-2025-3503": {Unreachable, nil}, // x/net/proxy, http/httpproxy
		"GO-2026-5026": {Unreachable, nil}, // x/net/idna
		"GO-2026-5970": {Unreachable, nil}, // x/text/unicode/norm
	}
	if len(got) != len(want) {
		t.Errorf("%d results, want %d", len(got), len(want))
	}
	for id, w := range want {
		g := got[id]
		if g.Reachable != w.r || !slices.Equal(g.Symbols, w.syms) || g.Reason == "" {
			t.Errorf("%s: %s %v (%s), want %s %v", id, g.Reachable, g.Symbols, g.Reason, w.r, w.syms)
		}
	}
}

// The bootstrap's findings, matched and then annotated: each Go finding of
// the binary says whether its vulnerable code is there.
func TestAnnotateGoBinary(t *testing.T) {
	bin := bootstrap(t)
	fn := expectedPackages(t)["go-bootstrap.zip"]
	fs := matchFunction(t, corpusSource(t), "go-bootstrap.zip", fn)
	others := []Finding{{IDs: []string{"GHSA-x"}, Package: core.Package{Ecosystem: "npm", Name: "x", Paths: []string{"bootstrap"}}}}
	all := append(slices.Clone(fs), others...)
	if err := AnnotateGoBinary(context.Background(), all, "bootstrap", bin); err != nil {
		t.Fatal(err)
	}
	got := map[string]Reachability{}
	for _, f := range all[:len(fs)] {
		got[f.PrimaryID()] = f.Reachable
	}
	want := map[string]Reachability{
		"GO-2021-0238": Reachable, "GO-2024-3333": Reachable, "GO-2025-3595": Reachable,
		"GO-2023-1988": ReachabilityUnknown, "GO-2021-0113": ReachabilityUnknown, "GO-2022-1059": ReachabilityUnknown,
		"GO-2022-0236": Unreachable, "GO-2022-0288": Unreachable, "GO-2022-0969": Unreachable, "GO-2022-1144": Unreachable,
		"GO-2023-1571": Unreachable, "GO-2023-2102": Unreachable, "GO-2024-2687": Unreachable, "GO-2025-3503": Unreachable,
		"GO-2026-5026": Unreachable, "GO-2026-5970": Unreachable,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	if all[len(fs)].Reachable != "" {
		t.Error("a non-Go finding was annotated")
	}
}

// buildProbe compiles a small standard-library-only program: for
// linux/amd64 with its symbol table, as govulncheck wants it, and stripped
// like the bootstrap; and stripped for darwin/arm64, a Mach-O file, whose
// symbols neither govulncheck nor fnaudit's pclntab reader (ELF only) can
// read. It links debug/gosym.NewTable but never calls
// (*gosym.Table).LineToPC, and does not import image/png.
func buildProbe(t *testing.T) (full, stripped, darwin string) {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the probe binary")
	}
	dir := t.TempDir()
	src := `package main

import (
	"debug/gosym"
	"fmt"
	"os"
)

func main() {
	tab, err := gosym.NewTable(nil, gosym.NewLineTable(nil, 0))
	fmt.Println(tab != nil, err, len(os.Args))
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/probe\n\ngo 1.26\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	build := func(out, goos, goarch, ldflags string) string {
		cmd := exec.Command(gobin, "build", "-trimpath", "-ldflags="+ldflags, "-o", out, ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOFLAGS=-buildvcs=false", "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch, "GOWORK=off")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, b)
		}
		return filepath.Join(dir, out)
	}
	return build("probe-full", "linux", "amd64", ""),
		build("probe-stripped", "linux", "amd64", "-s -w"),
		build("probe-darwin", "darwin", "arm64", "-s -w")
}

// stdlibRecord is an advisory constructed for this test, in the Go
// database's format: every version of the standard library, with the given
// vulnerable package and symbols.
func stdlibRecord(t *testing.T, id, pkg string, symbols ...string) *osvschema.Vulnerability {
	syms := make([]any, len(symbols))
	for i, s := range symbols {
		syms[i] = s
	}
	es, err := structpb.NewStruct(map[string]any{"imports": []any{map[string]any{"path": pkg, "symbols": syms}}})
	if err != nil {
		t.Fatal(err)
	}
	return &osvschema.Vulnerability{Id: id, Affected: []*osvschema.Affected{{
		Package:           &osvschema.Package{Ecosystem: "Go", Name: "stdlib"},
		Ranges:            []*osvschema.Range{rng(semverT, "i:0")},
		EcosystemSpecific: es,
	}}}
}

// With a symbol table govulncheck decides alone, inlined functions
// included: a symbol not there is unreachable even in a package that is.
// Stripped, the same program gives the same "true", and "unknown" where
// the package's code is present but the symbol is not a function.
func TestGoReachabilityProbe(t *testing.T) {
	full, stripped, darwin := buildProbe(t)
	// A vulnerability of Windows only: govulncheck leaves it out for a
	// linux/amd64 binary, rightly.
	windows := stdlibRecord(t, "TEST-WINDOWS-ONLY", "debug/gosym", "NewTable")
	windows.Affected[0].EcosystemSpecific.Fields["imports"].GetListValue().GetValues()[0].GetStructValue().Fields["goos"] = structpb.NewListValue(&structpb.ListValue{Values: []*structpb.Value{structpb.NewStringValue("windows")}})
	// The toolchain's version listed in "versions" but outside the range:
	// OSV says affected, x/vuln reads ranges only. Not a "false".
	tag, _ := goTagToSemver(runtime.Version())
	listed := stdlibRecord(t, "TEST-VERSIONS-LIST", "debug/gosym", "NewTable")
	listed.Affected[0].Ranges = []*osvschema.Range{rng(semverT, "i:0", "f:1.0.0")}
	listed.Affected[0].Versions = []string{tag}
	recs := []*osvschema.Vulnerability{
		stdlibRecord(t, "TEST-LINKED", "debug/gosym", "NewTable"),
		stdlibRecord(t, "TEST-NOT-CALLED", "debug/gosym", "Table.LineToPC"),
		stdlibRecord(t, "TEST-NOT-IMPORTED", "image/png", "Decode"),
		stdlibRecord(t, "TEST-WHOLE-PACKAGE", "debug/gosym"),
		windows, listed,
	}
	cases := []struct {
		bin  string
		want map[string]Reachability
	}{
		{full, map[string]Reachability{"TEST-LINKED": Reachable, "TEST-NOT-CALLED": Unreachable, "TEST-NOT-IMPORTED": Unreachable,
			"TEST-WHOLE-PACKAGE": Reachable, "TEST-WINDOWS-ONLY": Unreachable, "TEST-VERSIONS-LIST": ReachabilityUnknown}},
		{stripped, map[string]Reachability{"TEST-LINKED": Reachable, "TEST-NOT-CALLED": ReachabilityUnknown, "TEST-NOT-IMPORTED": Unreachable,
			"TEST-WHOLE-PACKAGE": Reachable, "TEST-WINDOWS-ONLY": Unreachable, "TEST-VERSIONS-LIST": ReachabilityUnknown}},
		// No symbols at all: govulncheck would call everything present.
		{darwin, map[string]Reachability{"TEST-LINKED": ReachabilityUnknown, "TEST-NOT-CALLED": ReachabilityUnknown, "TEST-NOT-IMPORTED": ReachabilityUnknown,
			"TEST-WHOLE-PACKAGE": ReachabilityUnknown, "TEST-WINDOWS-ONLY": Unreachable, "TEST-VERSIONS-LIST": ReachabilityUnknown}},
	}
	for _, c := range cases {
		res, err := GoReachability(context.Background(), c.bin, recs)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]Reachability{}
		for id, r := range res {
			got[id] = r.Reachable
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v, want %v", filepath.Base(c.bin), got, c.want)
		}
		if c.bin == darwin {
			continue
		}
		if s := res["TEST-LINKED"].Symbols; !slices.Equal(s, []string{"debug/gosym.NewTable"}) {
			t.Errorf("%s: TEST-LINKED symbols %v", filepath.Base(c.bin), s)
		}
		if r := res["TEST-WINDOWS-ONLY"].Reason; r != "vulnerable only on other platforms than linux/amd64" {
			t.Errorf("%s: TEST-WINDOWS-ONLY reason %q", filepath.Base(c.bin), r)
		}
	}
}

// The database view is the layout x/vuln's client reads, and is gone
// afterwards.
func TestGoVulnDBLayout(t *testing.T) {
	dir := t.TempDir()
	if err := writeGoVulnDB(dir, goRecords(t)); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"index/db.json", "index/modules.json", "ID/GO-2022-1059.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "index", "modules.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`{"path":"golang.org/x/text","vulns":[{"id":"GO-2020-0015","modified":"0001-01-01T00:00:00Z","fixed":"0.3.3"}`, `{"path":"stdlib","vulns":[{"id":"GO-2022-0236"`} {
		if !strings.Contains(string(b), s) {
			t.Errorf("modules.json lacks %s", s)
		}
	}
	// GO-2026-5026's stdlib entry reopens at 1.27.0-0 after fixing 1.26.6:
	// the latest fix is 1.27.0-rc.3, not superseded.
	if got := latestFix(goRecordByID(t, "GO-2026-5026").GetAffected()[0].GetRanges()); got != "1.27.0-rc.3" {
		t.Errorf("latestFix = %q", got)
	}
	reintroduced := []*osvschema.Range{rng(semverT, "i:0", "f:1.2.0", "i:1.3.0")}
	if got := latestFix(reintroduced); got != "" {
		t.Errorf("latestFix of a reintroduced range = %q", got)
	}

	before, _ := filepath.Glob(filepath.Join(os.TempDir(), "fnaudit-govulndb-*"))
	if _, err := GoReachability(context.Background(), bootstrap(t), goRecords(t)[:1]); err != nil {
		t.Fatal(err)
	}
	after, _ := filepath.Glob(filepath.Join(os.TempDir(), "fnaudit-govulndb-*"))
	if len(after) > len(before) {
		t.Errorf("temporary database left behind: %v", after)
	}
}

func goRecordByID(t *testing.T, id string) *osvschema.Vulnerability {
	for _, v := range goRecords(t) {
		if v.GetId() == id {
			return v
		}
	}
	t.Fatalf("no %s", id)
	return nil
}
