package sbom

import (
	"strings"
	"testing"

	zt "github.com/fnaudit/fnaudit/internal/ziptest"
)

// TestDeclaredNotShipped: issue 9 "declared but not shipped". The
// function's own lockfile and manifests name packages that are not
// installed: each is listed once, declared, never loaded, with the
// lockfile's exact version where there is one; installed names are not
// repeated.
func TestDeclaredNotShipped(t *testing.T) {
	fn := zt.Write(t, t.TempDir(), "function.zip",
		zt.File("index.js", "require('lodash')"),
		zt.File("package.json", `{"name":"fn","version":"1.0.0","dependencies":{"lodash":"^4.17.15","flatmap-stream":"0.1.1"},"devDependencies":{"aws-sdk":"^2.1000.0","mocha":"10.2.0"}}`),
		zt.File("package-lock.json", `{"name":"fn","lockfileVersion":3,"packages":{"":{"name":"fn"},"node_modules/lodash":{"version":"4.17.15"},"node_modules/flatmap-stream":{"version":"0.1.1"},"node_modules/aws-sdk":{"version":"2.1692.0","dev":true}}}`),
		zt.File("node_modules/lodash/package.json", realLodashPackageJSON(t)),
		zt.File("requirements.txt", "# pinned\nrequests==2.31.0 ; python_version >= '3.8'\nurllib3>=1.26\n-r other.txt\n"),
		zt.File("pom.xml", `<project><dependencies><dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>2.14.1</version></dependency><dependency><groupId>x</groupId><artifactId>y</artifactId><version>${y.version}</version></dependency></dependencies></project>`),
		zt.File("go.mod", "module example.com/fn\n\ngo 1.22\n\nrequire golang.org/x/text v0.3.7\n"),
		zt.File("node_modules/lodash/node_modules/inner/package.json", `{"name":"inner","version":"1.0.0","dependencies":{"never-listed":"1.0.0"}}`))
	s := generateFile(t, fn)
	assertRows(t, s, EcosystemNPM,
		pkgRow{Name: "lodash", Version: "4.17.15", Paths: []string{"/var/task/node_modules/lodash"}, Loaded: true},
		pkgRow{Name: "inner", Version: "1.0.0", Paths: []string{"/var/task/node_modules/lodash/node_modules/inner"}, Loaded: true},
		pkgRow{Name: "aws-sdk", Version: "2.1692.0", Paths: []string{"/var/task/package-lock.json"}, Evidence: EvidenceLockfile, Declared: true},
		pkgRow{Name: "flatmap-stream", Version: "0.1.1", Paths: []string{"/var/task/package-lock.json"}, Evidence: EvidenceLockfile, Declared: true},
		pkgRow{Name: "mocha", Version: "10.2.0", Paths: []string{"/var/task/package.json"}, Evidence: EvidenceManifest, Declared: true})
	assertRows(t, s, EcosystemPyPI,
		pkgRow{Name: "requests", Version: "2.31.0", Paths: []string{"/var/task/requirements.txt"}, Evidence: EvidenceManifest, Declared: true},
		pkgRow{Name: "urllib3", Paths: []string{"/var/task/requirements.txt"}, Evidence: EvidenceManifest, Declared: true})
	assertRows(t, s, EcosystemMaven,
		pkgRow{Name: "org.apache.logging.log4j:log4j-core", Version: "2.14.1", Paths: []string{"/var/task/pom.xml"}, Evidence: EvidenceManifest, Declared: true},
		pkgRow{Name: "x:y", Paths: []string{"/var/task/pom.xml"}, Evidence: EvidenceManifest, Declared: true})
	assertRows(t, s, EcosystemGo,
		pkgRow{Name: "golang.org/x/text", Version: "v0.3.7", Paths: []string{"/var/task/go.mod"}, Evidence: EvidenceManifest, Declared: true})
}

