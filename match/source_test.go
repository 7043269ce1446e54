package match

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/fnaudit/fnaudit/core"
	"github.com/fnaudit/fnaudit/internal/advisory"
)

// memSource is an in-memory Source over a set of records, indexed the way
// feeds.Store indexes them: by each affected package's ecosystem and
// normalised name.
type memSource struct {
	all   []*osvschema.Vulnerability
	index map[string][]*osvschema.Vulnerability
	calls int
}

func newMemSource(recs []*osvschema.Vulnerability) *memSource {
	s := &memSource{all: recs, index: map[string][]*osvschema.Vulnerability{}}
	for _, v := range recs {
		seen := map[string]bool{}
		for _, a := range v.GetAffected() {
			k := memKey(a.GetPackage().GetEcosystem(), a.GetPackage().GetName())
			if !seen[k] {
				seen[k] = true
				s.index[k] = append(s.index[k], v)
			}
		}
	}
	for _, vs := range s.index {
		slices.SortFunc(vs, func(a, b *osvschema.Vulnerability) int { return strings.Compare(a.GetId(), b.GetId()) })
	}
	return s
}

func memKey(eco, name string) string {
	return eco + "\x00" + core.NormalizeName(eco, name)
}

func (s *memSource) Lookup(ctx context.Context, ecosystem, name string) ([]*osvschema.Vulnerability, error) {
	s.calls++
	return s.index[memKey(ecosystem, name)], ctx.Err()
}

// byID returns the record with id; it fails the test when there is none.
func (s *memSource) byID(tb testing.TB, id string) *osvschema.Vulnerability {
	tb.Helper()
	for _, v := range s.all {
		if v.GetId() == id {
			return v
		}
	}
	tb.Fatalf("no record %s in the corpus", id)
	return nil
}

var (
	corpusOnce sync.Once
	corpusRecs []*osvschema.Vulnerability
	corpusErr  error
)

// corpusRecords reads every record of testdata/osv/<Ecosystem>/*.json once.
// Parsing is strict (no unknown fields): the PYSEC records, converted from
// YAML with every scalar a string, must parse as the schema says.
func corpusRecords(tb testing.TB) []*osvschema.Vulnerability {
	tb.Helper()
	corpusOnce.Do(func() {
		files, err := filepath.Glob(filepath.Join("..", "testdata", "osv", "*", "*.json"))
		if err != nil {
			corpusErr = err
			return
		}
		slices.Sort(files)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				corpusErr = err
				return
			}
			v := &osvschema.Vulnerability{}
			if err := protojson.Unmarshal(b, v); err != nil {
				corpusErr = &parseError{file: f, err: err}
				return
			}
			corpusRecs = append(corpusRecs, v)
		}
	})
	if corpusErr != nil {
		tb.Fatal(corpusErr)
	}
	return corpusRecs
}

type parseError struct {
	file string
	err  error
}

func (e *parseError) Error() string { return "parse " + e.file + ": " + e.err.Error() }

func corpusSource(tb testing.TB) *memSource {
	tb.Helper()
	return newMemSource(corpusRecords(tb))
}

func TestCorpusRecordsParse(t *testing.T) {
	recs := corpusRecords(t)
	if len(recs) != 103 { // the manifest's 102 and testdata/README.md's Ubuntu record
		t.Fatalf("parsed %d records, want 103", len(recs))
	}
	kinds := map[core.Kind]int{}
	for _, v := range recs {
		kinds[advisory.Classify(v)]++
	}
	// 27 MAL records + 5 GitHub malware advisories (CWE-506).
	if kinds[core.KindMalicious] != 32 || kinds[core.KindVulnerability] != 71 || kinds[core.KindWithdrawn] != 0 {
		t.Errorf("kinds = %v, want 32 malicious, 71 vulnerability", kinds)
	}
}
