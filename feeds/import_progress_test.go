package feeds

import (
	"context"
	"path/filepath"
	"testing"
)

// TestImportRecordProgress: the progress callback sees every record read,
// in order, ending at the import's count.
func TestImportRecordProgress(t *testing.T) {
	t.Parallel()
	var seen []int
	st, err := Import(context.Background(), filepath.Join(t.TempDir(), "a.db"), []string{"../testdata/osv"},
		WithRecordProgress(func(n int) { seen = append(seen, n) }))
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != st.Read || st.Read == 0 || seen[len(seen)-1] != st.Read || seen[0] != 1 {
		t.Errorf("progress %d calls (last %v) for %d records", len(seen), seen[len(seen)-1:], st.Read)
	}
}
