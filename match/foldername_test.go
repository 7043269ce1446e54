package match

import (
	"context"
	"slices"
	"testing"

	"github.com/fnaudit/fnaudit/core"
)

// The folder-name rule (docs/DESIGN.md, "Folder names and package names"):
// a package is matched under its package.json name and under the folder
// name require() finds it by. An alias no shipped lockfile explains is
// matched in full under both names; an npm alias a lockfile declares
// matches the folder name only against malicious records that flag every
// version of it. Records are the corpus's.
func TestFolderNameAlias(t *testing.T) {
	src := corpusSource(t)
	flatmap := [][]string{{"GHSA-mh6f-8j2x-4483"}, {"MAL-2025-20690"}}
	lodash := [][]string{{"GHSA-35jh-r3h4-6jhm"}, {"GHSA-p6mc-m468-83gw"}}
	cases := []struct {
		name, pkg, version, alias string
		declared                  bool
		want                      [][]string
	}{
		{"malware folder, innocent name", "innocent", "0.1.1", "flatmap-stream", false, flatmap},
		{"malware folder, declared alias", "innocent", "0.1.1", "flatmap-stream", true, flatmap},
		{"malware name, innocent folder", "flatmap-stream", "0.1.1", "innocent", false, flatmap},
		{"malware name, declared alias", "flatmap-stream", "0.1.1", "innocent", true, flatmap},
		{"vulnerable folder name, undeclared", "innocent", "4.17.15", "lodash", false, lodash},
		{"vulnerable folder name, declared alias", "innocent", "4.17.15", "lodash", true, nil},
		{"vulnerable package under a declared alias", "lodash", "4.17.15", "lodash-v4", true, lodash},
		// GHSA-mh6f-8j2x-4483 is malicious for event-stream 3.3.6 only:
		// it does not flag the name, so a declared alias is not held to it.
		{"malware for one version, undeclared", "event-stream-fork", "3.3.6", "event-stream", false, [][]string{{"GHSA-mh6f-8j2x-4483"}}},
		{"malware for one version, declared alias", "event-stream-fork", "3.3.6", "event-stream", true, nil},
		{"alias differing only in case", "innocent", "4.17.15", "INNOCENT", false, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := npm(c.pkg, c.version, "/var/task/node_modules/"+c.alias)
			p.Alias, p.AliasDeclared = c.alias, c.declared
			fs, err := Match(context.Background(), src, []core.Package{p})
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			for _, f := range fs {
				got = append(got, f.IDs)
				if f.Package.Name != c.pkg || f.Package.Alias != c.alias {
					t.Errorf("finding names %s (alias %s)", f.Package.Name, f.Package.Alias)
				}
			}
			if !slices.EqualFunc(got, c.want, slices.Equal[[]string]) {
				t.Errorf("findings %v, want %v", got, c.want)
			}
		})
	}
}
