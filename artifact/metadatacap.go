package artifact

import (
	"fmt"
	"path"
	"strings"
)

// The metadata cap (Limits.MaxMetadataSize) bounds what one reader takes
// from one file through Deployment.Open. Catalogers parse the files they
// open in memory, several times their size: a 1.2 GiB package.json in an
// image layer, 1.3 MB compressed, took 4.7 GiB of RSS. Listing the metadata
// names instead (package.json, METADATA, *.pom, go.mod, ...) would let a
// cataloger added in a later syft, or a name we missed, read any size; so the
// cap applies to every file except those whose readers stream them and are
// bounded otherwise:
//
//   - archives (jars, wheels, zips: archiveExts), which syft copies to a temp
//     file and which artifact has already checked entry by entry against the
//     size, ratio, entry, depth and nested-archive limits;
//   - RPM databases, which syft copies to a temp file and opens with a
//     database library, and which are legitimately tens of MiB;
//   - executables, read through OpenExecutable by the binary catalogers
//     (Go build info, ELF notes, PE resources) at random offsets; sbom
//     decides which files they are by their magic bytes.
//
// The total uncompressed size limit bounds all of these. The cap counts the
// bytes read, not the size declared, so sniffing the head of a large file
// costs nothing against it.

// rpmDBNames are the files syft's RPM cataloger opens under .../rpm/.
var rpmDBNames = map[string]bool{"Packages": true, "Packages.db": true, "rpmdb.sqlite": true}

// metadataCapExempt reports whether the file at real path p is read by a
// streaming reader (see above).
func metadataCapExempt(p string) bool {
	if isArchiveName(p) {
		return true
	}
	dir, base := path.Split(p)
	return rpmDBNames[base] && strings.HasSuffix(dir, "/rpm/")
}

// tooBig is the error for a file read past the metadata cap.
func (d *Deployment) tooBig(f *File) *InputError {
	return &InputError{File: d.fileOf(f.Origin()), Entry: shortName(f.Entry()),
		Reason: fmt.Sprintf("%s is read as metadata and is larger than %s (%s)", path.Base(f.Path),
			humanBytes(d.limits.MaxMetadataSize), humanBytes(f.Size)),
		Limit: "--max-metadata-size"}
}
