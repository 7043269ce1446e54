package inventory

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Recorded says what RecordScan did.
type Recorded struct {
	RunKey    string
	Duplicate bool // the run was already recorded; nothing was written
}

// RecordScan stores one scan in one transaction: the function, its
// version, the artifact's packages (once per digest), the findings and the
// run. All of it lands or none does. Recording the same run again (same
// Run.Key, or the same record when Key is empty) changes nothing.
func (s *Store) RecordScan(ctx context.Context, rec ScanRecord) (Recorded, error) {
	return s.RecordScanThen(ctx, rec, nil)
}

// RecordScanThen is RecordScan that also runs then inside the same
// transaction, after the rows are written and before the commit, with the
// database/sql driver connection that holds the transaction (for
// PostgreSQL, pgx's *stdlib.Conn). A job queue completes its job there, so
// the job's completion and its inventory rows commit together or not at
// all. When the run was already recorded, then runs alone in a
// transaction of its own. An error from then rolls everything back.
func (s *Store) RecordScanThen(ctx context.Context, rec ScanRecord, then func(ctx context.Context, driverConn any) error) (Recorded, error) {
	if err := validate(&rec); err != nil {
		return Recorded{}, fmt.Errorf("record scan of %s: %w", rec.Function.Name, err)
	}
	key := runKeyOf(rec)
	out := Recorded{RunKey: key}
	err := s.inConnTx(ctx, func(tx *sql.Tx, raw rawConn) error {
		if err := s.lockRecords(ctx, tx, []ScanRecord{rec}); err != nil {
			return err
		}
		if err := s.recordOne(ctx, tx, rec, key); err != nil {
			return err
		}
		return runThen(ctx, raw, then)
	})
	if errors.Is(err, errDuplicate) {
		out.Duplicate = true
		if then != nil {
			if err := s.inConnTx(ctx, func(_ *sql.Tx, raw rawConn) error { return runThen(ctx, raw, then) }); err != nil {
				return Recorded{}, fmt.Errorf("record scan of %s (already recorded): %s", rec.Function.Name, oneLine(err))
			}
		}
		return out, nil
	}
	if err != nil {
		return Recorded{}, fmt.Errorf("record scan of %s: %s", rec.Function.Name, oneLine(err))
	}
	return out, nil
}

// rawConn is database/sql's Conn.Raw of the connection holding a transaction.
type rawConn func(func(driverConn any) error) error

func runThen(ctx context.Context, raw rawConn, then func(context.Context, any) error) error {
	if then == nil {
		return nil
	}
	return raw(func(dc any) error { return then(ctx, dc) })
}

func runKeyOf(rec ScanRecord) string {
	if rec.Run.Key != "" {
		return rec.Run.Key
	}
	return recordDigest(rec)
}

// lockRecords takes the PostgreSQL locks of records about to be written in
// one transaction: every run key first, then every artifact, each in
// sorted order, so two transactions never wait on each other in turn.
func (s *Store) lockRecords(ctx context.Context, tx *sql.Tx, recs []ScanRecord) error {
	var runs, artifacts []string
	for _, rec := range recs {
		runs = append(runs, "run:"+runKeyOf(rec))
		if rec.Artifact.Digest != "" {
			artifacts = append(artifacts, "artifact:"+rec.Artifact.Digest)
		}
	}
	slices.Sort(runs)
	slices.Sort(artifacts)
	for _, name := range slices.Concat(slices.Compact(runs), slices.Compact(artifacts)) {
		if err := s.lock(ctx, tx, name); err != nil {
			return err
		}
	}
	return nil
}

