package benchgen

import (
	"archive/zip"
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/encoding/protojson"
)

// NPMExportRecords is the size of the benchmark advisory export: the order
// of osv.dev's real npm export, which is mostly OpenSSF MAL records.
const NPMExportRecords = 250_000

// WriteNPMExport writes to path a synthetic export of n records shaped like
// osv.dev's npm all.zip: 94% MAL records and 6% GHSA records, each a real
// npm record of corpusDir/npm (so sizes and field mixes are real) with a new
// id, package name and dates. 60% of the records have a package of their
// own; the other 40% fall on a fifth of those packages, so about 30,000
// packages have several records (4 or 5 on average), as popular names
// squatted again and again do. Names are "pkg-N" and "@scopeM/pkg-N", so the
// generated Node function (WriteNode, whose packages from pkg-1000 on share
// these names) has real matching work to do. It returns the package names,
// in order of first use.
func WriteNPMExport(path string, n int, corpusDir string) ([]string, error) {
	type template struct {
		raw                     string
		id, modified, published string
		names                   []string // affected package names, in order
	}
	files, err := filepath.Glob(filepath.Join(corpusDir, "npm", "*.json"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no npm records in %s: %v", corpusDir, err)
	}
	sort.Strings(files)
	var mal, ghsa []template
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		v := &osvschema.Vulnerability{}
		if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(raw, v); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		t := template{raw: string(raw), id: v.GetId(), modified: v.GetModified().AsTime().Format(time.RFC3339), published: v.GetPublished().AsTime().Format(time.RFC3339)}
		for _, a := range v.GetAffected() {
			t.names = append(t.names, a.GetPackage().GetName())
		}
		for _, want := range []string{`"id": "` + t.id + `"`, `"modified": "` + t.modified + `"`} {
			if !strings.Contains(t.raw, want) {
				return nil, fmt.Errorf("%s: %s not found verbatim", f, want)
			}
		}
		if strings.HasPrefix(t.id, "MAL-") {
			mal = append(mal, t)
		} else {
			ghsa = append(ghsa, t)
		}
	}
	out, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	defer out.Close()
	bw := bufio.NewWriterSize(out, 1<<20)
	zw := zip.NewWriter(bw)
	rng := rand.New(rand.NewPCG(1, 2))
	distinct := n * 6 / 10
	names := make([]string, 0, distinct)
	base := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		var name string
		if i < distinct {
			if i%10 == 0 {
				name = fmt.Sprintf("@scope%d/pkg-%d", i%1000, i)
			} else {
				name = fmt.Sprintf("pkg-%d", i)
			}
			names = append(names, name)
		} else {
			name = names[rng.IntN(distinct/5)]
		}
		date := base.Add(time.Duration(rng.Int64N(int64(4 * 365 * 24 * time.Hour)))).Format(time.RFC3339)
		var t template
		var id string
		if rng.IntN(100) < 94 {
			t = mal[rng.IntN(len(mal))]
			id = fmt.Sprintf("MAL-%d-%d", 2022+i%5, i)
		} else {
			t = ghsa[rng.IntN(len(ghsa))]
			id = fmt.Sprintf("GHSA-%04x-%04x-%04x", i&0xffff, (i>>16)&0xffff, rng.IntN(0x10000))
		}
		pairs := []string{
			`"id": "` + t.id + `"`, `"id": "` + id + `"`,
			`"modified": "` + t.modified + `"`, `"modified": "` + date + `"`,
			`"published": "` + t.published + `"`, `"published": "` + date + `"`,
		}
		for k, pn := range t.names {
			nn := name
			if k > 0 {
				nn = fmt.Sprintf("%s-extra-%d", name, k)
			}
			pairs = append(pairs, `"name": "`+pn+`"`, `"name": "`+nn+`"`)
		}
		w, err := zw.Create(id + ".json")
		if err != nil {
			return nil, err
		}
		if _, err := strings.NewReplacer(pairs...).WriteString(w, t.raw); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	return names, out.Close()
}

// CachedExport returns a directory in osv-scanner's offline layout
// (DIR/osv-scalibr/<Ecosystem>/all.zip, OSV_SCALIBR_LOCAL_DB_CACHE_DIRECTORY)
// holding the NPMExportRecords-record synthetic npm export together with the
// corpus records of corpusDir for every other ecosystem, generated into the
// user cache directory on first use. fnaudit imports the same zips, so both
// tools read the same data.
func CachedExport(corpusDir string) (string, error) {
	dir, err := cacheDir(fmt.Sprintf("osv-export-npm%d", NPMExportRecords))
	if err != nil {
		return "", err
	}
	npm := filepath.Join(dir, "osv-scalibr", "npm", "all.zip")
	if _, err := os.Stat(npm); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(filepath.Dir(npm), 0o755); err != nil {
		return "", err
	}
	ecosystems, err := os.ReadDir(corpusDir)
	if err != nil {
		return "", err
	}
	for _, e := range ecosystems {
		if !e.IsDir() || e.Name() == "npm" {
			continue
		}
		if err := zipDir(filepath.Join(corpusDir, e.Name()), filepath.Join(dir, "osv-scalibr", e.Name(), "all.zip")); err != nil {
			return "", err
		}
	}
	tmp := npm + ".tmp"
	if _, err := WriteNPMExport(tmp, NPMExportRecords, corpusDir); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return dir, os.Rename(tmp, npm)
}

// zipDir writes an export zip of the *.json records in dir.
func zipDir(dir, dest string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return err
	}
	out, err := os.Create(dest)
	if err != nil {
		return err
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		w, err := zw.Create(filepath.Base(f))
		if err != nil {
			return err
		}
		if _, err := w.Write(raw); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return out.Close()
}

func cacheDir(name string) (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "fnaudit-bench", name)
	return dir, os.MkdirAll(dir, 0o755)
}
