package feeds

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/encoding/protojson"
)

// corpusDir holds the 103 real OSV records, one folder per ecosystem
// (testdata/CORPUS-MANIFEST.md §1).
const corpusDir = "../testdata/osv"

var corpusEcosystems = []string{"Go", "Maven", "NuGet", "PyPI", "RubyGems", "Ubuntu", "npm"}

// fixedClock is a clock tests control.
type fixedClock struct{ t time.Time }

func (c *fixedClock) now() time.Time { return c.t }

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// corpusFiles lists the corpus files of one ecosystem folder.
func corpusFiles(t testing.TB, eco string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpusDir, eco, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files for %s: %v", eco, err)
	}
	sort.Strings(files)
	return files
}

// exportZip builds an osv.dev-style export (all.zip: <ID>.json members)
// from the given files.
func exportZip(t testing.TB, files []string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(filepath.Base(f))
		if err != nil {
			t.Fatal(err)
		}
		w.Write(raw)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readRecord decodes a corpus file the way a user of the library would.
func readRecord(t testing.TB, path string) *osvschema.Vulnerability {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v := &osvschema.Vulnerability{}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

// importCorpus imports the whole corpus folder into a new database.
func importCorpus(t testing.TB) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "advisories.db")
	clk := &fixedClock{t: t0}
	if _, err := Import(context.Background(), db, []string{corpusDir}, WithClock(clk.now)); err != nil {
		t.Fatalf("import corpus: %v", err)
	}
	return db
}

func fileDigest(t testing.TB, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// corpusPackages lists every (ecosystem, name) the corpus records affect,
// as the records spell them.
func corpusPackages(t testing.TB) [][2]string {
	t.Helper()
	seen := map[[2]string]bool{}
	var out [][2]string
	for _, eco := range corpusEcosystems {
		for _, f := range corpusFiles(t, eco) {
			for _, a := range readRecord(t, f).GetAffected() {
				k := [2]string{a.GetPackage().GetEcosystem(), a.GetPackage().GetName()}
				if !seen[k] {
					seen[k] = true
					out = append(out, k)
				}
			}
		}
	}
	return out
}

// lookupSnapshot answers every corpus package from the database at path and
// renders the answers, so two states of a database can be compared exactly.
func lookupSnapshot(t testing.TB, path string) string {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer s.Close()
	var b strings.Builder
	for _, p := range corpusPackages(t) {
		vs, err := s.Lookup(context.Background(), p[0], p[1])
		if err != nil {
			t.Fatalf("lookup %v: %v", p, err)
		}
		b.WriteString(p[0] + "/" + p[1] + ":")
		for _, v := range vs {
			out, _ := protojson.Marshal(v)
			b.Write(out)
			b.WriteByte(' ')
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func ids(vs []*osvschema.Vulnerability) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.GetId())
	}
	return out
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// checkOneLineError asserts that err is one line and contains every want.
func checkOneLineError(t *testing.T, err error, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error is not one line: %q", err)
	}
}

// countsByEcosystem keys a status's counts by ecosystem.
func countsByEcosystem(st *Status) map[string]Counts {
	out := map[string]Counts{}
	for _, e := range st.Ecosystems {
		out[e.Ecosystem] = e.Counts
	}
	return out
}
