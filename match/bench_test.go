package match

import (
	"context"
	"fmt"
	"testing"

	"github.com/fnaudit/fnaudit/core"
)

// BenchmarkMatch matches the corpus functions' packages against the corpus
// records in memory: once as they are (106 packages), and
// copied to 10,000 packages at distinct paths, the size of a large
// node_modules tree, where most packages repeat a name and every copy is
// evaluated.
func BenchmarkMatch(b *testing.B) {
	src := corpusSource(b)
	var base []core.Package
	for zip, fn := range expectedPackages(b) {
		base = append(base, functionPackages(zip, fn)...)
	}
	for _, n := range []int{len(base), 10000} {
		pkgs := make([]core.Package, n)
		for i := range pkgs {
			p := base[i%len(base)]
			p.Paths = []string{fmt.Sprintf("copy%d/%s", i/len(base), p.Path())}
			pkgs[i] = p
		}
		b.Run(fmt.Sprintf("packages=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Match(context.Background(), src, pkgs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
