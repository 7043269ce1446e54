package main

import (
	"path/filepath"
	"testing"

	zt "github.com/fnaudit/fnaudit/internal/ziptest"
)

// TestGateFolderName: the folder-name rule of docs/DESIGN.md ("Folder
// names and package names"). require() resolves by folder name, so
// node_modules/flatmap-stream whose package.json says "innocent" fails the
// gate on flatmap-stream's records, with or without a lockfile declaring
// an npm alias (the records flag every version of the name). A package
// installed under a vulnerable package's folder name through a declared
// npm alias ("lodash": "npm:innocent@4.17.15") gives no lodash finding;
// without the lockfile's word it fails closed on lodash's records.
func TestGateFolderName(t *testing.T) {
	t.Parallel()
	flatmap := corpusFlatmap(t)
	lodash := zt.ReadEntry(t, filepath.Join(functionsDir, "node-app.zip"), "node_modules/lodash/package.json")
	innocentFlatmap := mustReplace(t, flatmap, `"name": "flatmap-stream"`, `"name": "innocent"`)
	innocentLodash := mustReplace(t, lodash, `"name": "lodash"`, `"name": "innocent"`)
	lock := func(folder, name, version string) zt.Entry {
		return zt.File("node_modules/.package-lock.json", `{"name":"fn","lockfileVersion":3,"requires":true,"packages":{`+
			`"":{"dependencies":{"`+folder+`":"npm:`+name+`@`+version+`"}},`+
			`"node_modules/`+folder+`":{"name":"`+name+`","version":"`+version+`","resolved":"https://registry.npmjs.org/`+name+`/-/`+name+`-`+version+`.tgz"}}}`)
	}
	zip := func(entries ...zt.Entry) func(t *testing.T) []string {
		return func(t *testing.T) []string { return []string{functionZip(t, entries...)} }
	}
	runGateCases(t, []gateCase{
		{name: "flatmap-stream folder says innocent", exit: 1,
			args: zip(zt.File("node_modules/flatmap-stream/package.json", innocentFlatmap)),
			want: map[string][]string{"innocent@0.1.1 /var/task/node_modules/flatmap-stream as flatmap-stream": flatmapIDs}},
		{name: "flatmap-stream folder, declared npm alias", exit: 1,
			args: zip(zt.File("node_modules/flatmap-stream/package.json", innocentFlatmap), lock("flatmap-stream", "innocent", "0.1.1")),
			want: map[string][]string{"innocent@0.1.1 /var/task/node_modules/flatmap-stream as flatmap-stream": flatmapIDs}},
		{name: "flatmap-stream under another folder name", exit: 1,
			args: zip(zt.File("node_modules/innocent/package.json", flatmap), lock("innocent", "flatmap-stream", "0.1.1")),
			want: map[string][]string{"flatmap-stream@0.1.1 /var/task/node_modules/innocent as innocent": flatmapIDs}},
		{name: "task root folder says innocent", exit: 1,
			args: zip(zt.File("flatmap-stream/package.json", innocentFlatmap)),
			want: map[string][]string{"innocent@0.1.1 /var/task/flatmap-stream as flatmap-stream": flatmapIDs}},
		{name: "lodash folder, declared npm alias", exit: 0,
			args: zip(zt.File("node_modules/lodash/package.json", innocentLodash), lock("lodash", "innocent", "4.17.15")),
			want: map[string][]string{}},
		{name: "lodash folder, no lockfile", exit: 1,
			args: zip(zt.File("node_modules/lodash/package.json", innocentLodash)),
			want: map[string][]string{"innocent@4.17.15 /var/task/node_modules/lodash as lodash": lodashIDs}},
	})
}
