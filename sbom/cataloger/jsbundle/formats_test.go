package jsbundle

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
)

func TestModuleOf(t *testing.T) {
	for _, tc := range []struct{ src, name, key, version string }{
		{"../../app/node_modules/lodash/lodash.js", "lodash", "node_modules/lodash", ""},
		{"webpack://app/./node_modules/@aws-sdk/client-s3/dist-cjs/index.js", "@aws-sdk/client-s3", "node_modules/@aws-sdk/client-s3", ""},
		{"node_modules/a/node_modules/@s/b/node_modules/c/x.js", "c", "node_modules/a/node_modules/@s/b/node_modules/c", ""},
		{"node_modules/.pnpm/lodash@4.17.15/node_modules/lodash/lodash.js", "lodash", "node_modules/.pnpm/lodash@4.17.15/node_modules/lodash", "4.17.15"},
		{"node_modules/.pnpm/@aws-sdk+client-s3@3.1.0_x@1.0.0/node_modules/@aws-sdk/client-s3/index.js", "@aws-sdk/client-s3", "node_modules/.pnpm/@aws-sdk+client-s3@3.1.0_x@1.0.0/node_modules/@aws-sdk/client-s3", "3.1.0"},
		{`C:\app\node_modules\axios\index.js`, "axios", "node_modules/axios", ""},
	} {
		m, ok := moduleOf(tc.src)
		if !ok || m.name != tc.name || m.key != tc.key || m.version != tc.version {
			t.Errorf("moduleOf(%q) = %+v %v, want %s %s %s", tc.src, m, ok, tc.name, tc.key, tc.version)
		}
	}
	for _, src := range []string{"../../app/index.js", "webpack/bootstrap", "node_modules/@scope", "node_modules/Not_A_Name/x.js"} {
		if m, ok := moduleOf(src); ok {
			t.Errorf("moduleOf(%q) = %+v, want none", src, m)
		}
	}
}

func TestPackageLockVersions(t *testing.T) {
	nested := module{name: "b", key: "node_modules/a/node_modules/b"}
	top := module{name: "b", key: "node_modules/b"}
	for name, lock := range map[string]string{
		"v1": `{"lockfileVersion":1,"dependencies":{"b":{"version":"1.0.0"},"a":{"version":"2.0.0","dependencies":{"b":{"version":"0.9.0"}}}}}`,
		"v3": `{"lockfileVersion":3,"packages":{"":{"name":"app"},"node_modules/b":{"version":"1.0.0"},"node_modules/a":{"version":"2.0.0"},"node_modules/a/node_modules/b":{"version":"0.9.0"},"node_modules/l":{"link":true}}}`,
	} {
		l, err := parseLock("/var/task/package-lock.json", []byte(lock))
		if err != nil {
			t.Fatal(name, err)
		}
		if got := l.version(nested); got != "0.9.0" {
			t.Errorf("%s: nested b = %q", name, got)
		}
		if got := l.version(top); got != "1.0.0" {
			t.Errorf("%s: top b = %q", name, got)
		}
		if got := l.version(module{name: "b", key: "node_modules/c/node_modules/b"}); got != "" {
			t.Errorf("%s: a path the lockfile does not hold got %q", name, got)
		}
	}
	if _, err := parseLock("/var/task/package-lock.json", []byte(`{"packages":`)); err == nil || !strings.Contains(err.Error(), "/var/task/package-lock.json") {
		t.Errorf("corrupt lockfile: %v", err)
	}
}

