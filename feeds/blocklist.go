package feeds

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ossf/osv-schema/bindings/go/osvconstants"
	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/fnaudit/fnaudit/core"
)

// maxBlockListSize bounds a block list file; a real one is a few KiB.
const maxBlockListSize = 4 << 20

// BlockList is an organisation's own list of packages it refuses to ship,
// in YAML:
//
//	author: security@example.com      # default author of every entry
//	entries:
//	  - purl: pkg:npm/flatmap-stream  # every version
//	    reason: malicious code injected through event-stream (2018)
//	  - purl: pkg:npm/event-stream@3.3.6
//	    reason: pulled in flatmap-stream
//	  - ecosystem: PyPI
//	    name: requests
//	    introduced: "2.3.0"             # an OSV ECOSYSTEM range...
//	    fixed: "2.31.0"                 # ...or last_affected
//	    reason: proxy credential leak, upgrade mandated
//	    author: alice@example.com
//
// Each entry becomes one malicious OSV record with a BLOCK- id (stable: a
// hash of the package and versions, unless the entry sets its own id), so
// the matching code needs nothing special for it.
type BlockList struct {
	Author  string       `yaml:"author"`
	Entries []BlockEntry `yaml:"entries"`
}

// BlockEntry is one line of a block list: a package, given as purl or as
// ecosystem + name, and optionally the versions it applies to (exact
// versions and/or one range; none means every version).
type BlockEntry struct {
	ID           string   `yaml:"id"`
	PURL         string   `yaml:"purl"`
	Ecosystem    string   `yaml:"ecosystem"`
	Name         string   `yaml:"name"`
	Versions     []string `yaml:"versions"`
	Introduced   string   `yaml:"introduced"`
	Fixed        string   `yaml:"fixed"`
	LastAffected string   `yaml:"last_affected"`
	Reason       string   `yaml:"reason"`
	Author       string   `yaml:"author"`
}

// ParseBlockList reads a block list (named name in errors) and returns its
// entries as OSV records modified at now.
func ParseBlockList(r io.Reader, name string, now time.Time) ([]*osvschema.Vulnerability, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBlockListSize+1))
	if err != nil {
		return nil, fmt.Errorf("block list %s: %w", name, err)
	}
	if len(data) > maxBlockListSize {
		return nil, fmt.Errorf("block list %s: larger than %d bytes", name, maxBlockListSize)
	}
	var bl BlockList
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true) // a misspelt "versions" must not block every version
	if err := dec.Decode(&bl); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("block list %s: empty", name)
		}
		return nil, fmt.Errorf("block list %s: %s", name, oneLine(err.Error()))
	}
	// A second pass over the node tree gives each entry's line for errors.
	var doc struct {
		Entries []yaml.Node `yaml:"entries"`
	}
	_ = yaml.Unmarshal(data, &doc)
	line := func(i int) int {
		if i < len(doc.Entries) {
			return doc.Entries[i].Line
		}
		return 0
	}
	if len(bl.Entries) == 0 {
		return nil, fmt.Errorf("block list %s: no entries", name)
	}
	ids := map[string]int{}
	out := make([]*osvschema.Vulnerability, 0, len(bl.Entries))
	for i, e := range bl.Entries {
		v, err := e.record(bl.Author, now)
		if err != nil {
			return nil, fmt.Errorf("block list %s: line %d: entry %d: %w", name, line(i), i+1, err)
		}
		if prev, dup := ids[v.GetId()]; dup {
			return nil, fmt.Errorf("block list %s: line %d: entry %d: id %s repeats entry %d", name, line(i), i+1, v.GetId(), prev)
		}
		ids[v.GetId()] = i + 1
		out = append(out, v)
	}
	return out, nil
}

