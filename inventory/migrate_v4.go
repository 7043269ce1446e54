package inventory

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"
)

// Schema v4: packages.source_norm, the source package a distribution
// package is also matched by (sourcename.go), indexed for an incremental
// rematch. A Go migration, because filling it for stored rows parses
// purls as the matcher does; written once, it serves both backends.
func (s *Store) sourceNamesMigration() *goose.Migration {
	up := func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `ALTER TABLE packages ADD COLUMN source_norm TEXT NOT NULL DEFAULT ''`); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT artifact_digest, seq, ecosystem, name, version, purl FROM packages
			WHERE purl LIKE 'pkg:deb/%' OR purl LIKE 'pkg:apk/%'`)
		if err != nil {
			return err
		}
		type set struct {
			digest string
			seq    int
			source string
		}
		var sets []set
		for rows.Next() {
			var d, eco, name, version, purl string
			var seq int
			if err := rows.Scan(&d, &seq, &eco, &name, &version, &purl); err != nil {
				rows.Close()
				return err
			}
			if src := sourceNorm(eco, name, version, purl); src != "" {
				sets = append(sets, set{d, seq, src})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, u := range sets {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE packages SET source_norm = ? WHERE artifact_digest = ? AND seq = ?`),
				u.source, u.digest, u.seq); err != nil {
				return fmt.Errorf("package %d of %s: %w", u.seq, u.digest, err)
			}
		}
		_, err = tx.ExecContext(ctx, `CREATE INDEX packages_source ON packages (source_norm, ecosystem, version, artifact_digest)
			WHERE source_norm <> ''`)
		return err
	}
	down := func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DROP INDEX packages_source`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `ALTER TABLE packages DROP COLUMN source_norm`)
		return err
	}
	return goose.NewGoMigration(4, &goose.GoFunc{RunTx: up}, &goose.GoFunc{RunTx: down})
}
