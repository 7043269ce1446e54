package sbom

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bmatcuk/doublestar/v4"

	stereofile "github.com/anchore/stereoscope/pkg/file"
	"github.com/anchore/syft/syft/file"

	"github.com/fnaudit/fnaudit/artifact"
)

// resolver serves syft's catalogers the deployment's merged view straight
// from the zips: globs and paths are answered from the central directories
// already in memory, and only the files a cataloger opens are decompressed.
// Nothing is extracted to disk.
type resolver struct {
	d      *artifact.Deployment
	files  []*artifact.File            // every file, sorted by path
	byBase map[string][]*artifact.File // basename -> files, for "**/name" globs
	bases  []string                    // distinct base names, sorted

	mimeOnce sync.Once
	mime     map[string]string // real path -> MIME type, for executable candidates only

	binaries binaryCache
}

var _ file.Resolver = (*resolver)(nil)

func newResolver(d *artifact.Deployment) *resolver {
	r := &resolver{d: d, files: d.Files(), byBase: map[string][]*artifact.File{}}
	for _, f := range r.files {
		base := path.Base(f.Path)
		if _, ok := r.byBase[base]; !ok {
			r.bases = append(r.bases, base)
		}
		r.byBase[base] = append(r.byBase[base], f)
	}
	sort.Strings(r.bases)
	return r
}

// location makes a syft Location for a file reached by accessPath; the file
// system id is the origin's digest, so each location says which zip or image
// layer it came from.
func (r *resolver) location(real string, f *artifact.File, accessPath string) file.Location {
	return file.NewVirtualLocationFromCoordinates(file.NewCoordinates(real, f.Origin().Digest), accessPath)
}

// HasPath reports files and directories, following links.
func (r *resolver) HasPath(p string) bool {
	if _, _, ok := r.d.Resolve(p); ok {
		return true
	}
	return r.d.IsDir(p)
}

// FilesByPath returns the files (not directories) at the given paths.
func (r *resolver) FilesByPath(paths ...string) ([]file.Location, error) {
	var out []file.Location
	for _, p := range paths {
		if !path.IsAbs(p) {
			p = "/" + p
		}
		if real, f, ok := r.d.Resolve(p); ok {
			out = append(out, r.location(real, f, p))
		}
	}
	return out, nil
}

// FilesByGlob matches doublestar patterns against every path of the view,
// links included (resolved to the file they lead to), one location per real
// file.
func (r *resolver) FilesByGlob(patterns ...string) ([]file.Location, error) {
	seen := map[string]bool{}
	var out []file.Location
	for _, pattern := range patterns {
		if !strings.HasPrefix(pattern, "/") && !strings.HasPrefix(pattern, "**") {
			pattern = "/" + pattern
		}
		if !doublestar.ValidatePattern(pattern) {
			return nil, fmt.Errorf("invalid glob %q", pattern)
		}
		for _, alt := range expandBraces(pattern) {
			for _, f := range r.candidates(alt) {
				if match, _ := doublestar.Match(alt, f.Path); !match {
					continue
				}
				real, target, ok := r.d.Resolve(f.Path)
				if !ok || seen[real] {
					continue
				}
				seen[real] = true
				out = append(out, r.location(real, target, f.Path))
			}
		}
	}
	return out, nil
}

