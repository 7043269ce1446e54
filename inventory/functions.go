package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ErrNoFunction: the inventory has no such function.
var ErrNoFunction = errors.New("no such function in the inventory")

// FunctionSummary is one line of `inventory list`.
type FunctionSummary struct {
	Function
	Versions         int
	DeployedVersions int
	FirstSeen        time.Time
	LastSeen         time.Time
	LastResult       string // result of the newest scan run
	LastScan         time.Time
}

// ListFunctions lists every function, sorted like Investigate's hits.
func (s *Store) ListFunctions(ctx context.Context) ([]FunctionSummary, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT f.source, f.account, f.region, f.name, f.qualifier, f.arn,
		(SELECT COUNT(*) FROM versions v WHERE v.function_id = f.id),
		(SELECT COUNT(*) FROM versions v WHERE v.function_id = f.id AND v.deployed = ?),
		(SELECT COALESCE(MIN(v.first_seen), 0) FROM versions v WHERE v.function_id = f.id),
		(SELECT COALESCE(MAX(v.last_seen), 0) FROM versions v WHERE v.function_id = f.id),
		COALESCE((SELECT r.result FROM scan_runs r WHERE r.function_id = f.id ORDER BY r.at DESC, r.id DESC LIMIT 1), ''),
		(SELECT COALESCE(MAX(r.at), 0) FROM scan_runs r WHERE r.function_id = f.id)
		FROM functions f`), true)
	if err != nil {
		return nil, fmt.Errorf("inventory list: %w", err)
	}
	defer rows.Close()
	var out []FunctionSummary
	for rows.Next() {
		var fs FunctionSummary
		var first, last, lastScan int64
		if err := rows.Scan(&fs.Source, &fs.Account, &fs.Region, &fs.Name, &fs.Qualifier, &fs.ARN, &fs.Versions,
			&fs.DeployedVersions, &first, &last, &fs.LastResult, &lastScan); err != nil {
			return nil, fmt.Errorf("inventory list: %w", err)
		}
		fs.FirstSeen, fs.LastSeen, fs.LastScan = optTime(first), optTime(last), optTime(lastScan)
		out = append(out, fs)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inventory list: %w", err)
	}
	slices.SortFunc(out, func(a, b FunctionSummary) int { return compareFunctions(a.Function, b.Function) })
	return out, nil
}

func optTime(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return fromMicros(us)
}

// FindFunctions resolves what a user typed for FUNCTION: an ARN, or a
// function name (any source, account, region, qualifier). Sorted.
func (s *Store) FindFunctions(ctx context.Context, nameOrARN string) ([]Function, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT source, account, region, name, qualifier, arn FROM functions
		WHERE name = ? OR (arn <> '' AND arn = ?)`), nameOrARN, nameOrARN)
	if err != nil {
		return nil, fmt.Errorf("inventory: find %s: %w", nameOrARN, err)
	}
	defer rows.Close()
	var out []Function
	for rows.Next() {
		var f Function
		if err := rows.Scan(&f.Source, &f.Account, &f.Region, &f.Name, &f.Qualifier, &f.ARN); err != nil {
			return nil, fmt.Errorf("inventory: find %s: %w", nameOrARN, err)
		}
		out = append(out, f)
	}
	slices.SortFunc(out, compareFunctions)
	return out, rows.Err()
}

