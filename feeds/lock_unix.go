//go:build unix

package feeds

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// fileLock serializes writers of one database (two concurrent updates
// would otherwise each build from the same old file and the second rename
// would drop the first one's data). It is an flock(2) lock: the kernel
// releases it when the holder dies, so a killed update never leaves a lock
// held. Readers take no lock.
//
// The holder removes the lock file when it is done, so that no command
// leaves a stray file beside the database. Removing a lock file others may
// be waiting on is safe only because a waiter, once it holds the lock,
// checks that the file it locked is still the one at the path and starts
// over if not.
type fileLock struct {
	f    *os.File
	name string
}

func acquireLock(ctx context.Context, name string) (*fileLock, error) {
	for {
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", name, err)
		}
		locked, err := flockWait(ctx, f, name)
		if err != nil {
			f.Close()
			return nil, err
		}
		if locked && sameFileAt(f, name) {
			return &fileLock{f: f, name: name}, nil
		}
		// The previous holder removed the file after we opened it: lock
		// the new one.
		f.Close()
	}
}

// flockWait takes an exclusive flock on f, polling so ctx can cancel.
func flockWait(ctx context.Context, f *os.File, name string) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			return false, fmt.Errorf("lock %s: %w", name, err)
		}
		select {
		case <-ctx.Done():
			return false, fmt.Errorf("waiting for another fnaudit db command to finish with %s: %w", name, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func sameFileAt(f *os.File, name string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(name)
	return err == nil && os.SameFile(a, b)
}

func (l *fileLock) release() {
	if l != nil && l.f != nil {
		os.Remove(l.name) // while still held: see fileLock
		syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
		l.f.Close()
		l.f = nil
	}
}
