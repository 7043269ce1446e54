package artifact

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Everything fnaudit and its libraries write goes to one private directory
// per run (TMPDIR points there). A run killed with SIGKILL cannot remove it,
// and an image read leaves gigabytes in it, so each directory carries a
// marker naming the process that made it, and the next run removes the
// directories whose process is gone.

const (
	tempDirPrefix = "fnaudit-"
	// pidMarker holds "<pid> <start time>" of the process that made the
	// directory; the start time (from /proc, Linux) tells a live process
	// from a later one that reused the pid.
	pidMarker = ".fnaudit-pid"
	// unmarkedAge is how old a directory without a marker must be before it
	// counts as stale: the marker is written right after the directory is
	// made, so only a run killed in between (or an older fnaudit) leaves
	// one, and a young one may be a run that is creating its marker now.
	unmarkedAge = time.Hour
)

// NewPrivateTempDir makes a fresh 0700 "fnaudit-*" directory under root (""
// means os.TempDir()) with the marker RemoveStaleTempDirs reads. cleanup
// removes it with everything inside.
func NewPrivateTempDir(root string) (dir string, cleanup func(), err error) {
	dir, err = os.MkdirTemp(root, tempDirPrefix)
	if err != nil {
		return "", nil, fmt.Errorf("create private temp directory: %w", err)
	}
	cleanup = func() { os.RemoveAll(dir) }
	pid := os.Getpid()
	marker := strconv.Itoa(pid) + " " + processStart(pid) + "\n"
	if err := os.WriteFile(filepath.Join(dir, pidMarker), []byte(marker), 0o600); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("create private temp directory: %w", err)
	}
	return dir, cleanup, nil
}

// RemoveStaleTempDirs removes the "fnaudit-*" directories under root (""
// means os.TempDir()) that belong to this user and whose creating process is
// gone: what runs killed before they could clean up left behind. Directories
// of live runs, of other users, and anything that is not a plain directory
// are left alone. Errors removing one directory do not stop the others; they
// are returned together.
func RemoveStaleTempDirs(root string) error {
	if root == "" {
		root = os.TempDir()
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return fmt.Errorf("list %s: %w", root, err)
	}
	var errs []error
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tempDirPrefix) || e.Type() != fs.ModeDir {
			continue // a symlink is never followed
		}
		dir := filepath.Join(root, e.Name())
		if !stale(dir) {
			continue
		}
		if err := os.RemoveAll(dir); err != nil {
			errs = append(errs, fmt.Errorf("remove stale %s: %w", dir, err))
		}
	}
	return errors.Join(errs...)
}

// stale reports whether dir is this user's and its process is gone.
func stale(dir string) bool {
	info, err := os.Lstat(dir)
	if err != nil || !info.IsDir() {
		return false
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok || int(st.Uid) != os.Getuid() {
		return false
	}
	raw, err := os.ReadFile(filepath.Join(dir, pidMarker))
	if errors.Is(err, fs.ErrNotExist) {
		return time.Since(info.ModTime()) > unmarkedAge
	}
	if err != nil {
		return false
	}
	fields := strings.Fields(string(raw))
	if len(fields) == 0 {
		return time.Since(info.ModTime()) > unmarkedAge
	}
	pid, err := strconv.Atoi(fields[0])
	if err != nil || pid <= 0 {
		return time.Since(info.ModTime()) > unmarkedAge
	}
	if pid == os.Getpid() {
		return false
	}
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	// The pid is in use: by the run that made dir, unless the pid was
	// reused, which a different start time shows.
	if len(fields) > 1 && fields[1] != "" {
		if now := processStart(pid); now != "" && now != fields[1] {
			return true
		}
	}
	return false
}

// processStart is the start time of a process in clock ticks since boot
// (field 22 of /proc/PID/stat), or "" where /proc is not available.
func processStart(pid int) string {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return ""
	}
	fields := strings.Fields(string(raw[i+1:]))
	// fields[0] is field 3 (state); field 22 is fields[19].
	if len(fields) < 20 {
		return ""
	}
	return fields[19]
}
