package match

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"golang.org/x/mod/semver"
	"google.golang.org/protobuf/encoding/protojson"
)

// writeGoVulnDB writes records as a Go vulnerability database in dir, in
// the v1 layout golang.org/x/vuln reads from a file:// URL
// (https://go.dev/security/vuln/database#api; x/vuln v1.9.0
// internal/client): index/db.json with the latest modified time,
// index/modules.json listing per module path the ids that affect it with
// their modified time and latest fix, and ID/<id>.json with each record.
// Only the affected[] entries of the Go ecosystem are indexed.
func writeGoVulnDB(dir string, records []*osvschema.Vulnerability) error {
	type moduleVuln struct {
		ID       string    `json:"id"`
		Modified time.Time `json:"modified"`
		Fixed    string    `json:"fixed,omitempty"`
	}
	type moduleMeta struct {
		Path  string       `json:"path"`
		Vulns []moduleVuln `json:"vulns"`
	}
	var dbModified time.Time
	modules := map[string]*moduleMeta{}
	marshal := protojson.MarshalOptions{UseProtoNames: true}

	for _, d := range []string{"index", "ID"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return err
		}
	}
	written := map[string]bool{}
	for _, v := range records {
		id := v.GetId()
		if written[id] {
			continue
		}
		if id == "" || strings.ContainsAny(id, `/\`) || id == "." || id == ".." {
			return fmt.Errorf("go vulndb: record id %q is not a file name", id)
		}
		written[id] = true
		mod := v.GetModified().AsTime().UTC()
		if mod.After(dbModified) {
			dbModified = mod
		}
		for _, a := range v.GetAffected() {
			if baseEcosystem(a.GetPackage().GetEcosystem()) != "Go" {
				continue
			}
			path := a.GetPackage().GetName()
			m := modules[path]
			if m == nil {
				m = &moduleMeta{Path: path, Vulns: []moduleVuln{}}
				modules[path] = m
			}
			m.Vulns = append(m.Vulns, moduleVuln{ID: id, Modified: mod, Fixed: latestFix(a.GetRanges())})
		}
		b, err := marshal.Marshal(v)
		if err != nil {
			return fmt.Errorf("go vulndb: record %s: %w", id, err)
		}
		if err := os.WriteFile(filepath.Join(dir, "ID", id+".json"), b, 0o600); err != nil {
			return err
		}
	}

	metas := make([]*moduleMeta, 0, len(modules))
	for _, m := range modules {
		slices.SortFunc(m.Vulns, func(a, b moduleVuln) int { return strings.Compare(a.ID, b.ID) })
		metas = append(metas, m)
	}
	slices.SortFunc(metas, func(a, b *moduleMeta) int { return strings.Compare(a.Path, b.Path) })
	if err := writeJSON(filepath.Join(dir, "index", "modules.json"), metas); err != nil {
		return err
	}
	return writeJSON(filepath.Join(dir, "index", "db.json"), struct {
		Modified time.Time `json:"modified"`
	}{dbModified})
}

// latestFix is the vulndb index's "fixed": the highest fixed version of
// the SEMVER ranges, or "" when the vulnerability is reintroduced after it
// (x/vuln's client skips a module version at or above it without reading
// the record, so "" must be used whenever a later version may be
// affected).
func latestFix(ranges []*osvschema.Range) string {
	latest := ""
	less := func(a, b string) bool { return semver.Compare("v"+a, "v"+b) < 0 }
	for _, r := range ranges {
		if r.GetType() != osvschema.Range_SEMVER {
			continue
		}
		for _, e := range r.GetEvents() {
			if f := e.GetFixed(); f != "" && (latest == "" || less(latest, f)) {
				latest = f
			}
		}
	}
	for _, r := range ranges {
		if r.GetType() != osvschema.Range_SEMVER {
			continue
		}
		for _, e := range r.GetEvents() {
			if i := e.GetIntroduced(); i != "" && i != "0" && latest != "" && less(latest, i) {
				return ""
			}
			if e.GetLastAffected() != "" || e.GetLimit() != "" {
				// Not in the Go database's vocabulary: do not let the
				// index hide the record.
				return ""
			}
		}
	}
	return latest
}

func writeJSON(file string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(file, b, 0o600)
}
