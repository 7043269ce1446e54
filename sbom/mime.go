package sbom

import (
	"bytes"
	"io"
	"path"
	"strings"

	"github.com/gabriel-vasile/mimetype"

	"github.com/fnaudit/fnaudit/artifact"
)

// sniffLen is what the MIME detector syft uses (gabriel-vasile/mimetype)
// reads by default.
const sniffLen = 3072

// executableExts are names that can hold native code without an exec bit
// (zips made on Windows carry no Unix modes): shared objects, Node addons,
// .NET assemblies.
var executableExts = map[string]bool{"": true, ".so": true, ".node": true, ".dll": true, ".exe": true, ".dylib": true, ".bin": true}

// executableMagic are the first bytes of ELF, PE and Mach-O files. Anything
// else cannot be an executable, so the detector is not run on it.
var executableMagic = [][]byte{
	{0x7f, 'E', 'L', 'F'},
	{'M', 'Z'},
	{0xfe, 0xed, 0xfa, 0xce}, {0xfe, 0xed, 0xfa, 0xcf},
	{0xce, 0xfa, 0xed, 0xfe}, {0xcf, 0xfa, 0xed, 0xfe},
	{0xca, 0xfe, 0xba, 0xbe}, // fat Mach-O (and Java classes; the detector tells them apart)
}

// mightBeExecutable says whether a file is worth sniffing: it has an exec
// bit, a native-code extension, or no extension at all (bootstrap).
func mightBeExecutable(f *artifact.File) bool {
	if f.IsSymlink() || f.Size < 4 {
		return false
	}
	if f.Mode.Perm()&0o111 != 0 {
		return true
	}
	name := path.Base(f.Path)
	ext := strings.ToLower(path.Ext(name))
	if strings.Contains(name, ".so.") {
		return true
	}
	return executableExts[ext]
}

// sniffExecutables reads the head of every executable candidate once and
// records the MIME types syft's binary catalogers ask for. Reading a few KiB
// of a few files replaces syft's directory indexer, which sniffs every file.
func (r *resolver) sniffExecutables() {
	r.mime = map[string]string{}
	for _, f := range r.files {
		if !mightBeExecutable(f) {
			continue
		}
		head, err := r.readHead(f.Path)
		if err != nil || !hasExecutableMagic(head) {
			continue
		}
		r.mime[f.Path] = strings.Split(mimetype.Detect(head).String(), ";")[0]
	}
}

func (r *resolver) readHead(p string) ([]byte, error) {
	rc, err := r.d.Open(p)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	buf := make([]byte, sniffLen)
	n, err := io.ReadFull(rc, buf)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, err
	}
	return buf[:n], nil
}

func hasExecutableMagic(head []byte) bool {
	for _, m := range executableMagic {
		if bytes.HasPrefix(head, m) {
			return true
		}
	}
	return false
}
