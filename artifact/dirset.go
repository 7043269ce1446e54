package artifact

// dirSet holds the view's directories, keyed by pathHash instead of by the
// path string. A Go map hashes the whole key on every access, and a file
// 30,000 levels deep brings 30,000 parent directories whose paths average
// 30,000 bytes: hashing each anew made adding one such file cost depth²
// (issue 10, point 11). With the prefix hashes computed in one pass over
// the path (pathHashes), finding and adding all its parents is linear; a
// string comparison confirms a hit.
type dirSet struct {
	m map[uint64]*dirRec
	n int
}

type dirRec struct {
	path   string
	origin Origin  // the origin that made the directory
	next   *dirRec // another directory whose path has the same hash
}

func newDirSet() *dirSet {
	s := &dirSet{m: map[uint64]*dirRec{}}
	s.set("/", Origin{})
	return s
}

func (s *dirSet) has(p string) bool { return s.hasH(p, pathHash(p)) }

func (s *dirSet) hasH(p string, h uint64) bool {
	for r := s.m[h]; r != nil; r = r.next {
		if r.path == p {
			return true
		}
	}
	return false
}

func (s *dirSet) set(p string, o Origin) { s.setH(p, pathHash(p), o) }

// setH adds p (hash h) unless it is there.
func (s *dirSet) setH(p string, h uint64, o Origin) {
	if s.hasH(p, h) {
		return
	}
	s.m[h] = &dirRec{path: p, origin: o, next: s.m[h]}
	s.n++
}

func (s *dirSet) del(p string) {
	h := pathHash(p)
	for prev, r := (*dirRec)(nil), s.m[h]; r != nil; prev, r = r, r.next {
		if r.path != p {
			continue
		}
		switch {
		case prev != nil:
			prev.next = r.next
		case r.next != nil:
			s.m[h] = r.next
		default:
			delete(s.m, h)
		}
		s.n--
		return
	}
}

// each calls fn with every directory's path, in no order; fn may delete.
func (s *dirSet) each(fn func(p string)) {
	for _, r := range s.m {
		for ; r != nil; r = r.next {
			fn(r.path)
		}
	}
}

// FNV-1a, computed over a path's bytes so that every prefix's hash is a
// step of one pass.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func pathHash(p string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(p); i++ {
		h = (h ^ uint64(p[i])) * fnvPrime
	}
	return h
}

// prefix is a directory prefix of a path: its length and its pathHash.
type prefix struct {
	end int
	h   uint64
}

// prefixHashes appends the hash of every proper directory prefix of the
// clean absolute path p to out: "/a/b/c" gives "/a" (end 2) and "/a/b" (end
// 4). One pass over p.
func prefixHashes(p string, out []prefix) []prefix {
	h := uint64(fnvOffset)
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && i > 0 {
			out = append(out, prefix{i, h})
		}
		h = (h ^ uint64(p[i])) * fnvPrime
	}
	return out
}
