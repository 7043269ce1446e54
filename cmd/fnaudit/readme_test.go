package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readmeCommands are the fnaudit command lines of README.md's fenced sh
// blocks, continuation lines joined, comments cut; lines marked
// "# needs network" are left out, as are other programs (make).
func readmeCommands(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cmds [][]string
	in, line := false, ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		text := sc.Text()
		switch {
		case strings.HasPrefix(text, "```sh"):
			in = true
			continue
		case strings.HasPrefix(text, "```"):
			in = false
			continue
		case !in:
			continue
		}
		if strings.HasSuffix(text, "\\") {
			line += strings.TrimSuffix(text, "\\") + " "
			continue
		}
		line += text
		full := line
		line = ""
		if strings.Contains(full, "# needs network") {
			continue
		}
		if i := strings.Index(full, " #"); i >= 0 {
			full = full[:i]
		}
		args := shellWords(t, full)
		if len(args) == 0 || args[0] != "fnaudit" {
			continue
		}
		cmds = append(cmds, args[1:])
	}
	return cmds
}

// shellWords splits a command line as sh does for the README's simple
// lines: blanks separate words, single and double quotes group them.
func shellWords(t *testing.T, s string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case strings.ContainsRune("<>|&;$`*", r):
			t.Fatalf("README line needs a shell (%q): %s", r, s)
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// TestREADMECommands runs every fnaudit command line of README.md as
// written, from a directory that looks like the repository root (its
// testdata), in order; the database comes from FNAUDIT_DB (an injected
// environment). A line may fail the gate (exit 1) but never be undecided.
// It changes the working directory, so it does not run in parallel.
func TestREADMECommands(t *testing.T) {
	readme, err := filepath.Abs("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	testdata, _ := filepath.Abs("../../testdata")
	cmds := readmeCommands(t, readme)
	if len(cmds) < 8 {
		t.Fatalf("found %d fnaudit lines in README.md", len(cmds))
	}
	root := t.TempDir()
	if err := os.Symlink(testdata, filepath.Join(root, "testdata")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	// Every store in the test's directory: the user's own inventory is
	// never read or written.
	env := map[string]string{
		"FNAUDIT_DB":        filepath.Join(root, "advisories.db"),
		"FNAUDIT_INVENTORY": filepath.Join(root, "inventory.db"),
	}
	for _, args := range cmds {
		code, _, errs := runCLIWith(t, env, root, args...)
		if code == exitUndecided {
			t.Errorf("fnaudit %s: exit 2: %s", strings.Join(args, " "), errs)
		}
	}
}
