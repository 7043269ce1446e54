package fleet

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"
)

// NewRunID names a run: its time and a random suffix.
func NewRunID(now time.Time) string {
	var b [4]byte
	rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// ScanFleet lists src and runs p over every function with at most
// concurrency at once. A listing error does not stop the run: what was
// listed is scanned and recorded, and the error is kept in the summary
// (exit 2). The functions listed are returned for the caller's
// configuration summaries.
func ScanFleet(ctx context.Context, src Source, p *Planner, concurrency int) (*Summary, []Function) {
	if p.Now.IsZero() {
		p.Now = time.Now()
	}
	if p.RunID == "" {
		p.RunID = NewRunID(p.Now)
	}
	if r, ok := src.(Refresher); ok && p.Fetcher.Refresher == nil {
		p.Fetcher.Refresher = r
	}
	if a, ok := src.(ImageAuthorizer); ok && p.ImageAuth == nil {
		p.ImageAuth = a
	}
	fns, listErr := src.List(ctx)
	if p.Progress != nil {
		p.Progress.Listed(len(fns))
	}
	outs := p.Run(ctx, fns, concurrency)
	return Summarize(p.RunID, p.Now, len(fns), listErr, outs, nil), fns
}
