package match

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"golang.org/x/mod/module"
	"golang.org/x/vuln/scan"
	"google.golang.org/protobuf/types/known/structpb"
)

// GoReach is what a Go binary says about one advisory.
type GoReach struct {
	Reachable Reachability
	// Symbols are the vulnerable symbols present in the binary
	// ("golang.org/x/net/html.ParseWithOptions"), sorted.
	Symbols []string
	// Reason says how Reachable was decided, for the report.
	Reason string
}

// GoReachability tells, for each record, whether the Go binary at
// binaryPath contains the record's vulnerable code. It runs govulncheck
// (golang.org/x/vuln/scan) in-process in binary mode against a Go
// vulnerability database written from records into a temporary directory,
// removed before returning.
//
// govulncheck reads the binary's symbols, inlined functions included, from
// the ELF symbol table. A binary stripped with -s has none, and govulncheck
// then reports every known vulnerable symbol as present; so for a stripped
// binary GoReachability gives govulncheck the functions listed in the
// binary's pclntab instead (which survives -s -w), through govulncheck's
// own extract/blob format. That list lacks functions that were only ever
// inlined, so there a vulnerable symbol that is not listed is unknown
// unless no code of its package is in the binary at all.
//
// Per record: true when a vulnerable symbol is in the binary; false when
// govulncheck finds the module but none of the vulnerable symbols (for a
// stripped binary: no code of any vulnerable package), or does not find
// the module at an affected version for this GOOS/GOARCH; unknown
// otherwise (no symbol information, a record that names no packages, or
// vulnerable functions that may have been inlined). Every record passed
// gets an entry.
func GoReachability(ctx context.Context, binaryPath string, records []*osvschema.Vulnerability) (map[string]GoReach, error) {
	// The record database goes beside the binary: the caller copied it into
	// its own private directory, and concurrent scans never share one.
	tmp, err := os.MkdirTemp(filepath.Dir(binaryPath), "govulndb-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	dbDir := filepath.Join(tmp, "db")
	if err := writeGoVulnDB(dbDir, records); err != nil {
		return nil, err
	}
	db := "-db=" + fileURL(dbDir)
	blob, err := govulncheck(ctx, "-mode=extract", db, binaryPath)
	if err != nil {
		return nil, fmt.Errorf("govulncheck extract %s: %w", binaryPath, err)
	}
	bin, err := parseBlob(blob)
	if err != nil {
		return nil, fmt.Errorf("govulncheck extract %s: %w", binaryPath, err)
	}

	// How symbols were obtained decides what "not found" means.
	mode := symbolsFromSymtab
	var inv *pclnInventory
	if len(bin.symbols) == 0 {
		mode = symbolsNone
		if hasSyms, err := hasSymbolTable(binaryPath); err == nil && !hasSyms {
			if inv, err = readPclntab(binaryPath); err == nil {
				mode = symbolsFromPclntab
				if blob, err = bin.withSymbols(inv.symbols); err != nil {
					return nil, err
				}
			}
		}
	}
	blobFile := filepath.Join(tmp, "binary.blob")
	if err := os.WriteFile(blobFile, blob, 0o600); err != nil {
		return nil, err
	}
	out, err := govulncheck(ctx, "-mode=binary", db, "-json", blobFile)
	if err != nil {
		return nil, fmt.Errorf("govulncheck %s: %w", binaryPath, err)
	}
	found, err := parseFindings(out)
	if err != nil {
		return nil, fmt.Errorf("govulncheck %s: %w", binaryPath, err)
	}

	res := make(map[string]GoReach, len(records))
	for _, v := range records {
		res[v.GetId()] = decideReach(v, found[v.GetId()], mode, inv, bin)
	}
	return res, nil
}

type symbolSource int

const (
	symbolsNone        symbolSource = iota // no symbol information at all
	symbolsFromSymtab                      // govulncheck's own, inlined functions included
	symbolsFromPclntab                     // pclntab functions, inlined-only ones missing
)

// decideReach turns govulncheck's findings for one record into an answer.
func decideReach(v *osvschema.Vulnerability, f *vulnFindings, mode symbolSource, inv *pclnInventory, bin *blobBin) GoReach {
	if f == nil || len(f.modules) == 0 {
		return notFound(v, bin)
	}
	if mode == symbolsNone {
		// govulncheck then assumes every vulnerable symbol present.
		return GoReach{Reachable: ReachabilityUnknown, Reason: "the binary has neither a symbol table nor a readable pclntab"}
	}
	if len(f.symbols) > 0 {
		r := GoReach{Reachable: Reachable, Symbols: f.symbols, Reason: "vulnerable symbols in the binary"}
		if mode == symbolsFromPclntab {
			r.Reason = "vulnerable functions in the binary's pclntab (binary has no symbol table)"
		}
		return r
	}
	pkgs := vulnPackages(v, f.modules)
	switch {
	case len(pkgs) == 0:
		return GoReach{Reachable: ReachabilityUnknown, Reason: "the record names no vulnerable packages of " + strings.Join(f.modules, ", ")}
	case mode == symbolsFromSymtab:
		return GoReach{Reachable: Unreachable, Reason: "none of the vulnerable symbols is in the binary"}
	}
	for _, p := range pkgs {
		ver, replaced := bin.moduleVersion(p.module)
		if replaced {
			return GoReach{Reachable: ReachabilityUnknown, Reason: fmt.Sprintf("module %s is replaced; its source files cannot be told apart", p.module)}
		}
		if inv.hasPackageCode(p.module, ver, p.path) {
			return GoReach{Reachable: ReachabilityUnknown, Reason: fmt.Sprintf("code of %s is in the binary but no vulnerable function is (binary has no symbol table; they may be inlined)", p.path)}
		}
	}
	return GoReach{Reachable: Unreachable, Reason: "no code of the vulnerable packages is in the binary (pclntab; binary has no symbol table)"}
}

// notFound explains a record govulncheck did not report for the binary.
// It leaves out a record that fnaudit's own range evaluation finds
// affecting a module of the binary, unless the record's vulnerable
// packages are all for other platforms: x/vuln ignores OSV "versions"
// lists, for one, and a "false" must not come from such a difference.
func notFound(v *osvschema.Vulnerability, bin *blobBin) GoReach {
	var affectedMods []string
	platformOnly := true
	for _, a := range v.GetAffected() {
		if baseEcosystem(a.GetPackage().GetEcosystem()) != "Go" {
			continue
		}
		mod := a.GetPackage().GetName()
		ver, ok := bin.version(mod)
		if !ok {
			continue
		}
		if hit, err := affects(a, newInstalled("Go", mod, ver)); !hit && err == nil {
			continue
		}
		affectedMods = append(affectedMods, mod)
		if !otherPlatformsOnly(a, bin.goos, bin.goarch) {
			platformOnly = false
		}
	}
	switch {
	case len(affectedMods) == 0:
		return GoReach{Reachable: Unreachable, Reason: "no module of the binary is at an affected version"}
	case platformOnly:
		return GoReach{Reachable: Unreachable, Reason: fmt.Sprintf("vulnerable only on other platforms than %s/%s", bin.goos, bin.goarch)}
	}
	return GoReach{Reachable: ReachabilityUnknown, Reason: fmt.Sprintf("govulncheck does not find %s at an affected version, fnaudit's range evaluation does", strings.Join(affectedMods, ", "))}
}

// otherPlatformsOnly reports whether every vulnerable package the entry
// lists is restricted to GOOS/GOARCH values other than the binary's.
func otherPlatformsOnly(a *osvschema.Affected, goos, goarch string) bool {
	imports := a.GetEcosystemSpecific().GetFields()["imports"].GetListValue().GetValues()
	if len(imports) == 0 || goos == "" || goarch == "" {
		return false
	}
	for _, imp := range imports {
		f := imp.GetStructValue().GetFields()
		if listAllows(f["goos"], goos) && listAllows(f["goarch"], goarch) {
			return false
		}
	}
	return true
}

// listAllows: an absent or empty list allows every value.
func listAllows(v *structpb.Value, want string) bool {
	vals := v.GetListValue().GetValues()
	if len(vals) == 0 {
		return true
	}
	for _, x := range vals {
		if x.GetStringValue() == want {
			return true
		}
	}
	return false
}

type vulnPackage struct{ module, path string }

// vulnPackages lists the Go packages a record names as vulnerable in the
// given modules (those the binary has at an affected version).
func vulnPackages(v *osvschema.Vulnerability, modules []string) []vulnPackage {
	var out []vulnPackage
	for _, a := range v.GetAffected() {
		if baseEcosystem(a.GetPackage().GetEcosystem()) != "Go" || !slices.Contains(modules, a.GetPackage().GetName()) {
			continue
		}
		for _, imp := range a.GetEcosystemSpecific().GetFields()["imports"].GetListValue().GetValues() {
			if p := imp.GetStructValue().GetFields()["path"].GetStringValue(); p != "" {
				out = append(out, vulnPackage{module: a.GetPackage().GetName(), path: p})
			}
		}
	}
	return out
}

// AnnotateGoBinary sets Reachable on the Go findings of one binary: those
// whose package lists sbomPath (where the SBOM places the binary, e.g.
// /var/task/bootstrap) among its paths. binaryPath is the binary's file on
// disk. A finding merging several records is reachable when any record is,
// else unreachable when any record says so, else unknown.
func AnnotateGoBinary(ctx context.Context, findings []Finding, sbomPath, binaryPath string) error {
	var idx []int
	var recs []*osvschema.Vulnerability
	seen := map[string]bool{}
	for i, f := range findings {
		if baseEcosystem(f.Package.Ecosystem) != "Go" || !slices.Contains(f.Package.Paths, sbomPath) {
			continue
		}
		idx = append(idx, i)
		for _, r := range f.Records {
			if r.Vuln != nil && !seen[r.ID] {
				seen[r.ID] = true
				recs = append(recs, r.Vuln)
			}
		}
	}
	if len(idx) == 0 {
		return nil
	}
	reach, err := GoReachability(ctx, binaryPath, recs)
	if err != nil {
		return err
	}
	for _, i := range idx {
		f := &findings[i]
		var best *GoReach
		for _, r := range f.Records {
			g, ok := reach[r.ID]
			if !ok {
				continue
			}
			if best == nil || reachRank(g.Reachable) > reachRank(best.Reachable) {
				best = &g
			}
		}
		if best == nil {
			f.Reachable, f.ReachableReason = ReachabilityUnknown, "no record of the finding could be checked"
			continue
		}
		f.Reachable, f.ReachableSymbols, f.ReachableReason = best.Reachable, best.Symbols, best.Reason
	}
	return nil
}

// reachRank: a symbol found beats a proof of absence, which beats not
// knowing.
func reachRank(r Reachability) int {
	switch r {
	case Reachable:
		return 2
	case Unreachable:
		return 1
	}
	return 0
}

// govulncheck runs x/vuln's scanner in-process and returns its stdout.
func govulncheck(ctx context.Context, args ...string) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd := scan.Command(ctx, args...)
	cmd.Stdin = strings.NewReader("")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// Binary and extract modes read no environment (only source mode asks
	// the go command for GOVERSION); an empty, non-nil Env keeps the
	// caller's out of it.
	cmd.Env = []string{}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	if err := cmd.Wait(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg != "" {
			return nil, fmt.Errorf("%w: %s", err, msg)
		}
		return nil, err
	}
	return stdout.Bytes(), nil
}

