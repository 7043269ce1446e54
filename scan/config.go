package scan

import (
	"time"

	"github.com/fnaudit/fnaudit/artifact"
	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/report"
)

// Config is what an Engine is opened with.
type Config struct {
	// DBPath is the advisory database (feeds). Required for Scan; an
	// engine opened without one can only catalog (SBOM).
	DBPath string
	// MaxAge is the oldest database Scan accepts (feeds.DefaultMaxAge when
	// zero); AcceptStale lets an older one through with a warning
	// (--db-validate-age=false).
	MaxAge      time.Duration
	AcceptStale bool
	// Limits bound what is read from an artifact; zero fields take
	// artifact.DefaultLimits.
	Limits artifact.Limits
	// TempRoot is where each scan's private directory is made ("": the
	// system temporary directory).
	TempRoot string
	// Tool names the program in reports.
	Tool report.Tool
	// Offline refuses registry image targets.
	Offline bool
}

func (c Config) maxAge() time.Duration {
	if c.MaxAge > 0 {
		return c.MaxAge
	}
	return feeds.DefaultMaxAge
}
