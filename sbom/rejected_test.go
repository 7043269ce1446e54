package sbom

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"

	zt "github.com/fnaudit/fnaudit/internal/ziptest"
)

// Issue 9 point 3 for each ecosystem besides npm (node_test.go): a
// metadata file that syft 1.57.0's cataloger rejects yields its package
// through a lenient read (evidence "lenient"), or fails naming the file.

// TestRejectedPythonMetadata: a continuation line before the first header
// makes syft's METADATA parser fail ("no previous key exists"); Python's
// email parser takes it as a defect and reads the headers.
func TestRejectedPythonMetadata(t *testing.T) {
	meta := corpusFile(t, "python-app.zip", "PyYAML-6.0.dist-info/METADATA")
	fn := zt.Write(t, t.TempDir(), "function.zip",
		zt.File("lambda_function.py", "import yaml"),
		zt.File("PyYAML-6.0.dist-info/METADATA", " \tcontinued\n"+meta))
	assertRows(t, generateFile(t, fn), EcosystemPyPI,
		pkgRow{Name: "PyYAML", Version: "6.0", Paths: []string{"/var/task/PyYAML-6.0.dist-info"}, Evidence: EvidenceLenient, Loaded: true})
}

// jarEntry reads one entry of a jar inside a corpus zip.
func jarEntry(t *testing.T, zipName, jar, entry string) string {
	t.Helper()
	b := []byte(corpusFile(t, zipName, jar))
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.Open(entry)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	out, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestRejectedJar: syft drops a jar whose manifest carries Weave-Classes
// (it takes it for New Relic instrumentation); the JVM loads it. The real pom.properties of
// commons-text 1.10.0 names the package.
func TestRejectedJar(t *testing.T) {
	props := jarEntry(t, "java-app.zip", "lib/commons-text-1.10.0.jar", "META-INF/maven/org.apache.commons/commons-text/pom.properties")
	want := pkgRow{Name: "org.apache.commons:commons-text", Version: "1.10.0", Paths: []string{"/var/task/lib/commons-text-1.10.0.jar"}, Evidence: EvidenceLenient, Loaded: true}
	for name, manifests := range map[string][]zt.Entry{
		"Weave-Classes": {zt.File("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nWeave-Classes: x\r\n")},
	} {
		t.Run(name, func(t *testing.T) {
			jar := zt.Bytes(t, append(manifests, zt.File("META-INF/maven/org.apache.commons/commons-text/pom.properties", props))...)
			fn := zt.Write(t, t.TempDir(), "function.zip", zt.File("lib/commons-text-1.10.0.jar", string(jar)))
			assertRows(t, generateFile(t, fn), EcosystemMaven, want)
		})
	}
}

// TestRejectedGoBinary: a Go executable whose build information is
// damaged gives no package to syft nor to the standard library: the
// command fails naming the binary.
func TestRejectedGoBinary(t *testing.T) {
	bin := []byte(corpusFile(t, "go-bootstrap.zip", "bootstrap"))
	i := bytes.Index(bin, []byte("\xff Go buildinf:"))
	if i < 0 {
		t.Fatal("corpus bootstrap has no build information")
	}
	// The header's flags and the inline module data that follows.
	for j := i + 14; j < i+14+64 && j < len(bin); j++ {
		bin[j] = 0xee
	}
	fn := zt.Write(t, t.TempDir(), "function.zip", zt.Entry{Name: "bootstrap", Body: bin, Mode: 0o755})
	err := generateErr(t, fn)
	if err == nil || !strings.Contains(err.Error(), `function.zip: entry "bootstrap": Go metadata that syft could not read cannot be read for name and version either`) {
		t.Fatalf("err = %v", err)
	}
}

// TestRejectedDepsJSON: a .NET deps.json with a UTF-8 BOM (which .NET
// reads) is refused by syft's JSON decoder.
func TestRejectedDepsJSON(t *testing.T) {
	deps := `{"runtimeTarget":{"name":".NETCoreApp,Version=v8.0"},"targets":{".NETCoreApp,Version=v8.0":{"Fn/1.0.0":{"dependencies":{"Newtonsoft.Json":"13.0.1"},"runtime":{"Fn.dll":{}}},"Newtonsoft.Json/13.0.1":{"runtime":{"lib/net6.0/Newtonsoft.Json.dll":{"assemblyVersion":"13.0.0.0","fileVersion":"13.0.1.25517"}}}}},` +
		`"libraries":{"Fn/1.0.0":{"type":"project","serviceable":false,"sha512":""},"Newtonsoft.Json/13.0.1":{"type":"package","serviceable":true,"sha512":"sha512-ppPFpBcvxdsfUonNcvITKqLl3bqxWbDCZIzDWHzjpdAHRFfZe0Dw9HmA0+za13IdyrgJwpkDTDA9fHaxOrt20A==","path":"newtonsoft.json/13.0.1","hashPath":"newtonsoft.json.13.0.1.nupkg.sha512"}}}`
	fn := zt.Write(t, t.TempDir(), "function.zip", zt.File("Fn.deps.json", "\xef\xbb\xbf"+deps))
	assertRows(t, generateFile(t, fn), EcosystemNuGet,
		pkgRow{Name: "Newtonsoft.Json", Version: "13.0.1", Paths: []string{"/var/task/Fn.deps.json"}, Evidence: EvidenceLenient, Loaded: true})
}

// TestRejectedGemspec: a gemspec in the %q{} style older RubyGems wrote,
// which syft's line patterns do not read; Ruby does.
func TestRejectedGemspec(t *testing.T) {
	spec := "# -*- encoding: utf-8 -*-\nGem::Specification.new do |s|\n  s.name = %q{rack}\n  s.version = %q{2.2.3}\n  s.licenses = [%q{MIT}]\nend\n"
	fn := zt.Write(t, t.TempDir(), "function.zip",
		zt.File("vendor/bundle/ruby/3.2.0/specifications/rack-2.2.3.gemspec", spec))
	assertRows(t, generateFile(t, fn), EcosystemRubyGems,
		pkgRow{Name: "rack", Version: "2.2.3", Paths: []string{"/var/task/vendor/bundle/ruby/3.2.0/specifications/rack-2.2.3.gemspec"}, Evidence: EvidenceLenient, Loaded: true})
}