// recordOne writes one record in tx (its locks already held). It returns
// errDuplicate, having written nothing that matters, when the run is
// already recorded; the caller then rolls back.
func (s *Store) recordOne(ctx context.Context, tx *sql.Tx, rec ScanRecord, key string) error {
	var one int
	err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM scan_runs WHERE run_key = ?`), key).Scan(&one)
	if err == nil {
		return errDuplicate
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	fnID, err := s.upsertFunction(ctx, tx, rec.Function)
	if err != nil {
		return fmt.Errorf("function: %w", err)
	}
	var versionID sql.NullInt64
	if rec.Artifact.Digest != "" {
		if err := s.putArtifact(ctx, tx, rec.Artifact, rec.Run); err != nil {
			return fmt.Errorf("artifact %s: %w", rec.Artifact.Digest, err)
		}
		id, err := s.upsertVersion(ctx, tx, fnID, rec)
		if err != nil {
			return fmt.Errorf("version: %w", err)
		}
		versionID = sql.NullInt64{Int64: id, Valid: true}
		if rec.DBGeneration != "" {
			if err := s.writeArtifactFindings(ctx, tx, rec.Artifact.Digest, rec.DBGeneration, rec.Findings); err != nil {
				return fmt.Errorf("findings: %w", err)
			}
		}
	}
	if err := s.putReachability(ctx, tx, rec.Reachability); err != nil {
		return fmt.Errorf("reachability: %w", err)
	}
	blocking := 0
	for _, f := range rec.Findings {
		if f.Verdict == VerdictFail {
			blocking++
		}
	}
	res, err := tx.ExecContext(ctx, s.q(`INSERT INTO scan_runs
		(run_key, function_id, version_id, at, target, result, decision, error, generation, finding_count, blocking_count)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_key) DO NOTHING`),
		key, fnID, versionID, toMicros(rec.Run.At), rec.Run.Target, rec.Run.Result, rec.Run.Decision,
		rec.Run.Error, rec.DBGeneration, len(rec.Findings), blocking)
	if err != nil {
		return fmt.Errorf("scan run: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		// Recorded by a concurrent retry of the same job meanwhile.
		return errDuplicate
	}
	return nil
}

// lock serialises PostgreSQL transactions on one name until they end: a
// retried job (its run key) and scans or rematches of one artifact (its
// findings are replaced whole). Locks are always taken run first, artifact
// second, so two transactions cannot wait on each other. SQLite needs none:
// its writers run one at a time (BEGIN IMMEDIATE).
// lockAll takes lock for each name, in the order given (callers sort), in
// one round trip: a rematch batch locks a thousand artifacts.
func (s *Store) lockAll(ctx context.Context, tx *sql.Tx, names []string) error {
	if s.backend != BackendPostgres || len(names) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT count(pg_advisory_xact_lock(1718185589, hashtext(n)))
		FROM unnest($1::text[]) WITH ORDINALITY AS u(n, i)`, names); err != nil {
		return fmt.Errorf("lock %d names: %w", len(names), err)
	}
	return nil
}

