package feeds

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// Counts are numbers of records by kind.
type Counts struct {
	Vulnerability int `json:"vulnerability"`
	Malicious     int `json:"malicious"`
	Withdrawn     int `json:"withdrawn"`
	Total         int `json:"total"`
}

func (c *Counts) add(k Kind, n int) {
	switch k {
	case KindVulnerability:
		c.Vulnerability += n
	case KindMalicious:
		c.Malicious += n
	case KindWithdrawn:
		c.Withdrawn += n
	}
	c.Total += n
}

// EcosystemCounts are the records with at least one affected package in an
// ecosystem (release suffixes folded: "Debian:12" counts as "Debian"). A
// record affecting two ecosystems counts once in each. Records with no
// affected package (only withdrawn ones may) are under ecosystem "".
type EcosystemCounts struct {
	Ecosystem string `json:"ecosystem"`
	Counts
}

// SourceStatus describes one source of records.
type SourceStatus struct {
	Source string `json:"source"` // URL, "file:PATH" or "blocklist:PATH"
	Type   string `json:"type"`   // SourceExport, SourceFile or SourceBlockList
	// Totals and Ecosystems count every record the source provides, also
	// those whose stored copy came from another source.
	Ecosystem  string            `json:"ecosystem,omitempty"` // for an export: the ecosystem downloaded
	Updated    time.Time         `json:"updated"`             // last time its data was imported
	Checked    time.Time         `json:"checked"`             // last time it was found current
	AgeSeconds int64             `json:"age_seconds"`         // since Checked
	Age        string            `json:"age"`
	Totals     Counts            `json:"totals"`
	Ecosystems []EcosystemCounts `json:"ecosystems"`
}

// Status is what `fnaudit db status` reports.
type Status struct {
	Path          string            `json:"path"`
	SchemaVersion int               `json:"schema_version"`
	LastUpdated   time.Time         `json:"last_updated"`
	AgeSeconds    int64             `json:"age_seconds"`
	Age           string            `json:"age"`
	Totals        Counts            `json:"totals"`
	Ecosystems    []EcosystemCounts `json:"ecosystems"`
	Sources       []SourceStatus    `json:"sources"`
	// Coverage is, per ecosystem, the records, the sources that provide
	// them with their times, and how current the ecosystem's advisories
	// are (what CheckCoverage checks). Schema: docs/db-status.schema.json.
	Coverage []EcosystemCoverage `json:"coverage"`
}

// Status counts the records per source, ecosystem and kind; ages are
// computed at now.
func (s *Store) Status(ctx context.Context, now time.Time) (*Status, error) {
	last, err := s.LastUpdated(ctx)
	if err != nil {
		return nil, err
	}
	st := &Status{
		Path:          s.path,
		SchemaVersion: schemaVersion,
		LastUpdated:   last,
		AgeSeconds:    int64(max(now.Sub(last), 0) / time.Second),
		Age:           FormatAge(max(now.Sub(last), 0)),
	}

	sources := map[int64]*SourceStatus{}
	var order []int64
	rows, err := s.db.QueryContext(ctx, `SELECT sid, name, type, ecosystem, updated_at, checked_at FROM sources ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	for rows.Next() {
		var sid, updated, checked int64
		ss := &SourceStatus{}
		if err := rows.Scan(&sid, &ss.Source, &ss.Type, &ss.Ecosystem, &updated, &checked); err != nil {
			rows.Close()
			return nil, fmt.Errorf("status: %w", err)
		}
		ss.Updated = time.Unix(updated, 0).UTC()
		ss.Checked = time.Unix(checked, 0).UTC()
		age := max(now.Sub(ss.Checked), 0)
		ss.AgeSeconds, ss.Age = int64(age/time.Second), FormatAge(age)
		sources[sid] = ss
		order = append(order, sid)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}

	// Totals: each record once, whatever it affects; per source, each
	// record it provides.
	rows, err = s.db.QueryContext(ctx, `
		SELECT -1, kind, count(*) FROM records GROUP BY kind
		UNION ALL
		SELECT p.sid, r.kind, count(*) FROM provides p JOIN records r ON r.rid = p.rid GROUP BY p.sid, r.kind`)
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	for rows.Next() {
		var sid int64
		var kind string
		var n int
		if err := rows.Scan(&sid, &kind, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("status: %w", err)
		}
		if sid == -1 {
			st.Totals.add(Kind(kind), n)
		} else if ss := sources[sid]; ss != nil {
			ss.Totals.add(Kind(kind), n)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}

	// Per ecosystem: distinct records per base ecosystem.
	rows, err = s.db.QueryContext(ctx, `
		SELECT sid, kind, eco, count(*) FROM (
			SELECT DISTINCT r.rid, -1 AS sid, r.kind, a.base AS eco
			FROM affected a JOIN records r ON r.rid = a.rid
			UNION ALL
			SELECT rid, -1, kind, '' FROM records WHERE keys = ''
			UNION ALL
			SELECT DISTINCT r.rid, p.sid, r.kind, a.base
			FROM affected a JOIN records r ON r.rid = a.rid JOIN provides p ON p.rid = r.rid
			UNION ALL
			SELECT r.rid, p.sid, r.kind, '' FROM records r JOIN provides p ON p.rid = r.rid WHERE r.keys = ''
		) GROUP BY sid, kind, eco`)
	if err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	total := map[string]*EcosystemCounts{}
	perSource := map[int64]map[string]*EcosystemCounts{}
	get := func(m map[string]*EcosystemCounts, eco string) *EcosystemCounts {
		if m[eco] == nil {
			m[eco] = &EcosystemCounts{Ecosystem: eco}
		}
		return m[eco]
	}
	for rows.Next() {
		var sid int64
		var kind, eco string
		var n int
		if err := rows.Scan(&sid, &kind, &eco, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("status: %w", err)
		}
		if sid == -1 {
			get(total, eco).add(Kind(kind), n)
			continue
		}
		if perSource[sid] == nil {
			perSource[sid] = map[string]*EcosystemCounts{}
		}
		get(perSource[sid], eco).add(Kind(kind), n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	st.Ecosystems = sortedCounts(total)
	for _, sid := range order {
		ss := sources[sid]
		ss.Ecosystems = sortedCounts(perSource[sid])
		st.Sources = append(st.Sources, *ss)
	}
	if st.Ecosystems == nil {
		st.Ecosystems = []EcosystemCounts{}
	}
	if st.Sources == nil {
		st.Sources = []SourceStatus{}
	}
	if st.Coverage, err = s.Coverage(ctx, now); err != nil {
		return nil, fmt.Errorf("status: %w", err)
	}
	return st, nil
}

func sortedCounts(m map[string]*EcosystemCounts) []EcosystemCounts {
	out := make([]EcosystemCounts, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ecosystem < out[j].Ecosystem })
	return out
}
