//go:build ignore

// generate runs osv-scanner over every corpus function, offline, against a
// local database built from the corpus's own OSV records, and writes the
// normalised result that match's peer test compares fnaudit with.
//
//	go run testdata/peers/generate.go -osv-scanner /work/peers/osv-scanner
//
// It needs nothing but the osv-scanner binary: the database zips, the
// unzipped functions and the raw outputs live in a temporary directory that
// is removed afterwards (-keep keeps it for inspection).
package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// variant is one osv-scanner invocation per function.
type variant struct {
	Name string   `json:"name"`
	Args []string `json:"args"`
}

// Flags after "scan source"; the function directory and output flags are
// appended per run. --all-packages only adds the packages without findings
// to the JSON so the test can tell "not seen" from "seen, nothing found".
var variants = []variant{
	{Name: "default", Args: []string{"--offline", "--offline-vulnerabilities", "-r"}},
	{Name: "artifact", Args: []string{"--offline", "--offline-vulnerabilities", "--experimental-plugins", "artifact", "-r"}},
	{Name: "packagejson", Args: []string{"--offline", "--offline-vulnerabilities", "--experimental-plugins", "javascript/packagejson", "-r"}},
}

type output struct {
	Tool        string              `json:"tool"`
	Version     string              `json:"version"`
	VersionText string              `json:"version_text"`
	Database    string              `json:"database"`
	Commands    []string            `json:"commands"`
	Variants    []variant           `json:"variants"`
	Functions   map[string]function `json:"functions"`
}

type function struct {
	// Runs maps a variant name to what osv-scanner reported in that run.
	Runs map[string][]pkgResult `json:"runs"`
}

type pkgResult struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	Version   string `json:"version"`
	// Source is the file osv-scanner read the package from, relative to the
	// unzipped function.
	Source string `json:"source"`
	// IDs are the ids of the advisory records osv-scanner matched, sorted.
	IDs []string `json:"ids"`
	// Groups are osv-scanner's alias groups (its "groups[].ids"), each
	// sorted, sorted by first id.
	Groups [][]string `json:"groups"`
}

// scannerJSON is the subset of osv-scanner's --format json output used here.
type scannerJSON struct {
	Results []struct {
		Source struct {
			Path string `json:"path"`
			Type string `json:"type"`
		} `json:"source"`
		Packages []struct {
			Package struct {
				Name      string `json:"name"`
				Version   string `json:"version"`
				Ecosystem string `json:"ecosystem"`
			} `json:"package"`
			Groups []struct {
				IDs []string `json:"ids"`
			} `json:"groups"`
			Vulnerabilities []struct {
				ID string `json:"id"`
			} `json:"vulnerabilities"`
		} `json:"packages"`
	} `json:"results"`
}

func main() {
	scanner := flag.String("osv-scanner", "/work/peers/osv-scanner", "osv-scanner binary")
	testdata := flag.String("testdata", "testdata", "fnaudit's testdata directory")
	out := flag.String("o", "testdata/peers/osv-scanner-v2.5.0.json", "output file")
	keep := flag.Bool("keep", false, "keep the temporary directory")
	flag.Parse()
	if err := run(*scanner, *testdata, *out, *keep); err != nil {
		log.Fatal(err)
	}
}

