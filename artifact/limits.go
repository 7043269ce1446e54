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
	return l
}
