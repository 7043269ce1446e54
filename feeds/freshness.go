package feeds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"
)

// Freshness policy. A database's age counts from the last time this
// database imported or updated data (or an update confirmed every source
// unchanged), never from the records' own dates: an ecosystem can go a day
// without new advisories, a database cannot go a week without an update.
const (
	// DefaultWarnAge: past this, scan warns that the database is old.
	DefaultWarnAge = 24 * time.Hour
	// DefaultMaxAge: past this, scan refuses to decide (exit 2) unless the
	// user accepts a stale database.
	DefaultMaxAge = 7 * 24 * time.Hour
)

// Flag names scan uses for the freshness policy, after Grype's
// db.validate-age and db.max-allowed-built-age settings (Trivy has no
// equivalent). They live here because StaleError's message names them.
const (
	// FlagValidateAge: --db-validate-age=false accepts a stale database.
	FlagValidateAge = "db-validate-age"
	// FlagMaxAge: --db-max-allowed-age 336h raises the hard limit.
	FlagMaxAge = "db-max-allowed-age"
)

// ErrStale is matched (errors.Is) by the error CheckAge returns for a
// database older than the allowed age.
var ErrStale = errors.New("advisory database is stale")

// StaleError says how stale a database is.
type StaleError struct {
	Path string
	// Ecosystem is the ecosystem whose advisories are stale; "" for the
	// database as a whole.
	Ecosystem   string
	LastUpdated time.Time
	Age         time.Duration
	MaxAge      time.Duration
	// Future: LastUpdated lies ahead of the clock (a wrong clock on the
	// importing machine, or a crafted file); such a database could never
	// go stale, so it counts as stale now.
	Future bool
}

func (e *StaleError) Error() string {
	what, verb := "advisory database "+e.Path, "was"
	if e.Ecosystem != "" {
		what, verb = "the "+e.Ecosystem+" advisories in "+e.Path, "were"
	}
	if e.Future {
		return fmt.Sprintf("%s %s updated at %s according to the database, in the future: the clock of this machine or of the one that built the database is wrong; run `fnaudit db update`, or pass --%s=false to accept it",
			what, verb, e.LastUpdated.UTC().Format(time.RFC3339), FlagValidateAge)
	}
	return fmt.Sprintf("%s %s last updated %s ago (%s), more than the %s allowed: run `fnaudit db update`, or pass --%s=false to accept a stale database",
		what, verb, FormatAge(e.Age), e.LastUpdated.UTC().Format(time.RFC3339), FormatAge(e.MaxAge), FlagValidateAge)
}

// Is makes errors.Is(err, ErrStale) true.
func (e *StaleError) Is(target error) bool { return target == ErrStale }

// maxClockSkew is how far in the future a recorded update time may lie
// before the database counts as stale: a little skew between the machine
// that imported and the one that scans is normal; a time days ahead would
// otherwise keep a database "fresh" for ever.
const maxClockSkew = 5 * time.Minute

// LastUpdated is when this database last imported or updated advisory data
// (an osv.dev export or an imported OSV file, zip or folder), or an update
// last confirmed that its exports had not changed. Block-list imports do
// not count: an organisation's own entries say nothing about how current
// the public advisories are. A database holding only block-list entries
// falls back to the time of its last write.
func (s *Store) LastUpdated(ctx context.Context) (time.Time, error) {
	srcs, err := s.sourceTimes(ctx)
	if err != nil {
		return time.Time{}, err
	}
	var t int64
	for _, st := range srcs {
		if st.typ != SourceBlockList {
			t = max(t, st.fresh())
		}
	}
	if t == 0 {
		t = s.updatedAt
	}
	if t == 0 {
		return time.Time{}, fmt.Errorf("advisory database %s records no update time", s.path)
	}
	return time.Unix(t, 0).UTC(), nil
}

// CheckAge returns the database's age at now, and a *StaleError (matching
// ErrStale) when it is older than maxAge (DefaultMaxAge when maxAge <= 0)
// or its update time lies in the future (beyond maxClockSkew). Scan's use:
//
//	age, err := store.CheckAge(ctx, time.Now(), maxAge)
//	if errors.Is(err, feeds.ErrStale) && validateAge { return err } // exit 2
//	if age > feeds.DefaultWarnAge { warn }
//
// CheckCoverage applies the same rule per ecosystem and is the check a scan
// must make before matching.
func (s *Store) CheckAge(ctx context.Context, now time.Time, maxAge time.Duration) (time.Duration, error) {
	last, err := s.LastUpdated(ctx)
	if err != nil {
		return 0, err
	}
	return checkAge(s.path, "", last, now, maxAge)
}

func checkAge(path, ecosystem string, last, now time.Time, maxAge time.Duration) (time.Duration, error) {
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	if last.Sub(now) > maxClockSkew {
		return 0, &StaleError{Path: path, Ecosystem: ecosystem, LastUpdated: last, MaxAge: maxAge, Future: true}
	}
	age := max(now.Sub(last), 0)
	if age > maxAge {
		return age, &StaleError{Path: path, Ecosystem: ecosystem, LastUpdated: last, Age: age, MaxAge: maxAge}
	}
	return age, nil
}

// FormatAge renders a duration the way status prints ages: "3d4h", "5h12m",
// "42s".
func FormatAge(d time.Duration) string {
	d = d.Truncate(time.Second)
	switch {
	case d >= 24*time.Hour:
		days := d / (24 * time.Hour)
		h := (d - days*24*time.Hour) / time.Hour
		return fmt.Sprintf("%dd%dh", days, h)
	case d >= time.Hour:
		return fmt.Sprintf("%dh%dm", d/time.Hour, (d%time.Hour)/time.Minute)
	case d >= time.Minute:
		return fmt.Sprintf("%dm%ds", d/time.Minute, (d%time.Minute)/time.Second)
	}
	return fmt.Sprintf("%ds", d/time.Second)
}

// checkedFile records that an update found every source unchanged (all
// answered 304) at CheckedAt, for the database generation it checked. It
// sits beside the database because the database itself is never modified
// in place, and rebuilding it to store one timestamp would be exactly the
// work a 304 is meant to save. A new generation makes it obsolete.
type checkedFile struct {
	Generation string `json:"generation"`
	CheckedAt  int64  `json:"checked_at"`
	// Sources are the export URLs the update checked; a file without
	// them (written by an older fnaudit) covers every export source.
	Sources []string `json:"sources,omitempty"`
}

// covers reports whether the note confirms the export source name.
func (c checkedFile) covers(name string) bool {
	return len(c.Sources) == 0 || slices.Contains(c.Sources, name)
}

func checkedPath(dbPath string) string { return dbPath + ".checked" }

func readChecked(dbPath string) (checkedFile, bool) {
	var c checkedFile
	data, err := os.ReadFile(checkedPath(dbPath))
	if err != nil || json.Unmarshal(data, &c) != nil {
		return c, false
	}
	return c, true
}

// writeChecked replaces the checked file atomically (temp file + rename).
func writeChecked(dbPath string, c checkedFile) error {
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	tmp := tempPrefix(dbPath) + "checked-" + randomHex(8)
	f, err := createFile(tmp)
	if err != nil {
		return fmt.Errorf("record update check: %w", err)
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(tmp)
		return fmt.Errorf("record update check: %w", werr)
	}
	if err := os.Rename(tmp, checkedPath(dbPath)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("record update check: %w", err)
	}
	return nil
}
