package inventory

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

// TestMigrateV2ToV3 fills a schema-2 inventory as v2 wrote it, opens it
// (migrating to v3: findings as intervals, finding_ids of current rows,
// matched_generation folded into current_generation; and v4: source
// package names), checks what every reader sees, then takes it down to v2
// and up again.
func TestMigrateV2ToV3(t *testing.T) {
	forEachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		raw := openRaw(t, dsn)
		p, err := raw.provider()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.UpTo(ctx, 2); err != nil {
			t.Fatal(err)
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := raw.db.ExecContext(ctx, raw.q(q), args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		// a: findings under g1 (old copy) and g2 (current), then matched
		// against g3 with nothing changed; b: matched against g1 only;
		// c: never matched.
		exec(`INSERT INTO artifacts (digest, package_count, first_seen, current_generation, matched_generation) VALUES
			('sha256:a', 2, 1, 'g2', 'g3'), ('sha256:b', 1, 1, 'g1', NULL), ('sha256:c', 1, 1, NULL, NULL)`)
		finding := func(art, gen, name, adv, alias string) {
			exec(`INSERT INTO findings (artifact_digest, generation, ecosystem, name_norm, path, advisory_id, name, version,
				aliases, kind, severity, verdict) VALUES (?, ?, 'npm', ?, ?, ?, ?, '1.0.0', ?, 'vulnerability', 'HIGH', 'fail')`,
				art, gen, name, "/var/task/node_modules/"+name, adv, name, alias)
			for _, id := range []string{adv, alias} {
				exec(`INSERT INTO finding_ids (id, artifact_digest, generation, path, ecosystem, name_norm, advisory_id)
					VALUES (?, ?, ?, ?, 'npm', ?, ?)`, id, art, gen, "/var/task/node_modules/"+name, name, adv)
			}
		}
		finding("sha256:a", "g1", "x", "GHSA-xxxx", "CVE-1")
		finding("sha256:a", "g2", "x", "GHSA-xxxx", "CVE-1")
		finding("sha256:a", "g2", "y", "GHSA-yyyy", "CVE-2")
		finding("sha256:b", "g1", "z", "GHSA-zzzz", "CVE-3")
		// Schema 4 fills packages.source_norm from the purl's upstream.
		for i, p := range [][2]string{
			{"sudo-ldap", "pkg:deb/ubuntu/sudo-ldap@1.9.15p5-3ubuntu5?arch=amd64&distro=ubuntu-24.04&upstream=sudo"},
			{"lodash", "pkg:npm/lodash@4.17.15"},
		} {
			exec(`INSERT INTO packages (artifact_digest, seq, ecosystem, name_norm, name, version, purl, path, origin_kind,
				origin_index, origin_digest, loaded, shadowed_by, evidence) VALUES ('sha256:c', ?, ?, ?, ?, '1', ?, '/p', 'function', 0, '', ?, '', '')`,
				i, map[bool]string{true: "Ubuntu:24.04:LTS", false: "npm"}[i == 0], p[0], p[0], p[1], true)
		}
		raw.Close()

		check := func(stage string) {
			t.Helper()
			s := openT(t, dsn)
			for _, c := range []struct {
				digest, gen string
				ids         []string
			}{{"sha256:a", "g3", []string{"GHSA-xxxx", "GHSA-yyyy"}}, {"sha256:b", "g1", []string{"GHSA-zzzz"}}, {"sha256:c", "", nil}} {
				gen, fs, err := s.ArtifactFindings(ctx, c.digest)
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, f := range fs {
					ids = append(ids, f.AdvisoryID+" "+strings.Join(f.Aliases, " "))
				}
				var want []string
				for _, id := range c.ids {
					want = append(want, id+" CVE-"+map[string]string{"GHSA-xxxx": "1", "GHSA-yyyy": "2", "GHSA-zzzz": "3"}[id])
				}
				eq(t, stage+" generation of "+c.digest, gen, c.gen)
				eq(t, stage+" findings of "+c.digest, ids, want)
			}
			// The closed g1 copy is kept as history, closed at g2.
			var until string
			if err := s.db.QueryRowContext(ctx, s.q(`SELECT COALESCE(until_generation, '') FROM findings
				WHERE artifact_digest = ? AND generation = ?`), "sha256:a", "g1").Scan(&until); err != nil && stage == "up" {
				t.Fatalf("%s: closed row: %v", stage, err)
			}
			if stage == "up" {
				eq(t, "closed row's end", until, "g2")
			}
			eq(t, stage+" finding ids", count(t, s, "finding_ids"), 6)
			eq(t, stage+" artifacts by alias", column(t, s.db, `SELECT artifact_digest FROM finding_ids WHERE id = 'CVE-1'`),
				[]string{"sha256:a"})
			// The incremental rematch's starting point: every artifact's
			// last matched generation.
			eq(t, stage+" generations", column(t, s.db, `SELECT COALESCE(current_generation, '-') FROM artifacts ORDER BY digest`),
				[]string{"g3", "g1", "-"})
			eq(t, stage+" source names", column(t, s.db, `SELECT name || '=' || source_norm FROM packages ORDER BY seq`),
				[]string{"sudo-ldap=sudo", "lodash="})
			s.Close()
		}
		check("up")

		raw = openRaw(t, dsn)
		if p, err = raw.provider(); err != nil {
			t.Fatal(err)
		}
		if _, err := p.DownTo(ctx, 2); err != nil {
			t.Fatalf("down to 2: %v", err)
		}
		// v2 keeps the current findings under the current generation.
		eq(t, "findings generations after down", column(t, raw.db, `SELECT DISTINCT generation FROM findings ORDER BY generation`),
			[]string{"g1", "g3"})
		raw.Close()
		check("down and up")
	})
}

// column reads a one-column query's values.
func column(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// openRaw opens a database without migrating it.
func openRaw(t *testing.T, dsn string) *Store {
	t.Helper()
	var s *Store
	var err error
	if strings.HasPrefix(dsn, "postgres") {
		s, err = openPostgres(context.Background(), dsn)
	} else {
		s, err = openSQLite(context.Background(), dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}
