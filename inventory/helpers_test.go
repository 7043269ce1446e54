package inventory

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver for the admin connection
)

// pgAdminDSN is the server the PostgreSQL half of the suite runs on
// (.ci/run makes sure it answers); FNAUDIT_TEST_PG_DSN overrides it.
func pgAdminDSN() string {
	if d := os.Getenv("FNAUDIT_TEST_PG_DSN"); d != "" {
		return d
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// backends lists the backends the suite runs on. PostgreSQL is skipped only
// when FNAUDIT_TEST_PG=off; a server that does not answer fails the test.
func backends() []string {
	if os.Getenv("FNAUDIT_TEST_PG") == "off" {
		return []string{BackendSQLite}
	}
	return []string{BackendSQLite, BackendPostgres}
}

// forEachBackend runs fn once per backend with a fresh, empty DSN.
func forEachBackend(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) { fn(t, freshDSN(t, b)) })
	}
}

func freshDSN(t testing.TB, backend string) string {
	t.Helper()
	if backend == BackendSQLite {
		return filepath.Join(t.TempDir(), "inventory.db")
	}
	return freshPGDatabase(t)
}

// freshPGDatabase creates fnaudit_test_<random> and drops it at cleanup.
func freshPGDatabase(t testing.TB) string {
	t.Helper()
	admin, err := sql.Open("pgx", pgAdminDSN())
	if err != nil {
		t.Fatalf("postgres admin connection: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	b := make([]byte, 6)
	rand.Read(b)
	name := "fnaudit_test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("create database %s on %s (set FNAUDIT_TEST_PG=off to skip PostgreSQL): %v", name, pgAdminDSN(), err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return strings.Replace(pgAdminDSN(), "/postgres?", "/"+name+"?", 1)
}

func openT(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// corpusFixture is one entry of testdata/functions/expected-packages.json.
type corpusFixture struct {
	SHA256   string `json:"sha256"`
	Kind     string `json:"kind"`
	Packages []struct {
		Ecosystem, Name, Version, Path string
	} `json:"packages"`
	Matches struct {
		Against []struct {
			Path, Name, Version, Ecosystem string
			Advisories                     []string
		} `json:"against_shared_osv"`
	} `json:"expected_advisory_matches"`
}

func loadCorpus(t testing.TB) map[string]corpusFixture {
	t.Helper()
	b, err := os.ReadFile("../testdata/functions/expected-packages.json")
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]corpusFixture
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// osvFacts reads aliases and severity of an advisory from testdata/osv when
// the corpus carries it.
func osvFacts(eco, id string) (aliases []string, severity string) {
	b, err := os.ReadFile(filepath.Join("../testdata/osv", eco, id+".json"))
	if err != nil {
		return nil, ""
	}
	var r struct {
		Aliases          []string
		DatabaseSpecific struct{ Severity string } `json:"database_specific"`
	}
	json.Unmarshal(b, &r)
	return r.Aliases, r.DatabaseSpecific.Severity
}

// Where Lambda puts code and layers.
const (
	taskRoot  = "/var/task/"
	layerRoot = "/opt/"
)

// corpusRecord builds the record a scan of the corpus function code with
// the corpus layers would give: packages from expected-packages.json, a
// top-level layer copy shadowed by the function's copy at the same
// node_modules path (Node loads /var/task first), and the corpus's expected advisory matches
// as findings under generation gen.
func corpusRecord(c map[string]corpusFixture, fn Function, code string, layers []string, at time.Time, gen string) ScanRecord {
	cf := c[code]
	codeDigest := "sha256:" + cf.SHA256
	rec := ScanRecord{
		Function:     fn,
		DBGeneration: gen,
		Version: Version{PackageType: "zip", Runtime: "nodejs20.x", Architectures: []string{"x86_64"},
			CodeSHA256Hex: cf.SHA256, CodeSha256: hexToB64(cf.SHA256), Provenance: ProvenanceAbsent},
		Run: Run{At: at, Target: code},
	}
	own := map[string]string{}
	for _, p := range cf.Packages {
		path := taskRoot + p.Path
		own[p.Path] = path
		rec.Artifact.Packages = append(rec.Artifact.Packages, PackageRow{Ecosystem: p.Ecosystem, Name: p.Name,
			Version: p.Version, PURL: "pkg:" + strings.ToLower(p.Ecosystem) + "/" + p.Name + "@" + p.Version, Path: path,
			Origin: Origin{Kind: OriginFunction, Digest: codeDigest}, Loaded: true, Evidence: p.Path})
	}
	addFindings := func(f corpusFixture, root string) {
		for _, m := range f.Matches.Against {
			for _, id := range m.Advisories {
				aliases, sev := osvFacts(m.Ecosystem, id)
				rec.Findings = append(rec.Findings, FindingRow{AdvisoryID: id, Aliases: aliases, Kind: "vulnerability",
					Severity: sev, Ecosystem: m.Ecosystem, Name: m.Name, Version: m.Version, Path: root + m.Path, Verdict: VerdictFail})
			}
		}
	}
	addFindings(cf, taskRoot)
	layerDigests := []string{}
	for i, l := range layers {
		lf := c[l]
		ld := "sha256:" + lf.SHA256
		layerDigests = append(layerDigests, ld)
		rec.Version.Layers = append(rec.Version.Layers, Layer{ARN: "arn:aws:lambda:us-east-1:111111111111:layer:" +
			strings.TrimSuffix(l, ".zip") + ":1", Digest: ld, CodeSha256: hexToB64(lf.SHA256)})
		for _, p := range lf.Packages {
			row := PackageRow{Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version, Path: layerRoot + p.Path,
				PURL:   "pkg:" + strings.ToLower(p.Ecosystem) + "/" + p.Name + "@" + p.Version,
				Origin: Origin{Kind: OriginLayer, Index: i + 1, Digest: ld}, Loaded: true, Evidence: p.Path}
			// Node resolves /var/task/node_modules/X before
			// /opt/nodejs/node_modules/X; nested copies are not shadowed.
			if w, ok := own[strings.TrimPrefix(p.Path, "nodejs/")]; ok {
				row.Loaded, row.ShadowedBy = false, w
			}
			rec.Artifact.Packages = append(rec.Artifact.Packages, row)
		}
		addFindings(lf, layerRoot)
	}
	rec.Artifact.Digest = DeploymentDigest(codeDigest, layerDigests...)
	rec.Run.Result = ResultPass
	if len(rec.Findings) > 0 {
		rec.Run.Result = ResultFail
		rec.Run.Decision = fmt.Sprintf("%d findings fail the gate", len(rec.Findings))
	}
	return rec
}

func hexToB64(h string) string {
	b, _ := hex.DecodeString(h)
	return base64.StdEncoding.EncodeToString(b)
}

func awsFn(name string) Function {
	return Function{FunctionRef: FunctionRef{Source: "aws", Account: "111111111111", Region: "us-east-1", Name: name,
		Qualifier: "$LATEST"}, ARN: "arn:aws:lambda:us-east-1:111111111111:function:" + name}
}

var t0 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

// count returns the rows of a table (for exact-row assertions).
func count(t testing.TB, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}
