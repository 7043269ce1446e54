package inventory

import (
	"context"
	"fmt"

	"github.com/fnaudit/fnaudit/core"
)

// DeployedPackages lists each (ecosystem, name as written, version) carried
// by a version still deployed, once, sorted: what `db update --registry
// --inventory` asks the registries about.
func (s *Store) DeployedPackages(ctx context.Context) ([]core.Package, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT DISTINCT p.ecosystem, p.name, p.version FROM packages p
		WHERE p.artifact_digest IN (SELECT artifact_digest FROM versions WHERE deployed = ?)
		ORDER BY p.ecosystem, p.name, p.version`), true)
	if err != nil {
		return nil, fmt.Errorf("inventory: deployed packages: %w", err)
	}
	defer rows.Close()
	var out []core.Package
	for rows.Next() {
		var p core.Package
		if err := rows.Scan(&p.Ecosystem, &p.Name, &p.Version); err != nil {
			return nil, fmt.Errorf("inventory: deployed packages: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inventory: deployed packages: %w", err)
	}
	return out, nil
}
