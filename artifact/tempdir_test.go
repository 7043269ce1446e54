package artifact

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRemoveStaleTempDirs: a directory left by a run whose process is gone
// is removed; those of live runs (this one, and its parent), a young one
// without a marker, other names and symlinks are left alone.
func TestRemoveStaleTempDirs(t *testing.T) {
	root := t.TempDir()
	mine, cleanup, err := NewPrivateTempDir(root)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if info, err := os.Stat(mine); err != nil || info.Mode().Perm() != 0o700 || !strings.HasPrefix(filepath.Base(mine), "fnaudit-") {
		t.Fatalf("private dir %s: %v %v", mine, info.Mode(), err)
	}
	marker, err := os.ReadFile(filepath.Join(mine, pidMarker))
	if err != nil || !strings.HasPrefix(string(marker), strconv.Itoa(os.Getpid())+" ") {
		t.Fatalf("marker %q, %v", marker, err)
	}

	// A process that has exited: its pid is free.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	mk := func(name, marker string) string {
		dir := filepath.Join(root, name)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "blob"), []byte("left behind"), 0o600); err != nil {
			t.Fatal(err)
		}
		if marker != "" {
			if err := os.WriteFile(filepath.Join(dir, pidMarker), []byte(marker), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	dead := mk("fnaudit-dead", strconv.Itoa(cmd.Process.Pid)+" 1\n")
	reused := mk("fnaudit-reused", strconv.Itoa(os.Getppid())+" 1\n") // a live pid, another start time
	parent := mk("fnaudit-parent", strconv.Itoa(os.Getppid())+" "+processStart(os.Getppid())+"\n")
	young := mk("fnaudit-young", "")
	old := mk("fnaudit-old", "")
	past := time.Now().Add(-2 * unmarkedAge)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	other := mk("other-dead", strconv.Itoa(cmd.Process.Pid)+"\n")
	if err := os.Symlink(dead, filepath.Join(root, "fnaudit-link")); err != nil {
		t.Fatal(err)
	}

	if err := RemoveStaleTempDirs(root); err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]bool{mine: true, dead: false, reused: processStart(os.Getppid()) == "", parent: true, young: true, old: false, other: true} {
		_, err := os.Stat(dir)
		if got := err == nil; got != want {
			t.Errorf("%s: exists=%v, want %v", filepath.Base(dir), got, want)
		}
	}
	if _, err := os.Lstat(filepath.Join(root, "fnaudit-link")); err != nil {
		t.Errorf("symlink removed: %v", err)
	}
}