// TestEmptySBOMWarns: issue 9 point 4. A zip with nothing catalogable
// says what was searched; so does a zip holding only a lockfile (its
// entries are declared, not shipped); a zip with a package does not warn.
func TestEmptySBOMWarns(t *testing.T) {
	fn := zt.Write(t, t.TempDir(), "function.zip",
		zt.File("index.js", "exports.handler = async () => 1"),
		zt.File("deps/python/six.py", "# six"))
	s := generateFile(t, fn)
	if len(s.Packages) != 0 {
		t.Fatalf("packages %+v", s.Packages)
	}
	want := "no installed package found in /var/task, /opt (" + fn + ", 2 files); searched for " + strings.Join(searchedFor, ", ")
	if w := s.EmptyWarning(); w != want {
		t.Errorf("warning\n got %q\nwant %q", w, want)
	}
	lockOnly := zt.Write(t, t.TempDir(), "function.zip",
		zt.File("index.js", "require('flatmap-stream')"),
		zt.File("package-lock.json", `{"lockfileVersion":3,"packages":{"":{},"node_modules/flatmap-stream":{"version":"0.1.1"}}}`))
	s = generateFile(t, lockOnly)
	assertRows(t, s, EcosystemNPM, pkgRow{Name: "flatmap-stream", Version: "0.1.1", Paths: []string{"/var/task/package-lock.json"}, Evidence: EvidenceLockfile, Declared: true})
	if w := s.EmptyWarning(); !strings.HasSuffix(w, "; 1 declared in a manifest or lockfile, not shipped") || !strings.HasPrefix(w, "no installed package found in /var/task, /opt (") {
		t.Errorf("lockfile-only warning %q", w)
	}
	withPkg := zt.Write(t, t.TempDir(), "function.zip", zt.File("node_modules/lodash/package.json", realLodashPackageJSON(t)))
	if w := generateFile(t, withPkg).EmptyWarning(); w != "" {
		t.Errorf("warning on a non-empty SBOM: %q", w)
	}
}

// TestWarnings: the lines the CLI prints beside the table.
func TestWarnings(t *testing.T) {
	fn := zt.Write(t, t.TempDir(), "function.zip",
		zt.File("node_modules/flatmap-stream/package.json", "\xef\xbb\xbf"+flatmapPackageJSON(t)),
		zt.File("node_modules/.package-lock.json", `{"lockfileVersion":3,"packages":{"node_modules/split":{"version":"0.3.3"}}}`),
		zt.File("node_modules/split/index.js", "module.exports = 1"),
		zt.File("node_modules/through/index.js", "module.exports = 1"),
		zt.File("package.json", `{"dependencies":{"aws-sdk":"^2.1000.0"}}`))
	got := generateFile(t, fn).Warnings()
	want := []string{
		"1 package(s) read leniently from metadata syft rejected: flatmap-stream@0.1.1 at /var/task/node_modules/flatmap-stream",
		"1 package(s) versioned from node_modules/.package-lock.json (no package.json): split@0.3.3 at /var/task/node_modules/split",
		"1 package(s) known by folder name only (no package.json, no lockfile entry): through@(no version) at /var/task/node_modules/through",
		"1 package(s) declared in a shipped manifest or lockfile but not installed (declared, not shipped): aws-sdk@(no version)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings\n got %q\nwant %q", got, want)
	}
}

// TestDeclaredNestedLockedVersion: a lockfile that pins a name at a second
// version (a nested node_modules copy) that is not shipped lists that
// version as declared, although the name itself is installed at another.
func TestDeclaredNestedLockedVersion(t *testing.T) {
	fn := zt.Write(t, t.TempDir(), "function.zip",
		zt.File("index.js", "require('lodash')"),
		zt.File("package-lock.json", `{"name":"fn","lockfileVersion":3,"packages":{"":{"name":"fn"},"node_modules/lodash":{"version":"4.17.15"},"node_modules/a/node_modules/lodash":{"version":"4.17.11"},"node_modules/b/node_modules/lodash":{"version":"4.17.11"},"node_modules/c/node_modules/lodash":{"version":"4.17.0"}}}`),
		zt.File("node_modules/lodash/package.json", realLodashPackageJSON(t)),
		// Installed where the lockfile says 4.17.0: a stale lockfile entry,
		// not a package that is not shipped.
		zt.File("node_modules/c/node_modules/lodash/package.json", strings.Replace(realLodashPackageJSON(t), `"version": "4.17.15"`, `"version": "4.17.21"`, 1)))
	s := generateFile(t, fn)
	assertRows(t, s, EcosystemNPM,
		pkgRow{Name: "c", Paths: []string{"/var/task/node_modules/c"}, Evidence: "folder", Loaded: true},
		pkgRow{Name: "lodash", Version: "4.17.21", Paths: []string{"/var/task/node_modules/c/node_modules/lodash"}, Loaded: true},
		pkgRow{Name: "lodash", Version: "4.17.15", Paths: []string{"/var/task/node_modules/lodash"}, Loaded: true},
		pkgRow{Name: "lodash", Version: "4.17.11", Paths: []string{"/var/task/package-lock.json"}, Evidence: EvidenceLockfile, Declared: true})
}