func TestYarnAndPnpmVersions(t *testing.T) {
	yarnV1 := "# yarn lockfile v1\n\n\"@s/x@^1.0.0\", \"@s/x@^1.1.0\":\n  version \"1.2.0\"\n  resolved \"https://r/x.tgz\"\n\nlodash@^4.17.15:\n  version \"4.17.15\"\n\ndup@^1:\n  version \"1.0.0\"\n\ndup@^2:\n  version \"2.0.0\"\n"
	berry := "__metadata:\n  version: 6\n\n\"lodash@npm:^4.17.15\":\n  version: 4.17.15\n  resolution: \"lodash@npm:4.17.15\"\n"
	pnpm5 := "lockfileVersion: 5.4\npackages:\n  /lodash/4.17.15:\n    resolution: {integrity: x}\n  /@s/x/1.2.0_react@16.0.0:\n    resolution: {integrity: y}\n"
	pnpm9 := "lockfileVersion: '9.0'\npackages:\n  lodash@4.17.15:\n    resolution: {integrity: x}\n  '@s/x@1.2.0':\n    resolution: {integrity: y}\n"
	for _, tc := range []struct{ file, body string }{
		{"yarn.lock", yarnV1}, {"yarn.lock", berry}, {"pnpm-lock.yaml", pnpm5}, {"pnpm-lock.yaml", pnpm9},
	} {
		l, err := parseLock("/var/task/"+tc.file, []byte(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		if got := l.version(module{name: "lodash", key: "node_modules/lodash"}); got != "4.17.15" {
			t.Errorf("%s: lodash = %q (%v)", tc.file, got, l.byName)
		}
		if tc.body != berry {
			if got := l.version(module{name: "@s/x", key: "node_modules/@s/x"}); got != "1.2.0" {
				t.Errorf("%s: @s/x = %q (%v)", tc.file, got, l.byName)
			}
		}
	}
	l, _ := parseLock("/var/task/yarn.lock", []byte(yarnV1))
	if got := l.version(module{name: "dup", key: "node_modules/dup"}); got != "" {
		t.Errorf("a name locked at two versions got %q", got)
	}
}

// TestInlineMapAndNearestLock: an inline data: map (base64 and
// URL-encoded), a lockfile in a parent folder, a scoped nested package.
func TestInlineMapAndNearestLock(t *testing.T) {
	m := `{"version":3,"sources":["../node_modules/@aws-sdk/client-s3/index.js","../node_modules/a/node_modules/b/i.js","../src/h.js"],"names":[],"mappings":"AAAA"}`
	lock := `{"lockfileVersion":3,"packages":{"node_modules/@aws-sdk/client-s3":{"version":"3.500.0"},"node_modules/a/node_modules/b":{"version":"0.1.0"}}}`
	for _, url := range []string{
		"data:application/json;charset=utf-8;base64," + base64.StdEncoding.EncodeToString([]byte(m)),
		"data:application/json," + strings.ReplaceAll(strings.ReplaceAll(m, `"`, "%22"), " ", "%20"),
	} {
		fsys := memFS{
			"/var/task/dist/index.mjs":    "export const x = 1;\n//# sourceMappingURL=" + url + "\n",
			"/var/task/package-lock.json": lock,
		}
		res, err := Catalog(fsys, DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		got := rows(res.Packages)
		want := []string{
			"@aws-sdk/client-s3@3.500.0 sourcemap/lockfile /var/task/dist/index.mjs node_modules/@aws-sdk/client-s3",
			"b@0.1.0 sourcemap/lockfile /var/task/dist/index.mjs node_modules/a/node_modules/b",
		}
		if !slices.Equal(got, want) {
			t.Errorf("got %q\nwant %q", got, want)
		}
	}
}

// TestRefusals: what cannot be read is an error naming the file, never a
// silent skip.
func TestRefusals(t *testing.T) {
	big := strings.Repeat("x", 2048)
	for _, tc := range []struct {
		name string
		fsys memFS
		lim  Limits
		want string
	}{
		{"bundle over the cap", memFS{"/var/task/index.js": big}, Limits{MaxBundleBytes: 1024}, "bundle /var/task/index.js: 2048 bytes, over the 1024-byte limit"},
		{"map over the cap", memFS{"/var/task/index.js": "a()\n//# sourceMappingURL=index.js.map", "/var/task/index.js.map": big}, Limits{MaxMapBytes: 1024}, "source map /var/task/index.js.map: 2048 bytes"},
		{"lockfile over the cap", memFS{"/var/task/index.js": "// node_modules/x/i.js\n", "/var/task/package-lock.json": big}, Limits{MaxLockBytes: 1024}, "lockfile /var/task/package-lock.json: 2048 bytes"},
		{"corrupt shipped map", memFS{"/var/task/index.js": "a()", "/var/task/index.js.map": `{"version":3,"sources":[`}, DefaultLimits(), "source map /var/task/index.js.map"},
		{"bad inline map", memFS{"/var/task/index.js": "a()\n//# sourceMappingURL=data:application/json;base64,!!!"}, DefaultLimits(), "inline source map of /var/task/index.js"},
		{"corrupt lockfile", memFS{"/var/task/index.js": "// node_modules/x/i.js\n", "/var/task/package-lock.json": "{"}, DefaultLimits(), "lockfile /var/task/package-lock.json"},
	} {
		_, err := Catalog(tc.fsys, tc.lim)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestUnidentified: a minified file with nothing naming its modules is a
// bundle fnaudit cannot see into; a short hand-written one is no bundle.
func TestUnidentified(t *testing.T) {
	res, err := Catalog(memFS{
		"/var/task/index.js":                     "exports.handler = async () => ({ statusCode: 200 });\n",
		"/var/task/dist/a.js":                    "var a=" + strings.Repeat("1+", 600) + "1;",
		"/var/task/node_modules/x/dist/x.min.js": strings.Repeat("y", 5000),
	}, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	want := []Bundle{{Path: "/var/task/dist/a.js"}}
	if !slices.Equal(res.Bundles, want) || !slices.Equal(res.Unidentified(), want) || len(res.Packages) != 0 {
		t.Errorf("got %+v", res)
	}
}

func TestBanners(t *testing.T) {
	got := banners([]byte(`module.exports={name:"axios",version:"0.21.0",description:"x"};` +
		`JSON.parse('{"name":"@s/x","version":"1.0.0-rc.1"}');` +
		"var VERSION = '4.17.15';\n  /** x */\n  var LARGE_ARRAY_SIZE = 200;\n  var CORE_ERROR_TEXT = 'Unsupported core-js use. Try https://npms.io/search?q=ponyfill.';" +
		`{name:"Not A Package",version:"1.0.0"}`))
	want := []banner{{"@s/x", "1.0.0-rc.1"}, {"axios", "0.21.0"}, {"lodash", "4.17.15"}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
