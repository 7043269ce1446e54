//go:build !unix

package feeds

import "context"

// fileLock is a no-op where flock(2) does not exist: writers are not
// serialized there, so two concurrent `fnaudit db` writers on one database
// may lose one's changes (never corrupt the file: each renames a complete
// file into place).
type fileLock struct{}

func acquireLock(ctx context.Context, name string) (*fileLock, error) { return &fileLock{}, ctx.Err() }

func (l *fileLock) release() {}
