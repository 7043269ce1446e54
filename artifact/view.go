package artifact

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// view is the merged filesystem of a deployment: function code, then each
// layer in order (a later layer replaces a file at the same path, as Lambda
// does), or the layers of an image with whiteouts applied.
type view struct {
	files map[string]*File
	dirs  *dirSet // every directory, listed or implied, with the origin that made it
	// strict views (zips, directories) refuse a file where a directory is and
	// a path that goes through a symlink or a file; image views replace, as
	// the OCI layer rules say.
	strict bool
	// roots are the directories a symlink may point into; a target outside
	// them leaves the artifact.
	roots []string
	// children indexes each directory's entries in image views, so a
	// whiteout removes a subtree in time proportional to the subtree, not
	// to the image: a hostile image of many whiteouts must not cost
	// entries x whiteouts. Strict views never remove and do without it.
	children map[string]map[string]struct{}
	// fileHashes holds the pathHash of every file path ever added, true
	// when a symlink was among them, so the prefixes of a path are checked
	// against the files in one pass over its bytes instead of a lookup
	// (hashing the prefix anew) per component, which made a 30,000-level
	// path cost depth² (issue 10, point 11). A hit is confirmed in files; a
	// removed file leaves a stale hash, which only costs that confirmation.
	fileHashes map[uint64]bool
}

func newView(strict bool, roots ...string) *view {
	v := &view{files: map[string]*File{}, dirs: newDirSet(), strict: strict, roots: roots,
		fileHashes: map[uint64]bool{}}
	if !strict {
		v.children = map[string]map[string]struct{}{}
	}
	return v
}

// link records p under its parent directory (image views).
func (v *view) link(p string) {
	if v.children == nil || p == "/" {
		return
	}
	parent := parentDir(p)
	m := v.children[parent]
	if m == nil {
		m = map[string]struct{}{}
		v.children[parent] = m
	}
	m[p] = struct{}{}
}

// unlink forgets p under its parent directory (image views).
func (v *view) unlink(p string) {
	if v.children != nil {
		delete(v.children[parentDir(p)], p)
	}
}

// collision builds the error for a path clash inside the view.
func collision(entry, file, what string) error {
	return &InputError{File: file, Entry: entry, Reason: what}
}

// addFile places f in the view. file is the user-named file f came from, for
// messages. A file at the same path from the same origin is a duplicate entry
// (zips that hold a name twice are read differently by different tools); from
// a later origin it replaces the earlier one.
func (v *view) addFile(f *File, file string) error {
	if v.dirs.has(f.Path) {
		if v.strict {
			return collision(f.Entry(), file, fmt.Sprintf("file collides with directory %s", f.Path))
		}
		v.removeTree(f.Path)
	}
	if prev, ok := v.files[f.Path]; ok && v.strict && prev.origin == f.origin {
		return collision(f.Entry(), file, "duplicate entry name")
	}
	if err := v.addParents(f.Path, *f.origin, f.Entry(), file); err != nil {
		return err
	}
	v.files[f.Path] = f
	v.link(f.Path)
	h := pathHash(f.Path)
	v.fileHashes[h] = v.fileHashes[h] || f.IsSymlink()
	return nil
}

// addDir records a directory entry.
func (v *view) addDir(p string, origin Origin, entry, file string) error {
	if prev, ok := v.files[p]; ok {
		if v.strict {
			return &InputError{File: file, Entry: entry, Reason: fmt.Sprintf("directory collides with file %s from %s", p, prev.Origin())}
		}
		delete(v.files, p)
	}
	if err := v.addParents(p, origin, entry, file); err != nil {
		return err
	}
	if !v.dirs.has(p) {
		v.dirs.set(p, origin)
		v.link(p)
	}
	return nil
}

// addParents records the directories above f, refusing (strict) or replacing
// (image) files that stand where a directory must be. A parent that is a
// symlink is always refused in strict views: extracting such an entry writes
// through the link, the classic way out of an extraction directory.
//
// Every directory in the view has all its parents in the view, so only the
// parents below the deepest one already there are new; they are found and
// added with the hashes of one pass over p (see dirSet), so a path costs
// time linear in its length however deep it is.
func (v *view) addParents(p string, origin Origin, entry, file string) error {
	var buf [32]prefix
	parents := prefixHashes(p, buf[:0])
	known := len(parents)
	for known > 0 && !v.dirs.hasH(p[:parents[known-1].end], parents[known-1].h) {
		known--
	}
	for _, ph := range parents[known:] {
		dir := p[:ph.end]
		if _, maybe := v.fileHashes[ph.h]; maybe {
			if prev, ok := v.files[dir]; ok {
				switch {
				case v.strict && prev.IsSymlink():
					return collision(entry, file, fmt.Sprintf("path goes through symlink %s", dir))
				case v.strict:
					return collision(entry, file, fmt.Sprintf("path collides with file %s from %s", dir, prev.Origin()))
				default:
					delete(v.files, dir)
				}
			}
		}
		v.dirs.setH(dir, ph.h, origin)
		v.link(dir)
	}
	return nil
}

