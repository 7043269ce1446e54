package main

import (
	"strings"
	"testing"

	zt "github.com/fnaudit/fnaudit/internal/ziptest"
)

// TestInvestigateFolderName: a function ships node_modules/flatmap-stream
// whose package.json says "innocent" (TestGateFolderName's hostile
// rename). The scan fails on flatmap-stream's records; once recorded,
// investigate flatmap-stream lists the copy by its folder name, on each
// backend, and the table names the folder.
func TestInvestigateFolderName(t *testing.T) {
	t.Parallel()
	db := corpusDB(t)
	innocent := mustReplace(t, corpusFlatmap(t), `"name": "flatmap-stream"`, `"name": "innocent"`)
	for _, backend := range inventoryBackends() {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			dsn := freshInventory(t, backend)
			zip := functionZip(t, zt.File("node_modules/flatmap-stream/package.json", innocent))
			recordScans(t, db, dsn, map[string][]string{"renamed": {zip}}, map[string]int{"renamed": 1})

			code, hits, errs := investigateJSON(t, db, dsn, "flatmap-stream")
			if code != 1 || len(hits) != 1 || hits[0].Name != "renamed" || hits[0].Package != "innocent" ||
				hits[0].Folder != "flatmap-stream" || hits[0].Path != "/var/task/node_modules/flatmap-stream" || hits[0].Version != "0.1.1" {
				t.Errorf("investigate flatmap-stream: exit %d %+v %s", code, hits, errs)
			}
			code, out, errs := runCLI(t, append(append([]string{}, db...), "investigate", "--inventory", dsn, "flatmap-stream")...)
			if code != 1 || !strings.Contains(out, "npm/innocent (folder flatmap-stream)") {
				t.Errorf("investigate table: exit %d\n%s%s", code, out, errs)
			}
			code, hits, errs = investigateJSON(t, db, dsn, "--advisory", "MAL-2025-20690")
			if code != 1 || len(hits) != 1 || hits[0].Folder != "flatmap-stream" {
				t.Errorf("investigate --advisory MAL-2025-20690: exit %d %+v %s", code, hits, errs)
			}
		})
	}
}
