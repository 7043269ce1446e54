// Package manifest reads a fleet from a YAML file instead of a cloud
// account: air-gapped use, pipelines, and other clouds' packages (Azure
// Functions zip deploys, Google Cloud Functions source zips). The schema is
// in README.md; unknown keys are errors.
package manifest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"gopkg.in/yaml.v3"

	"github.com/fnaudit/fnaudit/fleet"
	"github.com/fnaudit/fnaudit/fleet/config"
)

// entryKeys lists the keys of one function entry, for error messages.
const entryKeys = "name, code, image, sha256, layers, runtime, account, region, qualifier, role, provenance"

// MaxLayers is Lambda's limit of layers per function.
const MaxLayers = 5

type document struct {
	Functions []entry `yaml:"functions"`
}

type entry struct {
	Name       string   `yaml:"name"`
	Code       string   `yaml:"code"`
	Image      string   `yaml:"image"`
	SHA256     string   `yaml:"sha256"`
	Layers     []string `yaml:"layers"`
	Runtime    string   `yaml:"runtime"`
	Account    string   `yaml:"account"`
	Region     string   `yaml:"region"`
	Qualifier  string   `yaml:"qualifier"`
	Role       string   `yaml:"role"`
	Provenance string   `yaml:"provenance"`
}

// Source lists the functions of a manifest file; it implements fleet.Source.
type Source struct {
	Path string
	Now  func() time.Time // clock for eol-runtime findings; nil: time.Now
}

// List reads and checks the manifest.
func (s Source) List(ctx context.Context) ([]fleet.Function, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return load(s.Path, now())
}

// Load reads the manifest at path. Every error is one line naming the file
// and, when it is about one function, the entry.
func Load(path string) ([]fleet.Function, error) { return load(path, time.Now()) }

func load(path string, now time.Time) ([]fleet.Function, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", path, err)
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", path, err)
	}
	return parse(data, path, dir, now)
}

var lineRE = regexp.MustCompile(`^line (\d+): (.*)$`)

func parse(data []byte, file, dir string, now time.Time) ([]fleet.Function, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("manifest %s: "+format, append([]any{file}, args...)...)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fail("%s", oneLine(strings.TrimPrefix(err.Error(), "yaml: ")))
	}
	spans := entrySpans(&root)

	var doc document
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fail("empty manifest: it needs a functions: list")
		}
		var te *yaml.TypeError
		if errors.As(err, &te) && len(te.Errors) > 0 {
			// Name the entry the first problem is in.
			msg := te.Errors[0]
			if m := lineRE.FindStringSubmatch(msg); m != nil {
				line, _ := strconv.Atoi(m[1])
				text := m[2]
				if k, ok := strings.CutPrefix(text, "field "); ok {
					if key, where, ok := strings.Cut(k, " not found in type "); ok {
						known := "functions"
						if where == "manifest.entry" {
							known = entryKeys
						}
						text = fmt.Sprintf("unknown key %q (known keys: %s)", key, known)
					}
				}
				for _, sp := range spans {
					if line >= sp.start && line <= sp.end {
						return nil, fail("%s: line %d: %s", sp.label(), line, text)
					}
				}
				return nil, fail("line %d: %s", line, text)
			}
			return nil, fail("%s", msg)
		}
		return nil, fail("%s", oneLine(strings.TrimPrefix(err.Error(), "yaml: ")))
	}
	if len(doc.Functions) == 0 {
		return nil, fail("no functions: the manifest needs a non-empty functions: list")
	}
	var out []fleet.Function
	seen := map[string]int{}
	for i, e := range doc.Functions {
		label := fmt.Sprintf("function #%d", i+1)
		if e.Name != "" {
			label += fmt.Sprintf(" %q", e.Name)
		}
		if i < len(spans) {
			label += fmt.Sprintf(" (line %d)", spans[i].start)
		}
		f, err := e.function(dir, now)
		if err != nil {
			return nil, fail("%s: %v", label, err)
		}
		if j, dup := seen[f.ID()]; dup {
			return nil, fail("%s: duplicate of function #%d (same name, account, region and qualifier)", label, j+1)
		}
		seen[f.ID()] = i
		out = append(out, f)
	}
	return out, nil
}

