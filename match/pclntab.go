package match

import (
	"debug/elf"
	"debug/gosym"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// pclnInventory is what a Go binary's pclntab says about its code: the
// functions compiled as functions, and the source files any code came from
// (inlined code included: the file table covers every position the
// binary's PC-to-line tables refer to). The Go linker keeps .gopclntab even
// in binaries stripped with -s -w, because the runtime needs it for stack
// traces; x/vuln v1.9.0 however only reads symbols when the ELF symbol
// table is there (it locates the inline trees through it), and reports
// every known vulnerable symbol as present otherwise.
type pclnInventory struct {
	// symbols are package path -> symbol names as the Go vulnerability
	// database writes them ("Tokenizer.Next", "Parse").
	symbols map[string][]string
	// dirs are the directories of every source file, as recorded:
	// "golang.org/x/net@v0.0.0-.../html" with -trimpath, an absolute module
	// cache or GOROOT path without.
	dirs map[string]bool
}

// errNoPclntab: the binary is not an ELF file with a Go line table.
var errNoPclntab = errors.New("no Go pclntab")

// hasSymbolTable reports whether an ELF binary still has its symbol table
// (not stripped with -s): then x/vuln reads symbols, inlined ones included,
// itself.
func hasSymbolTable(file string) (bool, error) {
	f, err := elf.Open(file)
	if err != nil {
		return false, fmt.Errorf("%w: %w", errNoPclntab, err)
	}
	defer f.Close()
	_, err = f.Symbols()
	if errors.Is(err, elf.ErrNoSymbols) {
		return false, nil
	}
	return err == nil, err
}

// readPclntab reads the function names and source files of an ELF Go
// binary from its .gopclntab section with the standard library's
// debug/gosym (Go 1.2+ table formats, those of Go 1.26 included).
func readPclntab(file string) (*pclnInventory, error) {
	f, err := elf.Open(file)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errNoPclntab, err)
	}
	defer f.Close()
	sec := f.Section(".gopclntab")
	text := f.Section(".text")
	if sec == nil || text == nil {
		return nil, errNoPclntab
	}
	data, err := sec.Data()
	if err != nil {
		return nil, fmt.Errorf("read .gopclntab: %w", err)
	}
	tab, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		return nil, fmt.Errorf("decode .gopclntab: %w", err)
	}
	inv := &pclnInventory{symbols: map[string][]string{}, dirs: map[string]bool{}}
	seen := map[string]bool{}
	for _, fn := range tab.Funcs {
		if fn.Sym == nil {
			continue
		}
		pkg, name := vulnSymbolName(fn.Sym)
		if pkg == "" || seen[pkg+"\x00"+name] {
			continue
		}
		seen[pkg+"\x00"+name] = true
		inv.symbols[pkg] = append(inv.symbols[pkg], name)
	}
	for file := range tab.Files {
		inv.dirs[path.Dir(strings.ReplaceAll(file, `\`, "/"))] = true
	}
	return inv, nil
}

// vulnSymbolName splits a function's symbol into its package path and the
// name the Go vulnerability database uses: "Func", or "Type.Method" for
// methods on T and *T alike (x/vuln's buildinfo.parseName does the same).
func vulnSymbolName(s *gosym.Sym) (pkg, name string) {
	name = s.BaseName()
	if r := s.ReceiverName(); r != "" {
		name = strings.Trim(r, "(*)") + "." + name
	}
	pkg = s.PackageName()
	if p, err := url.PathUnescape(pkg); err == nil {
		pkg = p
	}
	return pkg, name
}

// hasPackageCode reports whether any code of package pkg, a package of
// module mod at version (or of the standard library when mod is
// GoStdlib), is in the binary, inlined or not, judging by the source files
// its line tables name.
func (inv *pclnInventory) hasPackageCode(mod, version, pkg string) bool {
	var want string
	if mod == GoStdlib {
		want = pkg
	} else {
		rel := strings.TrimPrefix(strings.TrimPrefix(pkg, mod), "/")
		want = path.Join(mod+"@"+version, rel)
		if esc, err := escapeModuleDir(mod, version); err == nil {
			wantEsc := path.Join(esc, rel)
			for d := range inv.dirs {
				if d == wantEsc || strings.HasSuffix(d, "/"+wantEsc) {
					return true
				}
			}
		}
	}
	for d := range inv.dirs {
		if d == want || strings.HasSuffix(d, "/"+want) || (mod == GoStdlib && strings.HasSuffix(d, "/src/"+want)) {
			return true
		}
	}
	return false
}