// record turns the entry into an OSV record.
func (e BlockEntry) record(defaultAuthor string, now time.Time) (*osvschema.Vulnerability, error) {
	eco, name := e.Ecosystem, e.Name
	versions := append([]string(nil), e.Versions...)
	if e.PURL != "" {
		if eco != "" || name != "" {
			return nil, errors.New("give either purl or ecosystem and name, not both")
		}
		var v string
		var err error
		if eco, name, v, err = core.ParsePURL(e.PURL); err != nil {
			return nil, err
		}
		if v != "" {
			versions = append(versions, v)
		}
	}
	if eco == "" || strings.TrimSpace(name) == "" {
		return nil, errors.New("no package: give purl, or ecosystem and name")
	}
	eco, err := CanonicalEcosystem(eco)
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	reason := strings.TrimSpace(e.Reason)
	if reason == "" {
		return nil, errors.New("no reason: say why the package is blocked")
	}
	author := strings.TrimSpace(e.Author)
	if author == "" {
		author = strings.TrimSpace(defaultAuthor)
	}
	if author == "" {
		return nil, errors.New("no author: set author on the entry or at the top of the file")
	}
	for _, v := range versions {
		if strings.TrimSpace(v) == "" {
			return nil, errors.New("empty version")
		}
	}
	if e.Fixed != "" && e.LastAffected != "" {
		return nil, errors.New("give fixed or last_affected, not both")
	}

	affected := &osvschema.Affected{
		Package:  &osvschema.Package{Ecosystem: eco, Name: name},
		Versions: versions,
	}
	hasRange := e.Introduced != "" || e.Fixed != "" || e.LastAffected != ""
	if hasRange || len(versions) == 0 {
		// No versions and no range: every version, as MAL records say it.
		introduced := e.Introduced
		if introduced == "" {
			introduced = "0"
		}
		events := []*osvschema.Event{{Introduced: introduced}}
		if e.Fixed != "" {
			events = append(events, &osvschema.Event{Fixed: e.Fixed})
		}
		if e.LastAffected != "" {
			events = append(events, &osvschema.Event{LastAffected: e.LastAffected})
		}
		affected.Ranges = []*osvschema.Range{{Type: osvschema.Range_ECOSYSTEM, Events: events}}
	}

	id := strings.TrimSpace(e.ID)
	switch {
	case id == "":
		h := sha256.New()
		fmt.Fprintf(h, "%s\x00%s\x00%q\x00%s\x00%s\x00%s", eco, core.NormalizeName(eco, name), versions, e.Introduced, e.Fixed, e.LastAffected)
		id = BlockListPrefix + strings.ToUpper(hex.EncodeToString(h.Sum(nil))[:16])
	case !strings.HasPrefix(id, BlockListPrefix):
		return nil, fmt.Errorf("id %q must start with %s", id, BlockListPrefix)
	}
	if err := checkID(id); err != nil {
		return nil, err
	}
	ds, err := structpb.NewStruct(map[string]any{
		"fnaudit_block_list": map[string]any{"reason": reason, "author": author},
	})
	if err != nil {
		return nil, err
	}
	ts := timestamppb.New(now.UTC().Truncate(time.Second))
	return &osvschema.Vulnerability{
		SchemaVersion:    osvconstants.SchemaVersion,
		Id:               id,
		Modified:         ts,
		Published:        ts,
		Summary:          fmt.Sprintf("Blocked by organisation policy: %s (%s)", name, eco),
		Details:          fmt.Sprintf("%s\n\nBlocked by %s.", reason, author),
		Affected:         []*osvschema.Affected{affected},
		DatabaseSpecific: ds,
		Credits:          []*osvschema.Credit{{Name: author, Type: osvschema.Credit_REPORTER}},
	}, nil
}

// importBlockList replaces the block list's records in the database.
func importBlockList(ctx context.Context, w *writer, src *sourceState, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("block list %s: %w", path, err)
	}
	defer f.Close()
	vs, err := ParseBlockList(f, path, w.now)
	if err != nil {
		return err
	}
	for _, v := range vs {
		raw, err := protojson.Marshal(v)
		if err != nil {
			return fmt.Errorf("block list %s: %s: %w", path, v.GetId(), err)
		}
		r, err := parseRecord(raw, true)
		if err != nil {
			return &RecordError{Source: path, ID: v.GetId(), Err: err}
		}
		if err := w.putFrom(ctx, src, r); err != nil {
			return &RecordError{Source: path, ID: v.GetId(), Err: err}
		}
	}
	return nil
}
