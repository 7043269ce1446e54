//go:build unix

package inventory

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// migrateLock serialises the first-time migration of one SQLite
// inventory between goroutines and processes. goose creates its version
// table and applies a migration as separate steps, so two openers of a new
// file both find it empty and the second fails on tables the first just
// created. SQLite's own locks cannot hold across those steps (goose uses
// its own connections), hence an flock(2) on a lock file beside the
// database: the kernel releases it when its holder dies, so a killed
// open never leaves it held. A lock file and not the database file itself:
// closing any descriptor of the database would drop SQLite's POSIX locks
// held by this process.
//
// The holder removes the file once migrated, so no file stays beside the
// inventory. A waiter that then takes the lock on the removed file sees
// that the path no longer names it and starts over.
type migrateLock struct{ f *os.File }

func lockMigration(ctx context.Context, dbPath string) (*migrateLock, error) {
	name := dbPath + ".migrate-lock"
	for {
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", name, err)
		}
		if err := flockWait(ctx, f); err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", name, err)
		}
		a, errA := f.Stat()
		b, errB := os.Stat(name)
		if errA == nil && errB == nil && os.SameFile(a, b) {
			return &migrateLock{f: f}, nil
		}
		f.Close() // removed by the previous holder: lock the new one
	}
}

func flockWait(ctx context.Context, f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for another fnaudit creating the inventory: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (l *migrateLock) release() {
	if l == nil || l.f == nil {
		return
	}
	os.Remove(l.f.Name()) // while still held: see migrateLock
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
	l.f = nil
}