func (s *Store) functionID(ctx context.Context, ref FunctionRef) (Function, int64, error) {
	f := Function{FunctionRef: ref}
	var id int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT id, arn FROM functions
		WHERE source = ? AND account = ? AND region = ? AND name = ? AND qualifier = ?`),
		ref.Source, ref.Account, ref.Region, ref.Name, ref.Qualifier).Scan(&id, &f.ARN)
	if errors.Is(err, sql.ErrNoRows) {
		return f, 0, fmt.Errorf("inventory: %s: %w", ref.Name, ErrNoFunction)
	}
	if err != nil {
		return f, 0, fmt.Errorf("inventory: %s: %w", ref.Name, err)
	}
	return f, id, nil
}

// VersionDetail is one version in `inventory show`.
type VersionDetail struct {
	ID             int64
	Version        Version
	ArtifactDigest string
	PackageCount   int
	FirstSeen      time.Time
	LastSeen       time.Time
	Deployed       bool
	Generation     string       // advisory database generation of Findings
	Findings       []FindingRow // the artifact's current findings
}

// FunctionDetail is `inventory show FUNCTION`.
type FunctionDetail struct {
	Function Function
	Versions []VersionDetail // oldest first
}

// ShowFunction returns a function's versions, each with its latest findings.
func (s *Store) ShowFunction(ctx context.Context, ref FunctionRef) (FunctionDetail, error) {
	f, id, err := s.functionID(ctx, ref)
	if err != nil {
		return FunctionDetail{}, err
	}
	out := FunctionDetail{Function: f}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT v.id, v.package_type, v.runtime, v.architectures, v.code_sha256,
		v.code_sha256_hex, v.image_digest, v.signing_profile_version_arn, v.signing_job_arn, v.provenance,
		v.artifact_digest, a.package_count, v.first_seen, v.last_seen, v.deployed, COALESCE(a.current_generation, '')
		FROM versions v JOIN artifacts a ON a.digest = v.artifact_digest
		WHERE v.function_id = ? ORDER BY v.first_seen, v.id`), id)
	if err != nil {
		return out, fmt.Errorf("inventory show %s: %w", ref.Name, err)
	}
	for rows.Next() {
		var d VersionDetail
		var arch string
		var first, last int64
		v := &d.Version
		if err := rows.Scan(&d.ID, &v.PackageType, &v.Runtime, &arch, &v.CodeSha256, &v.CodeSHA256Hex, &v.ImageDigest,
			&v.SigningProfileVersionArn, &v.SigningJobArn, &v.Provenance, &d.ArtifactDigest, &d.PackageCount,
			&first, &last, &d.Deployed, &d.Generation); err != nil {
			rows.Close()
			return out, fmt.Errorf("inventory show %s: %w", ref.Name, err)
		}
		if arch != "" {
			v.Architectures = strings.Split(arch, ",")
		}
		d.FirstSeen, d.LastSeen = fromMicros(first), fromMicros(last)
		out.Versions = append(out.Versions, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("inventory show %s: %w", ref.Name, err)
	}
	for i := range out.Versions {
		d := &out.Versions[i]
		if d.Version.Layers, err = s.layers(ctx, d.ID); err != nil {
			return out, fmt.Errorf("inventory show %s: %w", ref.Name, err)
		}
		if d.Generation != "" {
			if d.Findings, err = s.readFindings(ctx, s.db, d.ArtifactDigest); err != nil {
				return out, fmt.Errorf("inventory show %s: %w", ref.Name, err)
			}
		}
	}
	return out, nil
}

