package sbom

import (
	"sort"
	"strings"
	"testing"

	zt "github.com/fnaudit/fnaudit/internal/ziptest"
)

// TestNestedArchives: jars, wheels and zips inside a function are opened
// too. A Spring-Boot-style fat jar carrying the real commons-text 1.10.0 jar
// from the corpus, a zip on sys.path (zipimport) and a wheel each yield their
// packages, named by their path through the archive.
func TestNestedArchives(t *testing.T) {
	commonsText := corpusFile(t, "java-app.zip", "lib/commons-text-1.10.0.jar")
	fat := zt.Bytes(t,
		zt.File("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nMain-Class: org.springframework.boot.loader.JarLauncher\n"),
		zt.File("META-INF/maven/com.example/app/pom.properties", "groupId=com.example\nartifactId=app\nversion=1.0.0\n"),
		zt.Entry{Name: "BOOT-INF/lib/commons-text-1.10.0.jar", Body: []byte(commonsText), Store: true},
	)
	vendor := zt.Bytes(t,
		zt.File("six-1.16.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n"),
		zt.File("six.py", ""))
	wheel := zt.Bytes(t,
		zt.File("idna-3.7.dist-info/METADATA", "Metadata-Version: 2.1\nName: idna\nVersion: 3.7\n"),
		zt.File("idna/__init__.py", ""))
	fn := zt.Write(t, t.TempDir(), "function.zip",
		zt.File("com/example/Handler.class", ""),
		zt.Entry{Name: "lib/app.jar", Body: fat},
		zt.Entry{Name: "vendor.zip", Body: vendor},
		zt.Entry{Name: "wheels/idna-3.7-py3-none-any.whl", Body: wheel},
	)
	s := generateFile(t, fn)
	var got []string
	for _, p := range s.Packages {
		got = append(got, p.Ecosystem+" "+p.Name+" "+p.Version+" "+p.Path())
	}
	sort.Strings(got)
	want := []string{
		"Maven com.example:app 1.0.0 /var/task/lib/app.jar",
		"Maven org.apache.commons:commons-text 1.10.0 /var/task/lib/app.jar!/BOOT-INF/lib/commons-text-1.10.0.jar",
		"PyPI idna 3.7 /var/task/wheels/idna-3.7-py3-none-any.whl!/idna-3.7.dist-info",
		"PyPI six 1.16.0 /var/task/vendor.zip!/six-1.16.0.dist-info",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("packages:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
