package feeds

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// The change log lets `fnaudit inventory rematch` look only at the package
// names whose advisories changed since the generation it last matched
// against. Every writer logs the index keys (ecosystem, normalised name) of
// each record it inserts, removes, or changes in what a match reads, under
// its batch number, and commit ties the new generation to that batch. A database written before
// the change log existed, or a generation it never saw, answers
// ErrUnknownGeneration: the caller then re-matches everything.
const changesSchema = `
CREATE TABLE IF NOT EXISTS changes (
	batch     INTEGER NOT NULL,
	ecosystem TEXT NOT NULL,
	name      TEXT NOT NULL,
	PRIMARY KEY (batch, ecosystem, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS generations (
	generation TEXT PRIMARY KEY,
	batch      INTEGER NOT NULL
) WITHOUT ROWID;
`

// ErrUnknownGeneration: the database cannot say what changed since that
// generation (it never had it, or predates the change log).
var ErrUnknownGeneration = errors.New("the advisory database does not know that generation")

// NameKey is a package name (normalised) in one ecosystem.
type NameKey struct {
	Ecosystem string
	Name      string
}

// Generation is the id of the database's current contents; every import or
// update that commits makes a new one.
func (s *Store) Generation() string { return s.generation }

// ChangedSince returns, sorted, the package names named by records
// inserted, removed, or changed in anything a match reads (matchsum.go) by
// the writes after generation. The current generation gives none.
func (s *Store) ChangedSince(ctx context.Context, generation string) ([]NameKey, error) {
	if generation == s.generation {
		return []NameKey{}, nil
	}
	var batch int64
	err := s.db.QueryRowContext(ctx, `SELECT batch FROM generations WHERE generation = ?`, generation).Scan(&batch)
	if errors.Is(err, sql.ErrNoRows) || (err != nil && strings.Contains(err.Error(), "no such table")) {
		return nil, fmt.Errorf("changes since %s: %w", generation, ErrUnknownGeneration)
	}
	if err != nil {
		return nil, fmt.Errorf("changes since %s: %w", generation, err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT ecosystem, name FROM changes WHERE batch > ? ORDER BY ecosystem, name`, batch)
	if err != nil {
		return nil, fmt.Errorf("changes since %s: %w", generation, err)
	}
	defer rows.Close()
	out := []NameKey{}
	for rows.Next() {
		var k NameKey
		if err := rows.Scan(&k.Ecosystem, &k.Name); err != nil {
			return nil, fmt.Errorf("changes since %s: %w", generation, err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("changes since %s: %w", generation, err)
	}
	return out, nil
}

// logChange notes the index keys of a record this writer inserted, changed
// or removed.
func (w *writer) logChange(ctx context.Context, keys []indexKey) error {
	for _, k := range keys {
		if _, err := w.tx.ExecContext(ctx, `INSERT OR IGNORE INTO changes (batch, ecosystem, name) VALUES (?, ?, ?)`,
			w.batch, k.ecosystem, k.name); err != nil {
			return writeErr(err)
		}
	}
	return nil
}

// logGeneration ties the generation being committed to this writer's batch.
func (w *writer) logGeneration(ctx context.Context, gen string) error {
	_, err := w.tx.ExecContext(ctx, `INSERT INTO generations (generation, batch) VALUES (?, ?)
		ON CONFLICT (generation) DO UPDATE SET batch = excluded.batch`, gen, w.batch)
	return writeErr(err)
}
