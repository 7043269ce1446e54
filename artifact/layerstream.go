package artifact

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"reflect"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// A layer is read as one stream, and a 12 MB gzip of zeros once wrote 11.5
// GiB to the temp directory before any limit looked at it, deaf to SIGTERM
// for a minute. So the layer is decompressed here, not by the library, and
// the stream is metered as it flows: the compressed bytes read against the
// bytes produced (the ratio limit, as for zip entries), and the context
// every meterStep bytes, so a cancelled run stops within milliseconds.

// meterStep is how many uncompressed bytes pass between checks: inflating
// 4 MiB takes a few milliseconds.
const meterStep = 4 * mib

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// layerStream is a layer's uncompressed tar stream, metered.
type layerStream struct {
	ctx        context.Context
	r          io.Reader       // uncompressed
	compressed *countingReader // nil when the stored layer is not compressed
	closers    []io.Closer
	produced   int64
	nextCheck  int64
	b          *budget
	file       string // for messages: the image and the layer digest
	digest     string
	// stop is the error that ended the read (cancellation, a limit): the
	// tar reader wraps what it is given, so applyLayer asks here first.
	stop error
}

// openLayerStream opens a layer for metered reading.
func openLayerStream(ctx context.Context, layer v1.Layer, b *budget, file, digest string) (*layerStream, error) {
	s := &layerStream{ctx: ctx, b: b, file: file, digest: digest, nextCheck: meterStep}
	if gzipsOnTheFly(layer) {
		// An uncompressed docker-archive: the library would gzip the layer
		// only for us to inflate it again. Stored uncompressed, it cannot
		// expand.
		rc, err := layer.Uncompressed()
		if err != nil {
			return nil, err
		}
		s.r, s.closers = rc, []io.Closer{rc}
		return s, nil
	}
	raw, err := layer.Compressed()
	if err != nil {
		return nil, err
	}
	s.closers = append(s.closers, raw)
	s.compressed = &countingReader{r: raw}
	br := bufio.NewReader(s.compressed)
	head, err := br.Peek(len(zstdMagic))
	if err != nil && err != io.EOF {
		s.Close()
		return nil, err
	}
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		zr, err := gzip.NewReader(br)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.r, s.closers = zr, append(s.closers, zr)
	case bytes.HasPrefix(head, zstdMagic):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
		if err != nil {
			s.Close()
			return nil, err
		}
		s.r, s.closers = zr, append(s.closers, zr.IOReadCloser())
	default:
		s.r = br // an uncompressed tar (OCI media type ...layer.v1.tar)
	}
	return s, nil
}

// gzipsOnTheFly reports whether the library serves this layer from an
// uncompressed source, in which case its Compressed method gzips it on the
// fly. No exported method tells; the type does (partial's extender of an
// uncompressed layer). Getting it wrong costs time, never a check.
func gzipsOnTheFly(layer v1.Layer) bool {
	return reflect.TypeOf(layer).String() == "*partial.uncompressedLayerExtender"
}

func (s *layerStream) Read(p []byte) (int, error) {
	if s.stop != nil {
		return 0, s.stop
	}
	n, err := s.r.Read(p)
	s.produced += int64(n)
	if s.produced >= s.nextCheck {
		s.nextCheck = s.produced + meterStep
		if s.stop = s.check(); s.stop != nil {
			return n, s.stop
		}
	}
	return n, err
}

// why returns the error that stopped the stream, else err.
func (s *layerStream) why(err error) error {
	if s.stop != nil {
		return s.stop
	}
	return err
}

// check stops the read on cancellation or a ratio past the limit. The ratio
// is of the whole layer so far: a layer mixes many files, so it is judged
// once it has produced RatioMinSize bytes.
func (s *layerStream) check() error {
	if err := s.ctx.Err(); err != nil {
		return fmt.Errorf("%s: reading layer %s: %w", s.file, s.digest, err)
	}
	if s.compressed == nil || s.produced <= s.b.limits.RatioMinSize {
		return nil
	}
	in := s.compressed.n
	if in == 0 || s.produced/in > s.b.limits.MaxRatio {
		return &InputError{File: s.file, Entry: s.digest,
			Reason: fmt.Sprintf("layer expands more than %d:1 (%s from %s so far)", s.b.limits.MaxRatio,
				humanBytes(s.produced), humanBytes(in)),
			Limit: "--max-ratio"}
	}
	return nil
}

func (s *layerStream) Close() error {
	var first error
	for i := len(s.closers) - 1; i >= 0; i-- {
		if err := s.closers[i].Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// ctxReader stops a long copy when ctx is cancelled, checking every
// meterStep bytes.
type ctxReader struct {
	ctx  context.Context
	r    io.Reader
	left int64
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		if err := c.ctx.Err(); err != nil {
			return 0, err
		}
		c.left = meterStep
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
