package artifact

import (
	"errors"
	"io"
	"path"
	"sync"

	"github.com/fnaudit/fnaudit/core"
)

// Kind is what the user pointed fnaudit at (core.ArtifactKind, so that
// reports name it without importing this package).
type Kind = core.ArtifactKind

const (
	KindZip       = core.ArtifactZip       // a Lambda function (or layer) zip, plus --layer zips
	KindDirectory = core.ArtifactDirectory // an unpacked function
	KindImage     = core.ArtifactImage     // a container-image function
)

// Lambda's mount points for function code and layers.
const (
	TaskRoot = "/var/task"
	OptRoot  = "/opt"
)

// Deployment is what is deployed, opened read-only as one merged view in
// which every file knows its origin. Close releases the open files.
type Deployment struct {
	// Target is what the user named (a path, or "oci-dir:..." etc.).
	Target string
	Kind   Kind
	// Digest is "sha256:<hex>" of the target as deployed: the zip bytes
	// (Lambda's CodeSha256 is its base64 form) or the image manifest. Empty
	// for a directory, which has no deployable form.
	Digest string
	// Origins lists the function (or image) first, then each layer in order.
	Origins []Origin
	Runtime Runtime

	view    *view
	limits  Limits // as opened, defaults filled
	closers []io.Closer
	sources map[Origin]string // origin -> the path the user gave, for messages

	mu      sync.Mutex
	readErr error // first failure reading an entry's content (see Err)

	// files is the view's files sorted by path, made once: the view does
	// not change after Open, and the SBOM's walkers (the resolver, Node
	// folders, rejected metadata, declared manifests, bundles) each ask for
	// it; sorting 45,000 paths each time was 6% of a large function's CPU.
	sortOnce sync.Once
	files    []*File
}

// Files returns every file of the merged view, sorted by path.
// The slice is shared: callers must not modify it.
func (d *Deployment) Files() []*File {
	d.sortOnce.Do(func() { d.files = d.view.sorted() })
	return d.files
}

// File returns the file at p without following symlinks.
func (d *Deployment) File(p string) (*File, bool) {
	f, ok := d.view.files[path.Clean(p)]
	return f, ok
}

// Resolve follows symlinks inside the artifact and returns the real path and
// file that p leads to. A link leaving the artifact leads nowhere.
func (d *Deployment) Resolve(p string) (string, *File, bool) { return d.view.resolve(p) }

// IsDir reports whether p is (or leads through links to) a directory.
func (d *Deployment) IsDir(p string) bool {
	_, ok := d.view.resolveDir(p)
	return ok
}

// Roots are the directories the artifact occupies in the runtime filesystem.
func (d *Deployment) Roots() []string { return append([]string(nil), d.view.roots...) }

// Open returns the content of the file at p (following symlinks). A read
// that fails part-way (corrupt data, CRC mismatch) is also recorded, so Err
// reports it after cataloging: a reader that swallowed it cannot turn a
// corrupt artifact into a partial pass. Reading more than the metadata cap
// (Limits.MaxMetadataSize) fails and is recorded the same way, except for
// archives and RPM databases (see metadatacap.go).
func (d *Deployment) Open(p string) (io.ReadCloser, error) {
	return d.open(p, true)
}

// OpenExecutable is Open without the metadata cap, for the binary
// catalogers' reads of executables (which may be as large as the deployment
// allows, and are read in part at random offsets).
func (d *Deployment) OpenExecutable(p string) (io.ReadCloser, error) {
	return d.open(p, false)
}

func (d *Deployment) open(p string, capped bool) (io.ReadCloser, error) {
	real, f, ok := d.view.resolve(p)
	if !ok {
		return nil, &InputError{File: d.Target, Entry: shortName(p), Reason: "no such file in the artifact"}
	}
	rc, err := f.Open()
	if err != nil {
		err = d.record(f, err)
		return nil, err
	}
	r := &recordingReader{rc: rc, d: d, f: f}
	if capped && d.limits.MaxMetadataSize > 0 && !metadataCapExempt(real) {
		r.limit = d.limits.MaxMetadataSize
	}
	return r, nil
}

// Err is the first content read failure seen by Open's readers, if any.
func (d *Deployment) Err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.readErr
}

func (d *Deployment) record(f *File, err error) error {
	ie, ok := err.(*InputError)
	if !ok {
		ie = &InputError{File: d.fileOf(f.Origin()), Entry: f.Entry(), Reason: "corrupt entry data", Err: err}
	}
	d.mu.Lock()
	if d.readErr == nil {
		d.readErr = ie
	}
	d.mu.Unlock()
	return ie
}

// fileOf names the user-given file an origin came from.
func (d *Deployment) fileOf(o Origin) string {
	if p, ok := d.sources[o]; ok {
		return p
	}
	return d.Target
}

// Close releases the files the deployment holds open.
func (d *Deployment) Close() error {
	var errs []error
	for _, c := range d.closers {
		errs = append(errs, c.Close())
	}
	d.closers = nil
	return errors.Join(errs...)
}

// drainLimit is the size up to which a reader closed before its end reads
// the rest anyway (see recordingReader.Close).
const drainLimit = 1 * mib

// recordingReader reports read errors to its deployment.
type recordingReader struct {
	rc    io.ReadCloser
	d     *Deployment
	f     *File
	eof   bool
	limit int64 // the metadata cap, 0 for none
	n     int64 // bytes read
}

func (r *recordingReader) Read(p []byte) (int, error) {
	if r.limit > 0 {
		// Ask for at most one byte past the cap: enough to know.
		if room := r.limit + 1 - r.n; int64(len(p)) > room {
			p = p[:max(room, 0)]
		}
	}
	n, err := r.rc.Read(p)
	r.n += int64(n)
	if r.limit > 0 && r.n > r.limit {
		return n, r.d.record(r.f, r.d.tooBig(r.f))
	}
	switch {
	case err == io.EOF:
		r.eof = true
	case err != nil:
		err = r.d.record(r.f, err)
	}
	return n, err
}

// Close reads a small entry to its end before closing: archive/zip checks
// an entry's CRC only at its end, and a JSON decoder stops after the first
// value, so a damaged package.json could otherwise be half-read, fail to
// parse, and be skipped by the cataloger without a trace. Metadata files
// are small; large files read in part (an executable's header being
// sniffed) are not drained.
func (r *recordingReader) Close() error {
	if !r.eof && r.f.Size <= drainLimit {
		io.Copy(io.Discard, r) // errors are recorded by Read
	}
	return r.rc.Close()
}
