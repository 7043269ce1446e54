package feeds

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/fnaudit/fnaudit/core"
)

// maxRecordSize bounds one OSV record. The largest real ones (kernel CVEs
// with long version lists) are a few hundred KiB; anything near this is not
// an advisory but an attack on the importer.
const maxRecordSize = 16 << 20

// maxIDLength bounds a record id; real ids are under 40 characters.
const maxIDLength = 256

// decodeOptions read OSV JSON the way osv.dev's own tools do: fields and enum
// values newer than the pinned schema are ignored instead of failing the
// record, so a schema minor release upstream does not stop updates.
var decodeOptions = protojson.UnmarshalOptions{DiscardUnknown: true}

// storeOptions encode records for storage; deterministic so that the same
// record always stores the same bytes.
var storeOptions = proto.MarshalOptions{Deterministic: true}

// indexKey is one (ecosystem, package) a record is filed under: the
// canonical ecosystem and the normalized name (see NormalizeName).
type indexKey struct {
	ecosystem string
	name      string
}

// record is an OSV record checked and ready to store.
type record struct {
	id       string
	modified int64 // microseconds since the Unix epoch
	kind     Kind
	keys     []indexKey
	pb       []byte // the record in protobuf wire form
	data     []byte // pb compressed for storage (see storedData)
}

// RecordError is an import failure for one record: Source is the file, zip
// or URL, Entry the member of a zip (empty for a plain file), ID the record
// id when it could be read.
type RecordError struct {
	Source string
	Entry  string
	ID     string
	Err    error
}

func (e *RecordError) Error() string {
	var b strings.Builder
	b.WriteString(e.Source)
	if e.Entry != "" {
		fmt.Fprintf(&b, ": entry %q", e.Entry)
	}
	if e.ID != "" {
		fmt.Fprintf(&b, ": record %q", e.ID)
	}
	b.WriteString(": ")
	b.WriteString(oneLine(e.Err.Error()))
	return b.String()
}

func (e *RecordError) Unwrap() error { return e.Err }

// oneLine keeps a message on one line: protojson and yaml errors can carry
// newlines and the user sees one line per error.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// parseRecord decodes and checks one OSV record. allowBlockList says whether
// the record may use the block-list id prefix: only the organisation's own
// block list may, so that no public feed or mirror can overwrite (and so
// unblock) one of its entries.
func parseRecord(raw []byte, allowBlockList bool) (*record, error) {
	if len(raw) > maxRecordSize {
		return nil, fmt.Errorf("record is %d bytes, more than the %d byte limit", len(raw), maxRecordSize)
	}
	v := &osvschema.Vulnerability{}
	if err := decodeOptions.Unmarshal(raw, v); err != nil {
		return nil, fmt.Errorf("not a valid OSV record: %w", err)
	}
	id := v.GetId()
	if err := checkID(id); err != nil {
		return nil, err
	}
	if strings.HasPrefix(id, BlockListPrefix) && !allowBlockList {
		return nil, fmt.Errorf("id prefix %q is reserved for the organisation's block list", BlockListPrefix)
	}
	if v.GetModified() == nil {
		return nil, errors.New(`missing "modified"`)
	}
	if err := v.GetModified().CheckValid(); err != nil {
		return nil, fmt.Errorf(`invalid "modified": %w`, err)
	}
	if err := checkRecordTimes(v); err != nil {
		return nil, err
	}
	kind := Classify(v)
	keys, err := recordKeys(v)
	if err != nil {
		return nil, err
	}
	if err := checkSemverRanges(v); err != nil {
		return nil, err
	}
	// A withdrawn record may legitimately have lost its affected list; every
	// other record must say what it affects or it could never match.
	if len(keys) == 0 && kind != KindWithdrawn {
		return nil, errors.New(`no "affected" package: the record could never match`)
	}
	// Stored in protobuf wire form: decoding it at lookup time is several
	// times faster than protojson, which dominated the cost of a lookup.
	// (What the JSON held beyond the pinned schema was dropped above, as
	// it would be at lookup time anyway.)
	pb, err := storeOptions.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return &record{
		id:       id,
		modified: v.GetModified().AsTime().UnixMicro(),
		kind:     kind,
		keys:     keys,
		pb:       pb,
	}, nil
}

// checkID accepts the ids OSV databases issue (PREFIX-..., printable, no
// white space) and rejects what would be confusing in a report or a path.
func checkID(id string) error {
	if id == "" {
		return errors.New(`missing "id"`)
	}
	if len(id) > maxIDLength {
		return fmt.Errorf("id is %d characters long, more than %d", len(id), maxIDLength)
	}
	for _, r := range id {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) || r == '/' || r == '\\' {
			return fmt.Errorf("id %q contains %q", id, r)
		}
	}
	return nil
}

// recordKeys lists the (ecosystem, name) pairs v is filed under, sorted and
// without duplicates. An affected entry without a package is legal OSV only
// for git-only ranges (C/C++ projects known by repository); those carry no
// package to index and are skipped. Anything else without a usable package
// or with an ecosystem the schema does not define is an error, not a skip:
// a silently unindexed record is a silent false negative.
func recordKeys(v *osvschema.Vulnerability) ([]indexKey, error) {
	seen := make(map[indexKey]bool)
	var keys []indexKey
	for i, a := range v.GetAffected() {
		p := a.GetPackage()
		if p.GetName() == "" && p.GetEcosystem() == "" && gitOnly(a) {
			continue
		}
		if p.GetEcosystem() == "" {
			return nil, fmt.Errorf("affected[%d]: package has no ecosystem", i)
		}
		eco, err := CanonicalEcosystem(p.GetEcosystem())
		if err != nil {
			return nil, fmt.Errorf("affected[%d]: %w", i, err)
		}
		// Stored as canonically spelt (" npm " -> "npm", "pypi" ->
		// "PyPI"): match compares the stored record's ecosystem again.
		p.Ecosystem = eco
		name := core.NormalizeName(eco, p.GetName())
		if name == "" {
			return nil, fmt.Errorf("affected[%d]: package has no name", i)
		}
		k := indexKey{ecosystem: eco, name: name}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].ecosystem != keys[j].ecosystem {
			return keys[i].ecosystem < keys[j].ecosystem
		}
		return keys[i].name < keys[j].name
	})
	return keys, nil
}

func gitOnly(a *osvschema.Affected) bool {
	if len(a.GetRanges()) == 0 {
		return false
	}
	for _, r := range a.GetRanges() {
		if r.GetType() != osvschema.Range_GIT {
			return false
		}
	}
	return true
}

// peekID extracts the id of a record that failed to decode, for the error
// message: it reads the top-level object token by token, so an "id" that
// comes before the damage (truncation, a wrong type further down) is found.
// "" when there is none to find.
func peekID(raw []byte) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return ""
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return ""
		}
		if k == "id" {
			var id string
			if dec.Decode(&id) != nil || checkID(id) != nil {
				return ""
			}
			return id
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return ""
		}
	}
	return ""
}
