package feeds

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// Issue 10.4: a record stays while any source provides it. A folder A and
// a mirror B both hold MAL-2025-20690 with the same "modified"; B's import
// takes the stored copy; B dropping the record must not delete it while A
// still has it.
func TestRecordKeptWhileAnySourceHasIt(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "advisories.db")
	mal, err := os.ReadFile(filepath.Join(corpusDir, "npm", "MAL-2025-20690.json"))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := os.ReadFile(filepath.Join(corpusDir, "npm", "MAL-2025-46969.json"))
	a, b := filepath.Join(dir, "A"), filepath.Join(dir, "B")
	writeRecord(t, a, "MAL-2025-20690.json", string(mal))
	writeRecord(t, b, "MAL-2025-20690.json", string(mal))
	writeRecord(t, b, "MAL-2025-46969.json", string(other))

	importAt(t, db, t0, a)
	if st := importAt(t, db, t0.Add(time.Minute), b); st.Replaced != 1 || st.Inserted != 1 {
		t.Errorf("mirror import: %+v, want the tie replaced (ownership to B)", st)
	}
	os.Remove(filepath.Join(b, "MAL-2025-20690.json"))
	if st := importAt(t, db, t0.Add(2*time.Minute), b); st.Removed != 0 {
		t.Errorf("B dropped the record A still has: %+v, want nothing removed", st)
	}
	lookup := func() []string {
		s := openT(t, db)
		defer s.Close()
		vs, err := s.Lookup(ctx, "npm", "flatmap-stream")
		if err != nil {
			t.Fatal(err)
		}
		return ids(vs)
	}
	if got := lookup(); !reflect.DeepEqual(got, []string{"MAL-2025-20690"}) {
		t.Fatalf("flatmap-stream after B dropped it: %v, want MAL-2025-20690 (A still has it)", got)
	}
	// Status counts the record under A, its one remaining source.
	s := openT(t, db)
	st, err := s.Status(ctx, t0.Add(time.Hour))
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for _, src := range st.Sources {
		per[filepath.Base(src.Source)] = src.Totals.Total
	}
	if per["A"] != 1 || per["B"] != 1 || st.Totals.Total != 2 {
		t.Errorf("per-source totals %v, total %d; want A 1, B 1, 2", per, st.Totals.Total)
	}
	// Once A drops it too, it goes.
	os.Remove(filepath.Join(a, "MAL-2025-20690.json"))
	writeRecord(t, a, "MAL-2025-46969.json", string(other))
	if st := importAt(t, db, t0.Add(3*time.Minute), a); st.Removed != 1 {
		t.Errorf("last source dropped the record: %+v, want 1 removed", st)
	}
	if got := lookup(); len(got) != 0 {
		t.Errorf("flatmap-stream after every source dropped it: %v", got)
	}
}
