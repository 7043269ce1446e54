// Package config reads configuration facts from a function's settings, the
// first step of a config-risk area: a deprecated (end-of-life) runtime,
// environment variables whose values look like credentials, and one
// execution role shared by many functions. It never stores or prints a
// variable's value.
package config

import (
	"fmt"
	"sort"
	"time"

	"github.com/fnaudit/fnaudit/fleet"
)

// RuntimesSource is where the deprecation dates below come from.
const RuntimesSource = "AWS Lambda Developer Guide, \"Lambda runtimes\" (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html): the \"Deprecated runtimes\" table, and the projected deprecation dates of the \"Supported runtimes\" table; checked 2026-11-28"

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// deprecations maps a runtime identifier to its deprecation date (Lambda's
// "Deprecation date" column: from that day it gets no security patches).
// Dates still in the future are projections by AWS; a runtime is reported
// only once its date has passed. Source: RuntimesSource.
var deprecations = map[string]time.Time{
	// Deprecated runtimes table
	"nodejs18.x":     day(2025, time.September, 1),
	"nodejs16.x":     day(2024, time.June, 12),
	"nodejs14.x":     day(2023, time.December, 4),
	"nodejs12.x":     day(2023, time.March, 31),
	"nodejs10.x":     day(2021, time.July, 30),
	"nodejs8.10":     day(2020, time.March, 6),
	"nodejs6.10":     day(2019, time.August, 12),
	"nodejs4.3":      day(2020, time.March, 5),
	"nodejs4.3-edge": day(2020, time.March, 5),
	"nodejs":         day(2016, time.October, 31),
	"python3.9":      day(2025, time.December, 15),
	"python3.8":      day(2024, time.October, 14),
	"python3.7":      day(2023, time.December, 4),
	"python3.6":      day(2022, time.July, 18),
	"python2.7":      day(2021, time.July, 15),
	"java8":          day(2024, time.January, 8),
	"go1.x":          day(2024, time.January, 8),
	"provided":       day(2024, time.January, 8),
	"ruby2.7":        day(2023, time.December, 7),
	"ruby2.5":        day(2021, time.July, 30),
	"dotnet7":        day(2024, time.May, 14),
	"dotnet6":        day(2024, time.December, 20),
	"dotnet5.0":      day(2022, time.May, 10),
	"dotnetcore3.1":  day(2023, time.April, 3),
	"dotnetcore2.1":  day(2022, time.January, 5),
	"dotnetcore2.0":  day(2019, time.May, 30),
	"dotnetcore1.0":  day(2019, time.July, 30),
	// Supported runtimes table (projected dates)
	"nodejs20.x":      day(2026, time.April, 30),
	"nodejs22.x":      day(2027, time.April, 30),
	"python3.10":      day(2026, time.June, 30),
	"python3.11":      day(2026, time.June, 30),
	"python3.12":      day(2028, time.October, 31),
	"python3.13":      day(2029, time.June, 30),
	"java8.al2":       day(2026, time.June, 30),
	"java11":          day(2026, time.June, 30),
	"java17":          day(2026, time.June, 30),
	"java21":          day(2029, time.June, 30),
	"dotnet8":         day(2026, time.November, 10),
	"ruby3.2":         day(2026, time.March, 31),
	"ruby3.3":         day(2027, time.March, 31),
	"provided.al2":    day(2026, time.June, 30),
	"provided.al2023": day(2029, time.June, 30),
}

// Deprecation returns the deprecation date of runtime and whether the table
// knows it.
func Deprecation(runtime string) (time.Time, bool) {
	d, ok := deprecations[runtime]
	return d, ok
}

// EOLRuntime returns an eol-runtime finding when runtime's deprecation date
// is on or before now.
func EOLRuntime(runtime string, now time.Time) (fleet.ConfigFinding, bool) {
	d, ok := deprecations[runtime]
	if !ok || now.Before(d) {
		return fleet.ConfigFinding{}, false
	}
	return fleet.ConfigFinding{
		Kind:    fleet.KindEOLRuntime,
		Runtime: runtime,
		Date:    d,
		Detail:  fmt.Sprintf("runtime %s was deprecated on %s", runtime, d.Format(time.DateOnly)),
	}, true
}

// KnownRuntimes lists the table's runtimes, sorted (for documentation).
func KnownRuntimes() []string {
	out := make([]string, 0, len(deprecations))
	for r := range deprecations {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}
