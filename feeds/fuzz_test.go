package feeds

import (
	"archive/zip"
	"bytes"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/fnaudit/fnaudit/core"
)

// FuzzParseRecord: any input is either rejected with an error or accepted
// as a record that can be filed and read back: an id, index keys (sorted,
// unique, canonical) unless withdrawn, and stored JSON that parses to the
// same record.
func FuzzParseRecord(f *testing.F) {
	for _, eco := range corpusEcosystems {
		files := corpusFiles(f, eco)
		for _, p := range files[:min(3, len(files))] {
			raw, _ := os.ReadFile(p)
			f.Add(raw)
		}
	}
	f.Add([]byte(`{"id":"MAL-1","modified":"2025-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"A_b"}}]}`))
	f.Add([]byte(`{"id":"X","modified":"2025-01-01T00:00:00Z","withdrawn":"2025-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"id":"X","modified":"2025-01-01T00:00:00Z","affected":[{"package":{"ecosystem":" npm ","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"not.a.version"}]}]}]}`))
	f.Add([]byte(`{"id":"X","modified":"2025-01-01T00:00:00Z","affected":[{"ranges":[{"type":"GIT","repo":"r","events":[{"introduced":"0"}]}]}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		peekID(raw)
		r, err := parseRecord(raw, false)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error %q", err)
			}
			return
		}
		if r.id == "" || checkID(r.id) != nil || strings.HasPrefix(r.id, BlockListPrefix) {
			t.Fatalf("accepted bad id %q", r.id)
		}
		if len(r.keys) == 0 && r.kind != KindWithdrawn {
			t.Fatalf("accepted unindexable record %s", r.id)
		}
		if !sort.SliceIsSorted(r.keys, func(i, j int) bool {
			return r.keys[i].ecosystem < r.keys[j].ecosystem || r.keys[i].ecosystem == r.keys[j].ecosystem && r.keys[i].name < r.keys[j].name
		}) {
			t.Fatalf("keys not sorted: %v", r.keys)
		}
		for i, k := range r.keys {
			if c, err := CanonicalEcosystem(k.ecosystem); err != nil || c != k.ecosystem {
				t.Fatalf("key ecosystem %q not canonical", k.ecosystem)
			}
			if core.NormalizeName(k.ecosystem, k.name) != k.name || k.name == "" {
				t.Fatalf("key name %q not normalized", k.name)
			}
			if i > 0 && r.keys[i-1] == k {
				t.Fatalf("duplicate key %v", k)
			}
			if decodeKeys(encodeKeys(r.keys))[i] != k {
				t.Fatalf("key %v does not survive storage", k)
			}
		}
		v, err := decodeStored(r.storedData())
		if err != nil {
			t.Fatalf("stored record does not decode: %v", err)
		}
		want := &osvschema.Vulnerability{}
		if err := decodeOptions.Unmarshal(raw, want); err != nil {
			t.Fatal(err)
		}
		// The importer stores ecosystems in their canonical spelling.
		for _, a := range want.GetAffected() {
			if p := a.GetPackage(); p.GetEcosystem() != "" {
				p.Ecosystem, _ = CanonicalEcosystem(p.GetEcosystem())
			}
		}
		if checkSemverRanges(v) != nil {
			t.Fatalf("accepted a SEMVER range event that is not a version: %s", r.id)
		}
		if !proto.Equal(v, want) || v.GetId() != r.id || Classify(v) != r.kind {
			t.Fatalf("stored record differs from the input: %s %s", v.GetId(), Classify(v))
		}
	})
}

// FuzzParseBlockList: a block list is rejected, or every entry becomes a
// record the importer accepts.
func FuzzParseBlockList(f *testing.F) {
	f.Add([]byte(exampleBlockList))
	f.Add([]byte("author: a\nentries:\n  - ecosystem: npm\n    name: x\n    versions: [\"1\"]\n    reason: r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		vs, err := ParseBlockList(bytes.NewReader(data), "fuzz.yaml", t0)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error %q", err)
			}
			return
		}
		for _, v := range vs {
			raw, err := protojson.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			r, err := parseRecord(raw, true)
			if err != nil {
				t.Fatalf("entry %s not importable: %v", v.GetId(), err)
			}
			if r.kind != KindMalicious || !strings.HasPrefix(r.id, BlockListPrefix) {
				t.Fatalf("entry %s is %s", r.id, r.kind)
			}
		}
	})
}

// FuzzNormalizeName: normalizing is idempotent, so a name normalized at
// import time is found by a lookup that normalizes again.
func FuzzNormalizeName(f *testing.F) {
	for _, s := range []string{"Django_REST..framework", "@Babel/Core", "group/artifact", " x ", "ǅungla_Ⅻ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		for _, eco := range []string{"PyPI", "npm", "Maven", "Go", "NuGet", "Packagist", "RubyGems"} {
			n := core.NormalizeName(eco, name)
			if again := core.NormalizeName(eco, n); again != n {
				t.Fatalf("%s: %q -> %q -> %q", eco, name, n, again)
			}
		}
	})
}

// FuzzReadZip: hostile export zips end in an error, never a panic or a
// runaway allocation.
func FuzzReadZip(f *testing.F) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("MAL-1.json")
	w.Write([]byte(`{"id":"MAL-1","modified":"2025-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"}}]}`))
	zw.Close()
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		readZip(zr, "fuzz.zip", func(entry string, read func() ([]byte, error)) error {
			raw, err := read()
			if err != nil {
				return err
			}
			_, err = parseRecord(raw, false)
			return err
		})
	})
}
