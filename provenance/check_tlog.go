package provenance

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
)

// stamp is a verified time at which the signature existed.
type stamp struct {
	at     time.Time
	source string // "tlog https://rekor.sigstore.dev", "RFC 3161 timestamp", "current time"
}

// checkTlog verifies the bundle's transparency-log entries (inclusion
// promise and/or proof, and that each entry is for this very signature,
// key and content) and its RFC 3161 timestamps, with sigstore-go. It returns
// the verified signing times the certificate check needs.
//
// One valid entry or timestamp is enough; an entry that is present but
// does not verify fails the check, because it is evidence of tampering.
func checkTlog(r *Result, cfg *config, tm root.TrustedMaterial, e *entityParts) []stamp {
	var stamps []stamp
	tsas, tsaErrs, err := verify.VerifySignedTimestamp(e.b, tm)
	if err != nil {
		tsaErrs = append(tsaErrs, err)
	}
	for _, ts := range tsas {
		stamps = append(stamps, stamp{at: ts.Time, source: "RFC 3161 timestamp " + ts.URI})
	}
	if cfg.ignoreTlog {
		sort.Slice(stamps, func(i, j int) bool { return stamps[i].at.Before(stamps[j].at) })
		r.set(CheckTlog, Skip, "not checked (--insecure-ignore-tlog)%s", describeStamps(stamps))
		return stamps
	}

	entries, err := e.b.TlogEntries()
	if err != nil {
		r.set(CheckTlog, Fail, "transparency log entries: %v", err)
		return nil
	}
	var logDetail string
	if len(entries) > 0 {
		times, err := verify.VerifyTlogEntry(e.b, tm, 1, true)
		if err != nil {
			r.set(CheckTlog, Fail, "transparency log entry does not verify: %v", err)
			return nil
		}
		for _, t := range times {
			stamps = append(stamps, stamp{at: t.Time, source: "tlog " + t.URI})
		}
		var parts []string
		for _, en := range entries {
			parts = append(parts, fmt.Sprintf("log index %d", en.LogIndex()))
		}
		logDetail = fmt.Sprintf("%d transparency log entr%s verified (%s)", len(entries), plural(len(entries), "y", "ies"), strings.Join(parts, ", "))
	}
	sort.Slice(stamps, func(i, j int) bool { return stamps[i].at.Before(stamps[j].at) })
	switch {
	case logDetail != "":
		r.set(CheckTlog, Pass, "%s%s", logDetail, describeStamps(stamps))
	case len(tsas) > 0:
		r.set(CheckTlog, Pass, "no transparency log entry; %d RFC 3161 timestamp%s verified%s", len(tsas), plural(len(tsas), "", "s"), describeStamps(stamps))
	default:
		why := "no transparency log entry and no RFC 3161 timestamp"
		if len(tsaErrs) > 0 {
			why = fmt.Sprintf("no transparency log entry, and no RFC 3161 timestamp verifies: %v", errors.Join(tsaErrs...))
		}
		r.set(CheckTlog, Fail, "%s (only --insecure-ignore-tlog accepts that)", why)
	}
	return stamps
}

func describeStamps(stamps []stamp) string {
	if len(stamps) == 0 {
		return ""
	}
	var parts []string
	for _, s := range stamps {
		parts = append(parts, fmt.Sprintf("%s (%s)", s.at.UTC().Format(time.RFC3339), s.source))
	}
	return "; signing time " + strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
