package sbom

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/fnaudit/fnaudit/artifact"
)

// maxMetadataSize bounds a metadata file fnaudit reads itself (package.json,
// METADATA, a lockfile): the largest real package.json files are a few
// hundred KiB.
const maxMetadataSize = 16 << 20

// readMetadata reads a metadata file of the deployment at its real path.
func readMetadata(d *artifact.Deployment, real string) ([]byte, error) {
	f, ok := d.File(real)
	if !ok {
		return nil, &artifact.InputError{File: d.Target, Entry: real, Reason: "no such file in the artifact"}
	}
	if f.Size > maxMetadataSize {
		return nil, inputError(d, f, fmt.Sprintf("metadata file of %d bytes is larger than fnaudit reads (%d)", f.Size, maxMetadataSize), nil)
	}
	rc, err := d.Open(real)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxMetadataSize+1))
	if err != nil {
		return nil, inputError(d, f, "read metadata file", err)
	}
	if len(b) > maxMetadataSize {
		return nil, inputError(d, f, fmt.Sprintf("metadata file is larger than fnaudit reads (%d bytes)", maxMetadataSize), nil)
	}
	return b, nil
}

func stripBOM(b []byte) []byte { return bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) }

// lenientPackageJSON reads name and version from a package.json that a
// strict parser refused: a BOM, fields of unexpected types, nesting deeper
// than a decoder allows, trailing bytes. Only the top-level object is
// walked, without recursion (a 20,000-deep value is skipped by counting
// brackets). A version given as a number (0.1) keeps its text; given as
// an array, its first string. Either may come back empty; the caller
// names the package after its folder then. The error is for a file that
// is not a JSON object at all.
func lenientPackageJSON(b []byte) (name, version string, err error) {
	s := &scanner{b: stripBOM(b)}
	s.space()
	if !s.eat('{') {
		return "", "", s.fail("expected an object")
	}
	for {
		s.space()
		if s.eat('}') {
			return name, version, nil
		}
		keyStart := s.i
		if err := s.skipString(); err != nil {
			return "", "", err
		}
		var key string
		if err := json.Unmarshal(s.b[keyStart:s.i], &key); err != nil {
			return "", "", s.fail("bad key")
		}
		s.space()
		if !s.eat(':') {
			return "", "", s.fail("expected ':'")
		}
		s.space()
		valStart := s.i
		if err := s.skipValue(); err != nil {
			return "", "", err
		}
		// JSON.parse keeps the last of duplicate keys; so does this.
		switch key {
		case "name":
			name = stringValue(s.b[valStart:s.i], false)
		case "version":
			version = stringValue(s.b[valStart:s.i], true)
		}
		s.space()
		if s.eat(',') {
			continue
		}
		if s.eat('}') {
			return name, version, nil
		}
		return "", "", s.fail("expected ',' or '}'")
	}
}

// stringValue is a JSON value read as a name or version: a string; for a
// version also a number's text or an array's first string.
func stringValue(raw []byte, version bool) string {
	var str string
	if json.Unmarshal(raw, &str) == nil {
		return str
	}
	if !version || len(raw) == 0 {
		return ""
	}
	switch c := raw[0]; {
	case c == '-' || (c >= '0' && c <= '9'):
		var n json.Number
		if json.Unmarshal(raw, &n) == nil {
			return n.String()
		}
	case c == '[':
		s := &scanner{b: raw, i: 1}
		s.space()
		start := s.i
		if s.skipString() == nil {
			if json.Unmarshal(raw[start:s.i], &str) == nil {
				return str
			}
		}
	}
	return ""
}

// scanner walks JSON bytes without building values.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) fail(what string) error {
	return fmt.Errorf("not JSON at byte %d: %s", s.i, what)
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

var errUnterminated = errors.New("not JSON: unterminated string")

// skipString passes a string, escapes included.
func (s *scanner) skipString() error {
	if !s.eat('"') {
		return s.fail("expected a string")
	}
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			s.i += 2
		case '"':
			s.i++
			return nil
		default:
			s.i++
		}
	}
	return errUnterminated
}

// skipValue passes one value of any depth, iteratively.
func (s *scanner) skipValue() error {
	if s.i >= len(s.b) {
		return s.fail("expected a value")
	}
	switch s.b[s.i] {
	case '"':
		return s.skipString()
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				if err := s.skipString(); err != nil {
					return err
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			s.i++
			if depth == 0 {
				return nil
			}
		}
		return s.fail("unterminated object or array")
	}
	start := s.i
	for s.i < len(s.b) && !bytes.ContainsRune([]byte(" \t\r\n,}]"), rune(s.b[s.i])) {
		s.i++
	}
	if s.i == start {
		return s.fail("expected a value")
	}
	return nil
}
