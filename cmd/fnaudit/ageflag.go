package main

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/fnaudit/fnaudit/feeds"
)

// ageValue is a --db-max-allowed-age: days ("7d", as Grype's
// max-allowed-built-age users write it), a Go duration ("36h"), or both
// ("1d12h").
type ageValue time.Duration

var daysPrefix = regexp.MustCompile(`^(\d+)d(.*)$`)

func (a *ageValue) Set(s string) error {
	var d time.Duration
	rest := s
	if m := daysPrefix.FindStringSubmatch(s); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			return fmt.Errorf("%q: want days (7d) or a duration (36h)", s)
		}
		d, rest = time.Duration(n)*24*time.Hour, m[2]
	}
	if rest != "" {
		more, err := time.ParseDuration(rest)
		if err != nil {
			return fmt.Errorf("%q: want days (7d) or a duration (36h)", s)
		}
		d += more
	}
	if d <= 0 {
		return fmt.Errorf("%q: want a positive age", s)
	}
	*a = ageValue(d)
	return nil
}

func (a *ageValue) String() string { return feeds.FormatAge(time.Duration(*a)) }
func (a *ageValue) Type() string   { return "age" }
