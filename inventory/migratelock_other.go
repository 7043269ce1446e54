//go:build !unix

package inventory

import "context"

// migrateLock is a no-op where flock(2) does not exist: there, migrate
// relies on re-reading the schema version after a failed migration (a
// concurrent opener may have applied it).
type migrateLock struct{}

func lockMigration(ctx context.Context, dbPath string) (*migrateLock, error) {
	return &migrateLock{}, ctx.Err()
}

func (l *migrateLock) release() {}