// parentDir is path.Dir for the clean absolute paths of the view, in time
// proportional to the last component rather than to the whole path.
func parentDir(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

// remove deletes a path (file or directory tree): an image whiteout.
func (v *view) remove(p string) {
	if v.dirs.has(p) {
		v.removeTree(p)
		return
	}
	delete(v.files, p)
	v.unlink(p)
}

// removeTree deletes a directory and everything below it.
func (v *view) removeTree(p string) {
	if p == "/" {
		v.files = map[string]*File{}
		v.dirs = newDirSet()
		if v.children != nil {
			v.children = map[string]map[string]struct{}{}
		}
		return
	}
	v.dropBelow(p)
	v.dirs.del(p)
	v.unlink(p)
}

// dropBelow deletes everything below directory p.
func (v *view) dropBelow(p string) {
	if v.children == nil {
		prefix := p + "/"
		for k := range v.files {
			if strings.HasPrefix(k, prefix) {
				delete(v.files, k)
			}
		}
		v.dirs.each(func(k string) {
			if strings.HasPrefix(k, prefix) {
				v.dirs.del(k)
			}
		})
		return
	}
	for c := range v.children[p] {
		delete(v.files, c)
		if v.dirs.has(c) {
			v.dropBelow(c)
			v.dirs.del(c)
		}
	}
	delete(v.children, p)
}

// clearDir deletes everything below p but keeps p: an opaque whiteout.
func (v *view) clearDir(p string) {
	if p == "/" {
		v.removeTree(p)
		return
	}
	v.dropBelow(p)
}

// sorted returns every file, ordered by path.
func (v *view) sorted() []*File {
	out := make([]*File, 0, len(v.files))
	for _, f := range v.files {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b *File) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// linkDest is where a symlink at p with the given target points, lexically.
func linkDest(p, target string) string {
	if path.IsAbs(target) {
		return path.Clean(target)
	}
	return path.Join(path.Dir(p), target)
}

// within reports whether p is one of the view's roots or below one.
func (v *view) within(p string) bool {
	for _, r := range v.roots {
		if r == "/" || p == r || strings.HasPrefix(p, r+"/") {
			return true
		}
	}
	return false
}

// checkLinks refuses symlinks that point out of the artifact. fileOf maps an
// origin to the user-named file, for the message.
func (v *view) checkLinks(fileOf func(Origin) string) error {
	for _, f := range v.sorted() {
		if !f.IsSymlink() {
			continue
		}
		if dest := linkDest(f.Path, f.LinkTarget); !v.within(dest) {
			return &InputError{File: fileOf(f.Origin()), Entry: f.Entry(),
				Reason: fmt.Sprintf("symlink points outside the artifact (%s -> %s)", f.Path, f.LinkTarget)}
		}
	}
	return nil
}

// maxLinkHops bounds symlink chains, as the kernel's ELOOP does.
const maxLinkHops = 40

// resolve follows symlinks in every component of p inside the view and
// returns the real path and the file there, or ok=false when nothing is there
// (a dangling link, a loop, a directory, or a link leaving the artifact).
func (v *view) resolve(p string) (real string, f *File, ok bool) {
	real, isDir, ok := v.resolvePath(path.Clean(p), 0)
	if !ok || isDir {
		return "", nil, false
	}
	f, ok = v.files[real]
	return real, f, ok
}

// resolveDir is resolve for directories: it reports whether p leads to one.
func (v *view) resolveDir(p string) (string, bool) {
	real, isDir, ok := v.resolvePath(path.Clean(p), 0)
	return real, ok && isDir
}

// resolvePath resolves a clean absolute path. Every file and directory of
// the view has only directories above it (addParents), so a path without a
// symlink on it resolves by one lookup; the first symlink on it, if any, is
// found by hashing its prefixes in one pass (see linkHashes), and the rest
// of the path is resolved again from the link's destination. The work is
// linear in the path's length for each of at most maxLinkHops links.
func (v *view) resolvePath(p string, hops int) (string, bool, bool) {
	for ; hops <= maxLinkHops; hops++ {
		link, rest, found := v.firstLink(p)
		if !found {
			if _, ok := v.files[p]; ok {
				return p, false, true
			}
			if v.dirs.has(p) {
				return p, true, true
			}
			return "", false, false // missing, or a file used as a directory
		}
		dest := linkDest(link, v.files[link].LinkTarget)
		if !v.within(dest) {
			return "", false, false
		}
		p = dest
		if rest != "" {
			p = path.Join(dest, rest)
		}
	}
	return "", false, false
}

// firstLink finds the shortest prefix of p (p itself included) that is a
// symlink, and the part of p after it.
func (v *view) firstLink(p string) (link, rest string, found bool) {
	if len(v.fileHashes) == 0 {
		return "", "", false
	}
	h := uint64(fnvOffset)
	for i := 0; i <= len(p); i++ {
		if i == len(p) || (p[i] == '/' && i > 0) {
			if link := v.fileHashes[h]; link {
				if f, ok := v.files[p[:i]]; ok && f.IsSymlink() {
					if i == len(p) {
						return p, "", true
					}
					return p[:i], p[i+1:], true
				}
			}
		}
		if i < len(p) {
			h = (h ^ uint64(p[i])) * fnvPrime
		}
	}
	return "", "", false
}