func (e entry) function(dir string, now time.Time) (fleet.Function, error) {
	if strings.TrimSpace(e.Name) == "" {
		return fleet.Function{}, errors.New("name is required")
	}
	f := fleet.Function{
		Source: fleet.SourceManifest, Name: e.Name, Runtime: e.Runtime, Account: e.Account,
		Region: e.Region, Qualifier: e.Qualifier, Role: e.Role,
	}
	switch {
	case e.Code != "" && e.Image != "":
		return f, errors.New("give code or image, not both")
	case e.Code == "" && e.Image == "":
		return f, errors.New("code (a zip path or https URL) or image (a reference) is required")
	case e.Image != "":
		if len(e.Layers) > 0 {
			return f, errors.New("an image function has no layers (Lambda bakes them into the image)")
		}
		if e.SHA256 != "" {
			return f, errors.New("sha256 is for code zips; pin an image by digest in image: REPO@sha256:...")
		}
		ref, err := name.ParseReference(e.Image)
		if err != nil {
			return f, fmt.Errorf("image %q: %w", e.Image, err)
		}
		f.PackageType = fleet.PackageImage
		f.ImageURI = e.Image
		if d, ok := ref.(name.Digest); ok {
			f.ResolvedImageURI = d.String()
		}
	default:
		f.PackageType = fleet.PackageZip
		loc, sum, size, err := locate(dir, e.Code)
		if err != nil {
			return f, fmt.Errorf("code: %w", err)
		}
		f.Code, f.CodeSha256, f.CodeSize = loc, sum, size
		if e.SHA256 != "" {
			claimed, err := parseSHA256(e.SHA256)
			if err != nil {
				return f, err
			}
			if f.CodeSha256 != "" && f.CodeSha256 != claimed {
				return f, fmt.Errorf("sha256: %s has sha256 %s, not the %s the manifest gives", e.Code, f.CodeSha256, claimed)
			}
			f.CodeSha256 = claimed
		}
	}
	if len(e.Layers) > MaxLayers {
		return f, fmt.Errorf("layers: %d layers, Lambda allows at most %d", len(e.Layers), MaxLayers)
	}
	for i, l := range e.Layers {
		loc, sum, size, err := locate(dir, l)
		if err != nil {
			return f, fmt.Errorf("layer %d: %w", i+1, err)
		}
		f.Layers = append(f.Layers, fleet.Layer{ARN: loc, CodeSha256: sum, CodeSize: size, Location: loc})
	}
	if e.Provenance != "" {
		p := e.Provenance
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
			return f, fmt.Errorf("provenance %s: not a readable file", e.Provenance)
		}
		f.Provenance = p
	}
	if fd, ok := config.EOLRuntime(f.Runtime, now); ok {
		f.ConfigFindings = append(f.ConfigFindings, fd)
	}
	return f, nil
}

// locate resolves a code or layer reference: an https/http URL as given
// (digest unknown until downloaded), or a local zip relative to the
// manifest's folder, hashed now so an unchanged file need not be copied.
func locate(dir, ref string) (loc, sum string, size int64, err error) {
	if strings.HasPrefix(ref, "https://") || strings.HasPrefix(ref, "http://") {
		return ref, "", 0, nil
	}
	if strings.Contains(ref, "://") {
		return "", "", 0, fmt.Errorf("%s: only local paths and https URLs are read", ref)
	}
	p := ref
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	file, err := os.Open(p)
	if err != nil {
		return "", "", 0, fmt.Errorf("%s: %w", ref, errors.Unwrap(err))
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return "", "", 0, fmt.Errorf("%s: not a regular file", ref)
	}
	h := sha256.New()
	n, err := io.Copy(h, file)
	if err != nil {
		return "", "", 0, fmt.Errorf("%s: %w", ref, err)
	}
	return p, base64.StdEncoding.EncodeToString(h.Sum(nil)), n, nil
}

// parseSHA256 accepts Lambda's base64 CodeSha256, 64 hex digits, or
// "sha256:<hex>", and returns base64.
func parseSHA256(s string) (string, error) {
	h := strings.TrimPrefix(s, "sha256:")
	if raw, err := hex.DecodeString(h); err == nil && len(raw) == sha256.Size {
		return base64.StdEncoding.EncodeToString(raw), nil
	}
	if raw, err := base64.StdEncoding.DecodeString(s); err == nil && len(raw) == sha256.Size {
		return s, nil
	}
	return "", fmt.Errorf("sha256 %q: want 64 hex digits, sha256:<hex> or Lambda's base64 CodeSha256", s)
}

// span is the line range of one functions: entry.
type span struct {
	index      int
	name       string
	start, end int
}

func (s span) label() string {
	l := fmt.Sprintf("function #%d", s.index+1)
	if s.name != "" {
		l += fmt.Sprintf(" %q", s.name)
	}
	return l
}

// entrySpans finds where each entry of the functions: list starts and ends.
func entrySpans(root *yaml.Node) []span {
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != "functions" || m.Content[i+1].Kind != yaml.SequenceNode {
			continue
		}
		items := m.Content[i+1].Content
		spans := make([]span, len(items))
		for j, it := range items {
			spans[j] = span{index: j, start: it.Line, end: lastLine(it)}
			if it.Kind == yaml.MappingNode {
				for k := 0; k+1 < len(it.Content); k += 2 {
					if it.Content[k].Value == "name" {
						spans[j].name = it.Content[k+1].Value
					}
				}
			}
		}
		return spans
	}
	return nil
}

func lastLine(n *yaml.Node) int {
	l := n.Line
	for _, c := range n.Content {
		if ll := lastLine(c); ll > l {
			l = ll
		}
	}
	return l
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
