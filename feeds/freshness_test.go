package feeds

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCheckAge(t *testing.T) {
	db := importCorpus(t) // imported at t0
	s, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	last, err := s.LastUpdated(ctx)
	if err != nil || !last.Equal(t0) {
		t.Fatalf("LastUpdated = %v, %v; want %v", last, err, t0)
	}
	age, err := s.CheckAge(ctx, t0.Add(25*time.Hour), 0)
	if err != nil || age != 25*time.Hour || age <= DefaultWarnAge {
		t.Errorf("after 25h: age %v, err %v; want a warning-age database accepted", age, err)
	}
	age, err = s.CheckAge(ctx, t0.Add(8*24*time.Hour), 0)
	if !errors.Is(err, ErrStale) || age != 8*24*time.Hour {
		t.Fatalf("after 8 days: age %v, err %v; want ErrStale", age, err)
	}
	var se *StaleError
	if !errors.As(err, &se) || se.MaxAge != DefaultMaxAge || !se.LastUpdated.Equal(t0) {
		t.Errorf("stale error %+v", se)
	}
	for _, want := range []string{db, "8d0h ago", "2026-03-01T12:00:00Z", "7d0h allowed", "fnaudit db update", "--db-validate-age=false"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not contain %q", err, want)
		}
	}
	if _, err := s.CheckAge(ctx, t0.Add(8*24*time.Hour), 14*24*time.Hour); err != nil {
		t.Errorf("8 days with a 14-day limit: %v", err)
	}
	// A clock a little behind the database is not a negative age...
	if age, err := s.CheckAge(ctx, t0.Add(-time.Minute), 0); age != 0 || err != nil {
		t.Errorf("clock a minute behind: %v, %v", age, err)
	}
	// ...but an update time an hour in the future would never go stale.
	_, err = s.CheckAge(ctx, t0.Add(-time.Hour), 0)
	if !errors.As(err, &se) || !se.Future || !strings.Contains(err.Error(), "in the future") {
		t.Errorf("update time in the future: %v, want a stale error", err)
	}
}

// The "checked" note of an update that found nothing new only counts for
// the database generation it checked, and only for the exports it names:
// an update never checks imported files.
func TestCheckedNoteBelongsToGeneration(t *testing.T) {
	db := importCorpus(t)
	s, _ := Open(db)
	gen := s.generation
	s.Close()
	if err := writeChecked(db, checkedFile{Generation: gen, CheckedAt: t0.Add(time.Hour).Unix()}); err != nil {
		t.Fatal(err)
	}
	s, _ = Open(db)
	last, _ := s.LastUpdated(context.Background())
	s.Close()
	if !last.Equal(t0) {
		t.Errorf("LastUpdated %v, want the import time (a check note covers exports only)", last)
	}
	// A new import makes a new generation: the old note no longer applies.
	if _, err := Import(context.Background(), db, []string{corpusDir + "/Go"}, WithClock((&fixedClock{t: t0.Add(30 * time.Minute)}).now)); err != nil {
		t.Fatal(err)
	}
	s, _ = Open(db)
	last, _ = s.LastUpdated(context.Background())
	s.Close()
	if !last.Equal(t0.Add(30 * time.Minute)) {
		t.Errorf("LastUpdated %v, want the new import's time", last)
	}
}

func TestFormatAge(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                            "0s",
		42 * time.Second:             "42s",
		5*time.Minute + time.Second:  "5m1s",
		5*time.Hour + 12*time.Minute: "5h12m",
		(3*24 + 4) * time.Hour:       "3d4h",
	} {
		if got := FormatAge(d); got != want {
			t.Errorf("FormatAge(%v) = %q, want %q", d, got, want)
		}
	}
}
