package main

import (
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal of the given width and returns its
// terminal side, as a user's shell would be stdout.
func openPTY(t *testing.T, cols uint16) *os.File {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	if err := unix.IoctlSetPointerInt(int(ptmx.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(ptmx.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("pty number: %v", err)
	}
	tty, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open pty: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	if err := unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: cols}); err != nil {
		t.Fatalf("set pty size: %v", err)
	}
	return tty
}

// TestTerminalOptions: colour only on a terminal and never with NO_COLOR;
// tables 100 columns wide, 80 on a narrower terminal; a pipe (a CI log)
// gets no colour at 100 columns.
func TestTerminalOptions(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) func(string) (string, bool) {
		return func(k string) (string, bool) {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1], true
				}
			}
			return "", false
		}
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	wide, narrow := openPTY(t, 132), openPTY(t, 72)
	for _, c := range []struct {
		name  string
		out   *os.File
		env   func(string) (string, bool)
		color bool
		width int
	}{
		{"terminal", wide, env(), true, 100},
		{"narrow terminal", narrow, env(), true, 80},
		{"NO_COLOR", wide, env("NO_COLOR", "1"), false, 100},
		{"empty NO_COLOR", wide, env("NO_COLOR", ""), true, 100},
		{"pipe", w, env(), false, 100},
	} {
		got := terminalOptions(&globalOptions{stdout: c.out, env: c.env})
		if got.Color != c.color || got.Width != c.width {
			t.Errorf("%s: color %v width %d, want %v %d", c.name, got.Color, got.Width, c.color, c.width)
		}
	}
}
