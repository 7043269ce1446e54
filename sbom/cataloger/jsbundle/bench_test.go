package jsbundle

import (
	"path/filepath"
	"testing"
)

// BenchmarkCatalog runs the cataloger over each committed fixture zip
// (content read from the zip each time, as fnaudit reads its artifact view).
func BenchmarkCatalog(b *testing.B) {
	zips, err := filepath.Glob(filepath.Join(bundlesDir, "*.zip"))
	if err != nil || len(zips) == 0 {
		b.Fatalf("no fixtures in %s: %v", bundlesDir, err)
	}
	for _, z := range zips {
		fsys := openZipFS(b, z)
		b.Run(filepath.Base(z), func(b *testing.B) {
			for b.Loop() {
				if _, err := Catalog(fsys, DefaultLimits()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
