package artifact

import "fmt"

// budget counts what one deployment has read so far against its limits. It
// is charged from declared sizes before anything is decompressed; archive/zip
// then refuses to return more (or fewer) bytes than an entry declares, so the
// declared sizes are the real ones.
type budget struct {
	limits   Limits
	maxSize  int64  // MaxZipSize or MaxImageSize
	sizeFlag string // the flag that raises maxSize
	size     int64
	entries  int
	// tempDir is where this open spills nested archives and image content
	// (Options.TempDir): carried with the budget because both follow the
	// one read through every nested level.
	tempDir string
	nested  int // archives opened inside archives
}

func newZipBudget(opts Options) *budget {
	return &budget{limits: opts.Limits, maxSize: opts.Limits.MaxZipSize, sizeFlag: "--max-size", tempDir: opts.TempDir}
}

func newImageBudget(opts Options) *budget {
	return &budget{limits: opts.Limits, maxSize: opts.Limits.MaxImageSize, sizeFlag: "--max-image-size", tempDir: opts.TempDir}
}

// entry charges one entry and checks the depth of its name.
func (b *budget) entry(file, entry string) error {
	b.entries++
	if b.entries > b.limits.MaxEntries {
		return &InputError{File: file, Entry: shortName(entry),
			Reason: fmt.Sprintf("more than %d entries", b.limits.MaxEntries), Limit: "--max-entries"}
	}
	if d := pathDepth(entry); d > b.limits.MaxPathDepth {
		return &InputError{File: file, Entry: shortName(entry),
			Reason: fmt.Sprintf("path %d levels deep, more than %d", d, b.limits.MaxPathDepth), Limit: "--max-path-depth"}
	}
	return nil
}

// nestedArchive charges one archive found inside another.
func (b *budget) nestedArchive(file, entry string) error {
	b.nested++
	if b.nested > b.limits.MaxNestedArchives {
		return &InputError{File: file, Entry: entry,
			Reason: fmt.Sprintf("more than %d nested archives", b.limits.MaxNestedArchives), Limit: "--max-nested-archives"}
	}
	return nil
}

// pathDepth counts the components of an entry name as a runtime would
// resolve them: empty and "." components are not levels. Backslashes count
// as separators too, as cleanEntryName checks them.
func pathDepth(name string) int {
	n, start := 0, 0
	for i := 0; i <= len(name); i++ {
		if i == len(name) || name[i] == '/' || name[i] == '\\' {
			if seg := name[start:i]; seg != "" && seg != "." {
				n++
			}
			start = i + 1
		}
	}
	return n
}

// maxNameInMessage bounds how much of an entry name an error repeats: the
// message must stay one readable line when the name is 60,000 bytes long.
const maxNameInMessage = 512

// shortName keeps the start and end of an overlong name.
func shortName(name string) string {
	if len(name) <= maxNameInMessage {
		return name
	}
	half := maxNameInMessage / 2
	return fmt.Sprintf("%s...(%d bytes)...%s", name[:half], len(name)-2*half, name[len(name)-half:])
}

// bytes charges n uncompressed bytes of one entry.
func (b *budget) bytes(file, entry string, n int64) error {
	if n < 0 || n > b.maxSize-b.size {
		return &InputError{File: file, Entry: entry,
			Reason: fmt.Sprintf("total uncompressed size exceeds %s", humanBytes(b.maxSize)), Limit: b.sizeFlag}
	}
	b.size += n
	return nil
}

// ratio refuses an entry that expands more than MaxRatio times, when it is
// large enough for that to matter.
func (b *budget) ratio(file, entry string, compressed, uncompressed uint64) error {
	if int64(uncompressed) <= b.limits.RatioMinSize {
		return nil
	}
	if compressed == 0 || uncompressed/compressed > uint64(b.limits.MaxRatio) {
		return &InputError{File: file, Entry: entry,
			Reason: fmt.Sprintf("compression ratio above %d:1 (%s from %s)", b.limits.MaxRatio,
				humanBytes(int64(uncompressed)), humanBytes(int64(compressed))),
			Limit: "--max-ratio"}
	}
	return nil
}

// humanBytes prints a size the way the limits are stated (1 GiB, 250 MiB).
func humanBytes(n int64) string {
	switch {
	case n >= gib && n%gib == 0:
		return fmt.Sprintf("%d GiB", n/gib)
	case n >= mib:
		return fmt.Sprintf("%.1f MiB", float64(n)/mib)
	case n >= 1024:
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	default:
		return fmt.Sprintf("%d B", n)
	}
}
