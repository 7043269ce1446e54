// Package inventory keeps every scanned function version: who deploys
// which package, in which layer and path, loaded or shadowed, since when,
// with the findings of each advisory-database generation and every scan
// run. It answers `fnaudit investigate` and `inventory list|show|history`
// from the store alone, and gives `inventory rematch` the stored packages
// so nothing is downloaded again.
//
// # Backends
//
// Open takes a file path (embedded SQLite, modernc; DefaultPath when the
// user gives none) or a postgres:// / postgresql:// URL (PostgreSQL through
// pgx's database/sql driver). One schema, versioned by goose migrations:
// SQL embedded from migrations/<backend>/ where the backends differ
// (identity columns) and from migrations/common/ where they do not, and a
// Go migration (migrate_v4.go) where filling a column needs Go. Open refuses, before writing anything, a bad DSN
// (ErrBadDSN), a read-only SQLite file or directory (ErrReadOnly, decided
// from mode bits and access(2) so that root is refused too) and a schema
// newer than SchemaVersion (ErrSchemaTooNew). Openers of one new inventory
// at the same moment migrate in turn (an flock on <file>.migrate-lock,
// removed afterwards; goose's advisory lock on PostgreSQL).
//
// # Tables
//
//	functions       one row per (source, account, region, name, qualifier), with its ARN
//	versions        one row per deployed version of a function (package type, runtime,
//	                architectures, CodeSha256 base64 and hex, image digest, signing
//	                profile/job, provenance, first/last seen, deployed flag); points at
//	                the artifact it deploys
//	version_layers  a version's layers in order (ARN, digest, CodeSha256)
//	artifacts       one row per artifact digest: package count, first seen, and the
//	                advisory generation it was last matched against
//	                (current_generation; schema 3)
//	packages        the artifact's packages, stored once per artifact digest
//	                (ecosystem, normalised and written name, version, purl, path,
//	                origin function/layer/image-layer + index + digest, loaded,
//	                shadowed by, evidence; the source package a distribution
//	                package is built from, schema 4; the folder name an npm
//	                package is loaded by, schema 5)
//	findings        per (artifact, package path, ecosystem, name, advisory): aliases,
//	                kind, severity, gate verdict, held from the generation it was
//	                first found in (generation) until the one that replaced or
//	                fixed it (until_generation, NULL while current; schema 3), so a
//	                new generation writes only what changed
//	finding_ids     every id and alias of a current finding, for lookups by any of them
//	scan_runs       every scan: when, target, result (pass/fail/undecided, never a
//	                pass by default), decision, error, generation, finding counts;
//	                run_key makes recording idempotent
//	reachability    per Go binary digest and advisory: reachable true/false/unknown
//	                and the symbols, so a rematch reuses govulncheck's answer
//
// # Why content-addressed
//
// A fleet deploys the same bytes many times (aliases, regions, accounts,
// redeployments of unchanged code). An artifact's package list depends only
// on its bytes, so it is stored once per digest (DeploymentDigest for code
// plus layers, since which copy the runtime loads depends on the
// combination) and shared by every version that deploys it; so are its
// findings, which depend only on the bytes and the advisory generation. A
// rematch re-matches each distinct artifact once however many functions
// carry it, and needs no download because the rows are the SBOM.
//
// # Writes
//
// RecordScan writes one scan in one transaction (SQLite with a rollback
// journal and synchronous=FULL; PostgreSQL transactions), so a killed
// process leaves whole scans only. ReplaceFindings moves artifacts to a
// new generation in one transaction, closing the findings no longer found
// and inserting the new ones, and returns the diff.
package inventory