// candidates narrows a glob (braces already expanded) to the files that can
// match it by their base name: syft asks for some two hundred patterns per
// scan, nearly all of the form "**/<name>" or "**/*.<ext>", and matching
// each against every path of a 50,000-file function would dominate the run.
// The last segment is matched against the distinct base names instead.
func (r *resolver) candidates(pattern string) []*artifact.File {
	seg := pattern[strings.LastIndex(pattern, "/")+1:]
	switch {
	case seg == "" || strings.Contains(seg, "**"):
		return r.files
	case !strings.ContainsAny(seg, `*?[\`):
		return r.byBase[seg]
	}
	var out []*artifact.File
	for _, base := range r.bases {
		if ok, err := path.Match(seg, base); ok || err != nil {
			out = append(out, r.byBase[base]...)
		}
	}
	return out
}

// expandBraces turns "a{b,c}d" into "abd", "acd" (nested braces included), so
// each alternative can be narrowed by candidates.
func expandBraces(p string) []string {
	open := strings.IndexByte(p, '{')
	if open < 0 {
		return []string{p}
	}
	depth, start := 0, open+1
	var alts []string
	for i := open; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				alts = append(alts, p[start:i])
				var out []string
				for _, a := range alts {
					out = append(out, expandBraces(p[:open]+a+p[i+1:])...)
				}
				return out
			}
		case ',':
			if depth == 1 {
				alts = append(alts, p[start:i])
				start = i + 1
			}
		}
	}
	return []string{p} // unbalanced: leave it to doublestar
}

// RelativeFileByPath resolves p in the same merged view.
func (r *resolver) RelativeFileByPath(_ file.Location, p string) *file.Location {
	locs, _ := r.FilesByPath(p)
	if len(locs) == 0 {
		return nil
	}
	return &locs[0]
}

// FileContentsByLocation decompresses one file; executables come from the
// binary cache (see binaryCache) and are exempt from the metadata size cap,
// which bounds every other file a cataloger reads (artifact.Deployment.Open).
func (r *resolver) FileContentsByLocation(loc file.Location) (io.ReadCloser, error) {
	r.mimeOnce.Do(r.sniffExecutables)
	if _, isBinary := r.mime[loc.RealPath]; isBinary {
		if f, ok := r.d.File(loc.RealPath); ok {
			rc, cached, err := r.binaries.get(loc.RealPath, f.Size, func() (io.ReadCloser, error) { return r.d.OpenExecutable(loc.RealPath) })
			if cached {
				return rc, err
			}
		}
		return r.d.OpenExecutable(loc.RealPath)
	}
	return r.d.Open(loc.RealPath)
}

// AllLocations lists every file without resolving links.
func (r *resolver) AllLocations(ctx context.Context) <-chan file.Location {
	ch := make(chan file.Location)
	go func() {
		defer close(ch)
		for _, f := range r.files {
			select {
			case ch <- r.location(f.Path, f, f.Path):
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}

// FileMetadataByLocation describes a file from its archive header.
func (r *resolver) FileMetadataByLocation(loc file.Location) (file.Metadata, error) {
	f, ok := r.d.File(loc.RealPath)
	if !ok {
		return file.Metadata{}, fmt.Errorf("%s: no such file", loc.RealPath)
	}
	typ := stereofile.TypeRegular
	if f.IsSymlink() {
		typ = stereofile.TypeSymLink
	}
	r.mimeOnce.Do(r.sniffExecutables)
	return file.Metadata{
		FileInfo:        fileInfo{f},
		Path:            f.Path,
		LinkDestination: f.LinkTarget,
		Type:            typ,
		MIMEType:        r.mime[f.Path],
	}, nil
}

// FilesByMIMEType serves the binary catalogers (Go, .NET, ELF). Only files
// that can be executables are sniffed (see sniffExecutables).
func (r *resolver) FilesByMIMEType(types ...string) ([]file.Location, error) {
	r.mimeOnce.Do(r.sniffExecutables)
	want := map[string]bool{}
	for _, t := range types {
		want[t] = true
	}
	var out []file.Location
	for _, f := range r.files {
		if m, ok := r.mime[f.Path]; ok && want[m] {
			out = append(out, r.location(f.Path, f, f.Path))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RealPath < out[j].RealPath })
	return out, nil
}

// fileInfo adapts an artifact.File to fs.FileInfo.
type fileInfo struct{ f *artifact.File }

func (i fileInfo) Name() string       { return path.Base(i.f.Path) }
func (i fileInfo) Size() int64        { return i.f.Size }
func (i fileInfo) Mode() fs.FileMode  { return i.f.Mode }
func (i fileInfo) ModTime() time.Time { return i.f.ModTime() }
func (i fileInfo) IsDir() bool        { return false }
func (i fileInfo) Sys() any           { return nil }