func (s *Store) lock(ctx context.Context, tx *sql.Tx, name string) error {
	if s.backend != BackendPostgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(1718185589, hashtext($1))`, name); err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	return nil
}

// errDuplicate rolls back a transaction that found its run already recorded.
var errDuplicate = errors.New("run already recorded")

// inTx runs fn in a transaction, committed only when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// inConnTx is inTx on a connection of its own, whose Conn.Raw fn may use
// while the transaction is open.
func (s *Store) inConnTx(ctx context.Context, fn func(*sql.Tx, rawConn) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connection: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx, conn.Raw); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// recordDigest is the default run key: the same record gives the same key.
func recordDigest(rec ScanRecord) string {
	b, _ := json.Marshal(rec) // plain data: cannot fail
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func (s *Store) upsertFunction(ctx context.Context, tx *sql.Tx, f Function) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, s.q(`INSERT INTO functions (source, account, region, name, qualifier, arn)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (source, account, region, name, qualifier) DO UPDATE
		SET arn = CASE WHEN excluded.arn <> '' THEN excluded.arn ELSE functions.arn END
		RETURNING id`),
		f.Source, f.Account, f.Region, f.Name, f.Qualifier, f.ARN).Scan(&id)
	return id, err
}

// putArtifact stores an artifact's packages unless its digest is already
// there: content addressing means the same digest has the same packages.
func (s *Store) putArtifact(ctx context.Context, tx *sql.Tx, a Artifact, run Run) error {
	res, err := tx.ExecContext(ctx, s.q(`INSERT INTO artifacts (digest, package_count, first_seen)
		VALUES (?, ?, ?) ON CONFLICT (digest) DO NOTHING`), a.Digest, len(a.Packages), toMicros(run.At))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	rows := make([][]any, len(a.Packages))
	for i, p := range a.Packages {
		rows[i] = []any{a.Digest, i, p.Ecosystem, normalize(p.Ecosystem, p.Name), p.Name, p.Version, p.PURL, p.Path,
			p.Origin.Kind, p.Origin.Index, p.Origin.Digest, p.Loaded, p.ShadowedBy, p.Evidence,
			sourceNorm(p.Ecosystem, p.Name, p.Version, p.PURL), p.Alias, p.AliasDeclared, aliasNorm(p.Ecosystem, p.Name, p.Alias)}
	}
	return s.insertRows(ctx, tx, "packages", []string{"artifact_digest", "seq", "ecosystem", "name_norm", "name",
		"version", "purl", "path", "origin_kind", "origin_index", "origin_digest", "loaded", "shadowed_by", "evidence",
		"source_norm", "alias", "alias_declared", "alias_norm"}, rows, "")
}

// versionKey identifies a deployed version of a function: the same code,
// layers and configuration are the same version however often seen. The
// provenance outcome is a scan's finding about the version, not part of it.
func versionKey(v Version, artifact string) string {
	v.Provenance = ""
	b, _ := json.Marshal(struct {
		V Version
		A string
	}{v, artifact})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// upsertVersion records the version, widens its first/last seen to the
// run's time, and when the run is the function's newest marks this version
// as the one deployed (and the function's others as no longer deployed).
func (s *Store) upsertVersion(ctx context.Context, tx *sql.Tx, fnID int64, rec ScanRecord) (int64, error) {
	v := rec.Version
	at := toMicros(rec.Run.At)
	var id int64
	err := tx.QueryRowContext(ctx, s.q(`INSERT INTO versions (function_id, version_key, artifact_digest, package_type,
		runtime, architectures, code_sha256, code_sha256_hex, image_digest, signing_profile_version_arn,
		signing_job_arn, provenance, first_seen, last_seen, deployed)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (function_id, version_key) DO UPDATE SET
		first_seen = CASE WHEN excluded.first_seen < versions.first_seen THEN excluded.first_seen ELSE versions.first_seen END,
		provenance = CASE WHEN excluded.last_seen >= versions.last_seen THEN excluded.provenance ELSE versions.provenance END,
		last_seen = CASE WHEN excluded.last_seen > versions.last_seen THEN excluded.last_seen ELSE versions.last_seen END
		RETURNING id`),
		fnID, versionKey(v, rec.Artifact.Digest), rec.Artifact.Digest, v.PackageType, v.Runtime,
		strings.Join(v.Architectures, ","), v.CodeSha256, v.CodeSHA256Hex, v.ImageDigest,
		v.SigningProfileVersionArn, v.SigningJobArn, v.Provenance, at, at, false).Scan(&id)
	if err != nil {
		return 0, err
	}
	layers := make([][]any, len(v.Layers))
	for i, l := range v.Layers {
		layers[i] = []any{id, i, l.ARN, l.Digest, l.CodeSha256}
	}
	if err := s.insertRows(ctx, tx, "version_layers", []string{"version_id", "position", "arn", "digest", "code_sha256"},
		layers, "ON CONFLICT (version_id, position) DO NOTHING"); err != nil {
		return 0, fmt.Errorf("layers: %w", err)
	}
	var newest int64
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(MAX(last_seen), 0) FROM versions WHERE function_id = ? AND id <> ?`),
		fnID, id).Scan(&newest); err != nil {
		return 0, err
	}
	if at >= newest {
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE versions SET deployed = (id = ?) WHERE function_id = ?`), id, fnID); err != nil {
			return 0, err
		}
	}
	return id, nil
}

func (s *Store) putReachability(ctx context.Context, tx *sql.Tx, facts []ReachabilityFact) error {
	rows := make([][]any, 0, len(facts))
	seen := map[[2]string]bool{}
	for _, f := range facts {
		k := [2]string{f.BinaryDigest, f.AdvisoryID}
		if seen[k] { // one statement may not update a row twice
			continue
		}
		seen[k] = true
		sym, _ := json.Marshal(append([]string{}, f.Symbols...))
		rows = append(rows, []any{f.BinaryDigest, f.AdvisoryID, f.Reachable, string(sym)})
	}
	return s.insertRows(ctx, tx, "reachability", []string{"binary_digest", "advisory_id", "reachable", "symbols"}, rows,
		"ON CONFLICT (binary_digest, advisory_id) DO UPDATE SET reachable = excluded.reachable, symbols = excluded.symbols")
}

// validate refuses a record that would store a false pass or rows the
// queries cannot read back.
func validate(rec *ScanRecord) error {
	if rec.Function.Name == "" || rec.Function.Source == "" {
		return fmt.Errorf("%w: function source and name are required", ErrInvalidRecord)
	}
	if rec.Run.At.IsZero() {
		return fmt.Errorf("%w: run time is required", ErrInvalidRecord)
	}
	switch rec.Run.Result {
	case ResultPass:
		if rec.Run.Error != "" {
			return fmt.Errorf("%w: a pass cannot carry an error (%q)", ErrInvalidRecord, rec.Run.Error)
		}
		if rec.Artifact.Digest == "" {
			return fmt.Errorf("%w: a pass needs the artifact it passed", ErrInvalidRecord)
		}
		if rec.DBGeneration == "" {
			return fmt.Errorf("%w: a pass needs the advisory database generation it was matched against", ErrInvalidRecord)
		}
	case ResultFail, ResultUndecided:
	default:
		return fmt.Errorf("%w: result %q is not pass, fail or undecided", ErrInvalidRecord, rec.Run.Result)
	}
	if rec.Artifact.Digest == "" && len(rec.Artifact.Packages) > 0 {
		return fmt.Errorf("%w: packages without an artifact digest", ErrInvalidRecord)
	}
	if len(rec.Findings) > 0 && (rec.DBGeneration == "" || rec.Artifact.Digest == "") {
		return fmt.Errorf("%w: findings need an artifact digest and an advisory database generation", ErrInvalidRecord)
	}
	if !slices.Contains([]string{ProvenanceVerified, ProvenanceUnverified, ProvenanceAbsent, ProvenanceUnknown}, rec.Version.Provenance) {
		return fmt.Errorf("%w: provenance %q", ErrInvalidRecord, rec.Version.Provenance)
	}
	for i, p := range rec.Artifact.Packages {
		if p.Ecosystem == "" || p.Name == "" {
			return fmt.Errorf("%w: package %d (%s) has no ecosystem or name", ErrInvalidRecord, i, p.Path)
		}
		if !slices.Contains([]string{OriginFunction, OriginLayer, OriginImageLayer}, p.Origin.Kind) {
			return fmt.Errorf("%w: package %s %s: origin kind %q", ErrInvalidRecord, p.Name, p.Path, p.Origin.Kind)
		}
	}
	if err := validateFindings(rec.Findings); err != nil {
		return err
	}
	for _, f := range rec.Reachability {
		if f.BinaryDigest == "" || f.AdvisoryID == "" ||
			!slices.Contains([]string{ReachableTrue, ReachableFalse, ReachableUnknown}, f.Reachable) {
			return fmt.Errorf("%w: reachability fact %+v", ErrInvalidRecord, f)
		}
	}
	return nil
}

func validateFindings(fs []FindingRow) error {
	seen := map[findingKey]bool{}
	for _, f := range fs {
		if f.AdvisoryID == "" || f.Ecosystem == "" || f.Name == "" {
			return fmt.Errorf("%w: finding %q on %s has no advisory id, ecosystem or package name", ErrInvalidRecord, f.AdvisoryID, f.Name)
		}
		if !slices.Contains([]string{VerdictFail, VerdictWarn, VerdictIgnored}, f.Verdict) {
			return fmt.Errorf("%w: finding %s on %s: verdict %q", ErrInvalidRecord, f.AdvisoryID, f.Name, f.Verdict)
		}
		k := keyOf(f)
		if seen[k] {
			return fmt.Errorf("%w: finding %s on %s %s listed twice", ErrInvalidRecord, f.AdvisoryID, f.Name, f.Path)
		}
		seen[k] = true
	}
	return nil
}
