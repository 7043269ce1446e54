package core

import "testing"

func TestNormalizeName(t *testing.T) {
	for _, tc := range []struct{ eco, in, want string }{
		// PEP 503: lower case, runs of -_. become one -.
		{"PyPI", "Django_REST.framework", "django-rest-framework"},
		{"PyPI", "PyYAML", "pyyaml"},
		{"PyPI", "zope.interface", "zope-interface"},
		{"PyPI", "a-_.-b", "a-b"},
		{"PyPI", "  requests ", "requests"},
		// npm: lower case, scope kept.
		{"npm", "@Babel/Core", "@babel/core"},
		{"npm", "JSONStream", "jsonstream"},
		// Maven: group:artifact, purl-style slash accepted.
		{"Maven", "org.apache.logging.log4j:log4j-core", "org.apache.logging.log4j:log4j-core"},
		{"Maven", "org.apache.logging.log4j/log4j-core", "org.apache.logging.log4j:log4j-core"},
		{"Maven", "com.Google.guava:Guava", "com.Google.guava:Guava"},
		// Go module paths are case-sensitive.
		{"Go", "github.com/BurntSushi/toml", "github.com/BurntSushi/toml"},
		{"NuGet", "Newtonsoft.Json", "newtonsoft.json"},
		{"RubyGems", "Nokogiri", "Nokogiri"},
		{"Debian:12", "OpenSSL", "OpenSSL"},
	} {
		if got := NormalizeName(tc.eco, tc.in); got != tc.want {
			t.Errorf("NormalizeName(%q, %q) = %q, want %q", tc.eco, tc.in, got, tc.want)
		}
	}
}

func TestParsePURL(t *testing.T) {
	for _, tc := range []struct{ purl, eco, name, version string }{
		{"pkg:npm/flatmap-stream", "npm", "flatmap-stream", ""},
		{"pkg:npm/%40babel/core@7.0.0", "npm", "@babel/core", "7.0.0"},
		{"pkg:pypi/requests@2.31.0", "PyPI", "requests", "2.31.0"},
		{"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "Maven", "org.apache.logging.log4j:log4j-core", "2.14.1"},
		{"pkg:golang/golang.org/x/net@v0.7.0", "Go", "golang.org/x/net", "v0.7.0"},
		{"pkg:gem/nokogiri", "RubyGems", "nokogiri", ""},
		{"pkg:nuget/Newtonsoft.Json@12.0.1", "NuGet", "Newtonsoft.Json", "12.0.1"},
		{"pkg:cargo/rand", "crates.io", "rand", ""},
		{"pkg:composer/symfony/http-kernel", "Packagist", "symfony/http-kernel", ""},
	} {
		eco, name, version, err := ParsePURL(tc.purl)
		if err != nil || eco != tc.eco || name != tc.name || version != tc.version {
			t.Errorf("ParsePURL(%q) = %q, %q, %q, %v; want %q, %q, %q", tc.purl, eco, name, version, err, tc.eco, tc.name, tc.version)
		}
	}
	for _, bad := range []string{"npm/x", "pkg:docker/alpine", "pkg:npm/"} {
		if _, _, _, err := ParsePURL(bad); err == nil {
			t.Errorf("ParsePURL(%q): no error", bad)
		}
	}
}
