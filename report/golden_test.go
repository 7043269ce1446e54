package report

import (
	"bytes"
	"cmp"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jedib0t/go-pretty/v6/text"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenFormats are every format, with the file extension of its golden.
var goldenFormats = []struct {
	id, ext string
	opts    Options
}{
	{"table", "txt", Options{}},
	{"table", "color.txt", Options{Color: true}},
	{"table", "80.txt", Options{Width: 80}},
	{"table", "80.color.txt", Options{Width: 80, Color: true}},
	{"json", "json", Options{}},
	{"sarif", "sarif", Options{}},
	{"cyclonedx-json", "cdx.json", Options{}},
	{"markdown", "md", Options{}},
}

// TestGolden renders every stored result of testdata/results (the JSON of
// cmd/fnaudit's golden scans, with fixed times) in every format and
// compares each with testdata/golden/<scenario>.<ext>, as govulncheck's and
// osv-scanner's own output tests do. go test ./report -update rewrites them.
func TestGolden(t *testing.T) {
	t.Parallel()
	results, err := filepath.Glob(filepath.Join("testdata", "results", "*.json"))
	if err != nil || len(results) < 9 {
		t.Fatalf("want the 9 golden scan results in testdata/results, got %d (%v)", len(results), err)
	}
	for _, path := range results {
		scenario := strings.TrimSuffix(filepath.Base(path), ".json")
		t.Run(scenario, func(t *testing.T) {
			t.Parallel()
			r, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range goldenFormats {
				w, err := For(f.id, f.opts)
				if err != nil {
					t.Fatal(err)
				}
				var got bytes.Buffer
				if err := w.Write(&got, r); err != nil {
					t.Fatalf("%s: %v", f.id, err)
				}
				golden := filepath.Join("testdata", "golden", scenario+"."+f.ext)
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatal(err)
				}
				if f.id == "table" {
					checkWidth(t, golden, got.String(), cmp.Or(f.opts.Width, DefaultWidth))
				}
				if !bytes.Equal(got.Bytes(), want) {
					t.Errorf("%s differs from %s; rerun with -update and review the diff", f.id, golden)
				}
			}
		})
	}
}

// checkWidth: every line of a table fits its width in display columns,
// colour codes not counted.
func checkWidth(t *testing.T, name, out string, width int) {
	t.Helper()
	for i, line := range strings.Split(out, "\n") {
		if n := text.StringWidthWithoutEscSequences(line); n > width {
			t.Errorf("%s line %d is %d columns, over %d: %q", name, i+1, n, width, line)
		}
	}
}

// TestJSONRoundTrip: the JSON writer gives back exactly the stored result
// it read, so a result survives any number of report --from hops.
func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	for _, scenario := range []string{"event-stream-exception", "go-bootstrap", "node-app-with-layer"} {
		path := filepath.Join("testdata", "results", scenario+".json")
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := writeJSON(&got, r); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(normaliseIndent(t, got.Bytes()), normaliseIndent(t, want)) {
			t.Errorf("%s: JSON written back differs from the stored result", scenario)
		}
	}
}

// normaliseIndent re-encodes JSON with sorted keys and no indentation, so
// two encodings of one value compare equal.
func normaliseIndent(t *testing.T, b []byte) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