func fileURL(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}

// blobBin is govulncheck's extract-mode output ("govulncheck-extract"
// 0.1.0): a header, then the binary's modules, symbols and build settings.
type blobBin struct {
	header    json.RawMessage
	body      map[string]json.RawMessage
	symbols   []blobSymbol
	modules   []blobModule
	goVersion string // "go1.26.8"
	goos      string
	goarch    string
}

type blobSymbol struct {
	Pkg  string `json:"pkg,omitempty"`
	Name string `json:"name,omitempty"`
}

type blobModule struct {
	Path    string
	Version string
	Replace *blobModule
}

func parseBlob(b []byte) (*blobBin, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	var hdr struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	bin := &blobBin{}
	if err := dec.Decode(&bin.header); err != nil {
		return nil, fmt.Errorf("extract blob header: %w", err)
	}
	if err := json.Unmarshal(bin.header, &hdr); err != nil || hdr.Name != "govulncheck-extract" || hdr.Version != "0.1.0" {
		return nil, fmt.Errorf("extract blob: unexpected header %s", bin.header)
	}
	if err := dec.Decode(&bin.body); err != nil {
		return nil, fmt.Errorf("extract blob body: %w", err)
	}
	if raw, ok := bin.body["pkgSymbols"]; ok {
		if err := json.Unmarshal(raw, &bin.symbols); err != nil {
			return nil, fmt.Errorf("extract blob symbols: %w", err)
		}
	}
	if raw, ok := bin.body["modules"]; ok {
		if err := json.Unmarshal(raw, &bin.modules); err != nil {
			return nil, fmt.Errorf("extract blob modules: %w", err)
		}
	}
	for k, dst := range map[string]*string{"goVersion": &bin.goVersion, "goos": &bin.goos, "goarch": &bin.goarch} {
		if raw, ok := bin.body[k]; ok {
			if err := json.Unmarshal(raw, dst); err != nil {
				return nil, fmt.Errorf("extract blob %s: %w", k, err)
			}
		}
	}
	return bin, nil
}