func (s *Store) layers(ctx context.Context, versionID int64) ([]Layer, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT arn, digest, code_sha256 FROM version_layers WHERE version_id = ? ORDER BY position`), versionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Layer
	for rows.Next() {
		var l Layer
		if err := rows.Scan(&l.ARN, &l.Digest, &l.CodeSha256); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// RunSummary is one scan run in `inventory history`.
type RunSummary struct {
	Key        string
	At         time.Time
	Target     string
	Result     string
	Decision   string
	Error      string
	Generation string
	Findings   int // findings the run reported
	Blocking   int // of which failed the gate
	VersionID  int64
	CodeSha256 string // of the version scanned; "" when the run saw none
}

// History returns a function's scan runs, oldest first.
func (s *Store) History(ctx context.Context, ref FunctionRef) ([]RunSummary, error) {
	_, id, err := s.functionID(ctx, ref)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT r.run_key, r.at, r.target, r.result, r.decision, r.error, r.generation,
		r.finding_count, r.blocking_count, COALESCE(r.version_id, 0), COALESCE(v.code_sha256, '')
		FROM scan_runs r LEFT JOIN versions v ON v.id = r.version_id
		WHERE r.function_id = ? ORDER BY r.at, r.id`), id)
	if err != nil {
		return nil, fmt.Errorf("inventory history %s: %w", ref.Name, err)
	}
	defer rows.Close()
	var out []RunSummary
	for rows.Next() {
		var r RunSummary
		var at int64
		if err := rows.Scan(&r.Key, &at, &r.Target, &r.Result, &r.Decision, &r.Error, &r.Generation, &r.Findings,
			&r.Blocking, &r.VersionID, &r.CodeSha256); err != nil {
			return nil, fmt.Errorf("inventory history %s: %w", ref.Name, err)
		}
		r.At = fromMicros(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// ArtifactFunctions lists the functions whose versions deploy an artifact
// (deployedOnly: only versions still deployed), sorted; a rematch names
// them for each new or fixed finding.
func (s *Store) ArtifactFunctions(ctx context.Context, digest string, deployedOnly bool) ([]Function, error) {
	m, err := s.artifactsFunctions(ctx, []string{digest}, deployedOnly)
	if err != nil {
		return nil, fmt.Errorf("inventory: functions of %s: %w", digest, err)
	}
	return m[digest], nil
}

// artifactsFunctions is ArtifactFunctions for many artifacts, in one query
// per 500: a rematch that changes thousands of artifacts names their
// functions a batch at a time.
func (s *Store) artifactsFunctions(ctx context.Context, digests []string, deployedOnly bool) (map[string][]Function, error) {
	out := map[string][]Function{}
	const per = 500
	for start := 0; start < len(digests); start += per {
		in, args := inClause(digests[start:min(len(digests), start+per)])
		query := `SELECT DISTINCT v.artifact_digest, f.source, f.account, f.region, f.name, f.qualifier, f.arn
			FROM versions v JOIN functions f ON f.id = v.function_id WHERE v.artifact_digest IN ` + in
		if deployedOnly {
			query += ` AND v.deployed = ?`
			args = append(args, true)
		}
		rows, err := s.db.QueryContext(ctx, s.q(query), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var d string
			var f Function
			if err := rows.Scan(&d, &f.Source, &f.Account, &f.Region, &f.Name, &f.Qualifier, &f.ARN); err != nil {
				rows.Close()
				return nil, err
			}
			out[d] = append(out[d], f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for _, fs := range out {
		slices.SortFunc(fs, compareFunctions)
	}
	return out, nil
}

// MarkUndeployed records that a function no longer deploys any version
// (the fleet found it deleted). Its history stays.
func (s *Store) MarkUndeployed(ctx context.Context, ref FunctionRef) error {
	_, id, err := s.functionID(ctx, ref)
	if err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, s.q(`UPDATE versions SET deployed = ? WHERE function_id = ?`), false, id); err != nil {
		return fmt.Errorf("inventory: mark %s undeployed: %w", ref.Name, err)
	}
	return nil
}

// Analyze refreshes the planner's statistics (ANALYZE on SQLite, VACUUM
// (ANALYZE) on PostgreSQL). Call it after recording many scans at once (a
// fleet sync): with stale statistics after a bulk load PostgreSQL chose
// sequential scans for investigate, and until a vacuum marks the new pages
// all-visible its index-only scans (the rematch's version lookup) read the
// table as well. Autovacuum does the same later on its own.
func (s *Store) Analyze(ctx context.Context) error {
	stmt := `ANALYZE`
	if s.backend == BackendPostgres {
		stmt = `VACUUM (ANALYZE)`
	}
	if _, err := s.db.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("inventory: analyze: %w", err)
	}
	return nil
}