func run(scanner, testdata, out string, keep bool) error {
	tmp, err := os.MkdirTemp("", "fnaudit-peer-")
	if err != nil {
		return err
	}
	if keep {
		log.Printf("keeping %s", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}

	verText, err := exec.Command(scanner, "--version").Output()
	if err != nil {
		return fmt.Errorf("%s --version: %w", scanner, err)
	}
	version := ""
	for _, line := range strings.Split(string(verText), "\n") {
		if v, ok := strings.CutPrefix(line, "osv-scanner version: "); ok {
			version = strings.TrimSpace(v)
		}
	}
	if version != "2.5.0" {
		return fmt.Errorf("want osv-scanner 2.5.0, have %q", version)
	}

	dbDir := filepath.Join(tmp, "db")
	if err := buildDB(filepath.Join(testdata, "osv"), dbDir); err != nil {
		return err
	}

	zips, err := filepath.Glob(filepath.Join(testdata, "functions", "*.zip"))
	if err != nil {
		return err
	}
	sort.Strings(zips)
	res := output{
		Tool:        "osv-scanner",
		Version:     version,
		VersionText: strings.TrimSpace(string(verText)),
		Database:    "OSV_SCALIBR_LOCAL_DB_CACHE_DIRECTORY=DB with DB/osv-scalibr/<Ecosystem>/all.zip = zip of testdata/osv/<Ecosystem>/*.json (Go, Maven, NuGet, PyPI, RubyGems, npm)",
		Variants:    variants,
		Functions:   map[string]function{},
	}
	for _, v := range variants {
		res.Commands = append(res.Commands, "OSV_SCALIBR_LOCAL_DB_CACHE_DIRECTORY=DB osv-scanner scan source "+strings.Join(v.Args, " ")+" UNZIPPED --format json --all-packages")
	}
	for _, z := range zips {
		name := filepath.Base(z)
		dir := filepath.Join(tmp, "fn", strings.TrimSuffix(name, ".zip"))
		if err := unzip(z, dir); err != nil {
			return err
		}
		fn := function{Runs: map[string][]pkgResult{}}
		for _, v := range variants {
			pkgs, err := scan(scanner, dbDir, dir, v, filepath.Join(tmp, "raw", strings.TrimSuffix(name, ".zip")+"."+v.Name+".json"))
			if err != nil {
				return fmt.Errorf("%s: %s: %w", name, v.Name, err)
			}
			fn.Runs[v.Name] = pkgs
		}
		res.Functions[name] = fn
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}

// buildDB writes DIR/osv-scalibr/<Ecosystem>/all.zip, osv-scanner's offline
// database layout, one zip of record files per ecosystem directory.
func buildDB(osvDir, dbDir string) error {
	ecos, err := os.ReadDir(osvDir)
	if err != nil {
		return err
	}
	for _, e := range ecos {
		if !e.IsDir() {
			continue
		}
		files, err := filepath.Glob(filepath.Join(osvDir, e.Name(), "*.json"))
		if err != nil {
			return err
		}
		sort.Strings(files)
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			w, err := zw.Create(filepath.Base(f))
			if err != nil {
				return err
			}
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
		if err := zw.Close(); err != nil {
			return err
		}
		d := filepath.Join(dbDir, "osv-scalibr", e.Name())
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(d, "all.zip"), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func unzip(file, dir string) error {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, f := range zr.File {
		name := path.Clean(f.Name)
		if !fs.ValidPath(name) {
			return fmt.Errorf("%s: entry %q escapes the directory", file, f.Name)
		}
		dst := filepath.Join(dir, filepath.FromSlash(name))
		if f.FileInfo().IsDir() {
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err
			}
			continue
		}
		if f.Mode()&fs.ModeSymlink != 0 {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("%s: entry %q: %w", file, f.Name, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("%s: entry %q: %w", file, f.Name, err)
		}
		if err := os.WriteFile(dst, b, f.Mode().Perm()|0o600); err != nil {
			return err
		}
	}
	return nil
}

func scan(scanner, dbDir, dir string, v variant, rawOut string) ([]pkgResult, error) {
	args := append([]string{"scan", "source"}, v.Args...)
	args = append(args, dir, "--format", "json", "--all-packages")
	cmd := exec.Command(scanner, args...)
	cmd.Env = append(os.Environ(), "OSV_SCALIBR_LOCAL_DB_CACHE_DIRECTORY="+dbDir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	// osv-scanner exits 1 when it found vulnerabilities and 128 when it found
	// no packages at all; both are results, anything else is a failure.
	var exit *exec.ExitError
	code := 0
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		return nil, err
	}
	if code != 0 && code != 1 && code != 128 {
		return nil, fmt.Errorf("exit %d: %s", code, stderr.String())
	}
	if err := os.MkdirAll(filepath.Dir(rawOut), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(rawOut, stdout.Bytes(), 0o644); err != nil {
		return nil, err
	}
	if code == 128 {
		return []pkgResult{}, nil
	}
	var sj scannerJSON
	if err := json.Unmarshal(stdout.Bytes(), &sj); err != nil {
		return nil, fmt.Errorf("decode output: %w (stderr: %s)", err, stderr.String())
	}
	pkgs := []pkgResult{}
	for _, r := range sj.Results {
		src, err := filepath.Rel(dir, r.Source.Path)
		if err != nil {
			return nil, err
		}
		for _, p := range r.Packages {
			pr := pkgResult{
				Ecosystem: p.Package.Ecosystem,
				Name:      p.Package.Name,
				Version:   p.Package.Version,
				Source:    filepath.ToSlash(src),
				IDs:       []string{},
				Groups:    [][]string{},
			}
			for _, v := range p.Vulnerabilities {
				pr.IDs = append(pr.IDs, v.ID)
			}
			sort.Strings(pr.IDs)
			for _, g := range p.Groups {
				ids := append([]string(nil), g.IDs...)
				sort.Strings(ids)
				pr.Groups = append(pr.Groups, ids)
			}
			sort.Slice(pr.Groups, func(i, j int) bool { return pr.Groups[i][0] < pr.Groups[j][0] })
			pkgs = append(pkgs, pr)
		}
	}
	sort.Slice(pkgs, func(i, j int) bool {
		a, b := pkgs[i], pkgs[j]
		if a.Ecosystem != b.Ecosystem {
			return a.Ecosystem < b.Ecosystem
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Version != b.Version {
			return a.Version < b.Version
		}
		return a.Source < b.Source
	})
	return pkgs, nil
}
