package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// StoredArtifact returns an artifact's packages and current findings
// generation, and found=false when the inventory has no such artifact. A
// fleet run uses it to skip downloading a deployment it has already
// cataloged and re-match the stored packages instead.
func (s *Store) StoredArtifact(ctx context.Context, digest string) (pkgs []PackageRow, generation string, found bool, err error) {
	var gen sql.NullString
	err = s.db.QueryRowContext(ctx, s.q(`SELECT current_generation FROM artifacts WHERE digest = ?`), digest).Scan(&gen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", false, nil
	}
	if err != nil {
		return nil, "", false, fmt.Errorf("inventory: artifact %s: %w", digest, err)
	}
	got, err := s.readPackages(ctx, `p.artifact_digest = ?`, []any{digest})
	if err != nil {
		return nil, "", false, err
	}
	if len(got) == 1 {
		pkgs = got[0].Packages
	}
	return pkgs, gen.String, true, nil
}