// withSymbols re-encodes the blob with pkgSymbols replaced.
func (b *blobBin) withSymbols(syms map[string][]string) ([]byte, error) {
	var list []blobSymbol
	for pkg, names := range syms {
		for _, n := range names {
			list = append(list, blobSymbol{Pkg: pkg, Name: n})
		}
	}
	// A deterministic order, by field: concatenating "pkg.name" in the
	// comparison allocated on every call (a tenth of a small Go scan).
	slices.SortFunc(list, func(a, b blobSymbol) int {
		return cmp.Or(strings.Compare(a.Pkg, b.Pkg), strings.Compare(a.Name, b.Name))
	})
	raw, err := json.Marshal(list)
	if err != nil {
		return nil, err
	}
	body := make(map[string]json.RawMessage, len(b.body)+1)
	for k, v := range b.body {
		body[k] = v
	}
	body["pkgSymbols"] = raw
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if err := enc.Encode(b.header); err != nil {
		return nil, err
	}
	if err := enc.Encode(body); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// version is the version of module path in the binary as the SBOM would
// spell it (the Go toolchain tag for the standard library).
func (b *blobBin) version(path string) (string, bool) {
	if path == GoStdlib {
		return b.goVersion, b.goVersion != ""
	}
	for _, m := range b.modules {
		if m.Path == path {
			if m.Replace != nil && m.Replace.Version != "" {
				return m.Replace.Version, true
			}
			return m.Version, true
		}
	}
	return "", false
}

// moduleVersion is the version of module path in the binary, and whether
// a replace directive moved it.
func (b *blobBin) moduleVersion(path string) (string, bool) {
	for _, m := range b.modules {
		if m.Path == path {
			return m.Version, m.Replace != nil
		}
	}
	return "", false
}

// vulnFindings is what govulncheck reported for one OSV id.
type vulnFindings struct {
	// modules are the modules of the binary at an affected version
	// ("stdlib" for the standard library).
	modules []string
	symbols []string // vulnerable symbols present: "pkg.Recv.Func" or "pkg.Func"
}

// parseFindings reads govulncheck's JSON stream (protocol v1.0.0: config,
// progress, SBOM, osv and finding messages) and keeps, per OSV id, whether
// it was found at module level and which symbols were found.
func parseFindings(out []byte) (map[string]*vulnFindings, error) {
	type frame struct {
		Module   string `json:"module"`
		Package  string `json:"package"`
		Function string `json:"function"`
		Receiver string `json:"receiver"`
	}
	type message struct {
		Config *struct {
			ProtocolVersion string `json:"protocol_version"`
		} `json:"config"`
		Finding *struct {
			OSV   string   `json:"osv"`
			Trace []*frame `json:"trace"`
		} `json:"finding"`
	}
	res := map[string]*vulnFindings{}
	dec := json.NewDecoder(bytes.NewReader(out))
	sawConfig := false
	for {
		var m message
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("decode output: %w", err)
		}
		if m.Config != nil {
			if m.Config.ProtocolVersion != "v1.0.0" {
				return nil, fmt.Errorf("unsupported protocol %q", m.Config.ProtocolVersion)
			}
			sawConfig = true
		}
		if m.Finding == nil || len(m.Finding.Trace) == 0 {
			continue
		}
		f := res[m.Finding.OSV]
		if f == nil {
			f = &vulnFindings{}
			res[m.Finding.OSV] = f
		}
		if fr := m.Finding.Trace[0]; !slices.Contains(f.modules, fr.Module) {
			f.modules = append(f.modules, fr.Module)
		}
		// The first frame is the vulnerable symbol (binary mode has no
		// call stacks).
		fr := m.Finding.Trace[0]
		if fr.Function == "" {
			continue
		}
		sym := fr.Package + "." + fr.Function
		if fr.Receiver != "" {
			sym = fr.Package + "." + strings.Trim(fr.Receiver, "*") + "." + fr.Function
		}
		if !slices.Contains(f.symbols, sym) {
			f.symbols = append(f.symbols, sym)
		}
	}
	if !sawConfig {
		return nil, errors.New("no config message in output")
	}
	for _, f := range res {
		slices.Sort(f.symbols)
	}
	return res, nil
}

// escapeModuleDir is the module cache directory name of mod@version
// ("github.com/!azure/...@v1.0.0"), as a binary built without -trimpath
// records it.
func escapeModuleDir(mod, version string) (string, error) {
	m, err := module.EscapePath(mod)
	if err != nil {
		return "", err
	}
	v, err := module.EscapeVersion(version)
	if err != nil {
		return "", err
	}
	return m + "@" + v, nil
}
