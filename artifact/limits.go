package artifact

// Limits bound what fnaudit reads from an untrusted artifact. Every limit can
// be raised by the user (flags on the sbom and scan commands); exceeding one
// stops the read with an *InputError naming the file and the entry.
type Limits struct {
	// MaxZipSize bounds the total uncompressed bytes of a function and its
	// layers, nested archives included. Lambda itself allows 250 MB unzipped.
	MaxZipSize int64
	// MaxImageSize bounds the total uncompressed bytes of an image's layers.
	// Lambda allows 10 GB images.
	MaxImageSize int64
	// MaxEntries bounds the number of entries over the whole deployment,
	// nested archives included.
	MaxEntries int
	// MaxDepth bounds how deep archives may nest inside archives (a jar in a
	// function zip is depth 1, a jar inside that jar depth 2).
	MaxDepth int
	// MaxRatio bounds uncompressed/compressed size of one entry; it applies
	// to entries larger than RatioMinSize (small files compress well
	// legitimately).
	MaxRatio     int64
	RatioMinSize int64
	// MaxPathDepth bounds the components of one entry name (a/b/c is 3).
	// Every path-keyed structure costs at least its depth per entry, so this
	// is what keeps a hostile 30,000-level tree from costing depth² work.
	// Linux's PATH_MAX (4096 bytes) lets a runtime open at most 2,048
	// components; real deployments, npm 2's nested node_modules included,
	// stay under 100. 256 leaves room and keeps each path cheap.
	MaxPathDepth int
	// MaxNestedArchives bounds how many archives (jars, wheels, zips) are
	// nested inside the deployment, at any depth. syft opens every one
	// with a fixed cost of some milliseconds (a temp copy and a parser),
	// so one jar of 30,000 empty jars took minutes while costing nothing
	// against the entry and size budgets. A large Spring Boot fat jar holds
	// a few hundred jars.
	MaxNestedArchives int
	// MaxMetadataSize bounds the bytes read from one file that a cataloger
	// parses in memory (package.json, METADATA, *.pom, go.mod, *.deps.json,
	// Gemfile.lock, dpkg status, ...). See Deployment.Open for the files it
	// does not apply to.
	MaxMetadataSize int64
}

const (
	mib = 1 << 20
	gib = 1 << 30
)

// DefaultLimits are well above what Lambda accepts, so they only stop input
// that cannot be a real deployment.
func DefaultLimits() Limits {
	return Limits{
		MaxZipSize:   1 * gib,
		MaxImageSize: 12 * gib,
		MaxEntries:   100_000,
		MaxDepth:     4,
		MaxRatio:     200,
		RatioMinSize: 1 * mib,

		MaxPathDepth:      256,
		MaxNestedArchives: 1_000,
		MaxMetadataSize:   32 * mib,
	}
}

// withDefaults fills zero fields, so a caller may set only what it changes.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxZipSize <= 0 {
		l.MaxZipSize = d.MaxZipSize
	}
	if l.MaxImageSize <= 0 {
		l.MaxImageSize = d.MaxImageSize
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	if l.RatioMinSize <= 0 {
		l.RatioMinSize = d.RatioMinSize
	}
	if l.MaxPathDepth <= 0 {
		l.MaxPathDepth = d.MaxPathDepth
	}
	if l.MaxNestedArchives <= 0 {
		l.MaxNestedArchives = d.MaxNestedArchives
	}
	if l.MaxMetadataSize <= 0 {
		l.MaxMetadataSize = d.MaxMetadataSize
	}
	return l
}
