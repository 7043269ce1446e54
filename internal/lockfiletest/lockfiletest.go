// Package lockfiletest reads the package-lock.json shipped in a test
// fixture zip with nothing but archive/zip and encoding/json, so tests can
// hold fnaudit's package list to what npm itself wrote, computed apart from
// fnaudit's own lockfile and package.json readers. Used by tests only.
package lockfiletest

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Locked is the installed tree a lockfile describes.
type Locked struct {
	// Paths maps "name@version" to the sorted install paths of that
	// package under root (root + "node_modules/..."), one per lockfile key.
	Paths map[string][]string
	// Keys is how many non-root entries the lockfile has.
	Keys int
}

// Names is the sorted "name@version" list.
func (l Locked) Names() []string {
	out := make([]string, 0, len(l.Paths))
	for k := range l.Paths {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Entries is one "name@version path" per lockfile key, sorted: an
// installed tree lists each copy npm put at its own path.
func (l Locked) Entries() []string {
	var out []string
	for id, ps := range l.Paths {
		for _, p := range ps {
			out = append(out, id+" "+p)
		}
	}
	slices.Sort(out)
	return out
}

// FromZip reads entry (a lockfileVersion 2 or 3 package-lock.json) from
// the zip at path. root prefixes each key ("/var/task/" for a function).
func FromZip(path, entry, root string) (Locked, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return Locked{}, fmt.Errorf("open %s: %w", path, err)
	}
	defer zr.Close()
	f, err := zr.Open(entry)
	if err != nil {
		return Locked{}, fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	raw, err := io.ReadAll(f)
	if err != nil {
		return Locked{}, fmt.Errorf("%s: read %s: %w", path, entry, err)
	}
	return Parse(raw, root)
}

// Parse reads a lockfileVersion 2 or 3 package-lock.json.
func Parse(raw []byte, root string) (Locked, error) {
	var lock struct {
		LockfileVersion int `json:"lockfileVersion"`
		Packages        map[string]struct {
			Version string `json:"version"`
			Link    bool   `json:"link"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(raw, &lock); err != nil {
		return Locked{}, fmt.Errorf("package-lock.json: %w", err)
	}
	if lock.LockfileVersion < 2 {
		return Locked{}, fmt.Errorf("package-lock.json: lockfileVersion %d has no packages map", lock.LockfileVersion)
	}
	l := Locked{Paths: map[string][]string{}}
	for key, p := range lock.Packages {
		if key == "" {
			continue // the function itself
		}
		i := strings.LastIndex(key, "node_modules/")
		if i < 0 || p.Link || p.Version == "" {
			return Locked{}, fmt.Errorf("package-lock.json: entry %q is not an installed registry package", key)
		}
		name := key[i+len("node_modules/"):]
		id := name + "@" + p.Version
		l.Paths[id] = append(l.Paths[id], root+key)
		l.Keys++
	}
	for _, ps := range l.Paths {
		slices.Sort(ps)
	}
	return l, nil
}
