package feeds

import (
	"context"
	"crypto/sha256"
	"fmt"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/proto"
)

// Most upstream edits to a record touch nothing a match reads: a reworded
// summary, new references, a credit, and a new modified time with them.
// Such an edit is not logged as a change (changes.go), so an incremental
// `inventory rematch` does not revisit every function carrying the name.
// Everything else a record holds counts (affected ranges and versions,
// ids and aliases, severity, database_specific, withdrawn, published): a
// field that could change a finding, its severity or its verdict is never
// left out.

// matchSum is a digest of what a match can read of a record.
func matchSum(v *osvschema.Vulnerability) ([32]byte, error) {
	c := proto.Clone(v).(*osvschema.Vulnerability)
	c.Summary, c.Details, c.Modified, c.References, c.Credits, c.SchemaVersion = "", "", nil, nil, nil, ""
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(c)
	if err != nil {
		return [32]byte{}, err
	}
	return sha256.Sum256(b), nil
}

// matchChanged says whether r differs from the stored record rid in
// anything a match reads.
func (w *writer) matchChanged(ctx context.Context, rid int64, r *record) (bool, error) {
	var data []byte
	if err := w.tx.QueryRowContext(ctx, `SELECT data FROM records WHERE rid = ?`, rid).Scan(&data); err != nil {
		return false, writeErr(err)
	}
	old, err := decodeStored(data)
	if err != nil {
		return false, fmt.Errorf("record %s: %w", r.id, err)
	}
	cur := &osvschema.Vulnerability{}
	if r.pb != nil {
		err = proto.Unmarshal(r.pb, cur)
	} else {
		cur, err = decodeStored(r.data)
	}
	if err != nil {
		return false, fmt.Errorf("record %s: %w", r.id, err)
	}
	a, err := matchSum(old)
	if err != nil {
		return false, fmt.Errorf("record %s: %w", r.id, err)
	}
	b, err := matchSum(cur)
	if err != nil {
		return false, fmt.Errorf("record %s: %w", r.id, err)
	}
	return a != b, nil
}
