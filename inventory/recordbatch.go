package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// RecordScans stores many scans in one transaction, each as RecordScan
// would: a fleet run records hundreds of functions, and one commit (one
// set of fsyncs on SQLite) for many of them rather than one each is most of
// a re-run's time. Each record is written under a savepoint, so a record
// that fails is rolled back alone and reported in its place in errs; the
// others still commit. err is set when the transaction itself failed, and
// then nothing was stored.
func (s *Store) RecordScans(ctx context.Context, recs []ScanRecord) (out []Recorded, errs []error, err error) {
	out = make([]Recorded, len(recs))
	errs = make([]error, len(recs))
	var valid []ScanRecord
	for i := range recs {
		if e := validate(&recs[i]); e != nil {
			errs[i] = fmt.Errorf("record scan of %s: %w", recs[i].Function.Name, e)
			continue
		}
		out[i].RunKey = runKeyOf(recs[i])
		valid = append(valid, recs[i])
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockRecords(ctx, tx, valid); err != nil {
			return err
		}
		for i, rec := range recs {
			if errs[i] != nil {
				continue
			}
			if _, err := tx.ExecContext(ctx, `SAVEPOINT record_scan`); err != nil {
				return err
			}
			e := s.recordOne(ctx, tx, rec, out[i].RunKey)
			if e == nil {
				if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT record_scan`); err != nil {
					return err
				}
				continue
			}
			if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT record_scan`); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT record_scan`); err != nil {
				return err
			}
			if errors.Is(e, errDuplicate) {
				out[i].Duplicate = true
			} else {
				errs[i] = fmt.Errorf("record scan of %s: %s", rec.Function.Name, oneLine(e))
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("record %d scans: %s", len(recs), oneLine(err))
	}
	return out, errs, nil
}
