package inventory

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"
)

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// q writes a query for the backend: queries are written once with '?'
// placeholders (no '?' ever appears inside a literal) and PostgreSQL gets
// $1, $2, ...
func (s *Store) q(query string) string {
	if s.backend != BackendPostgres {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// placeholders returns "(?, ?, ...)" with n marks.
func placeholders(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

// insertRows inserts rows into table in multi-row INSERTs (one round trip
// per chunk rather than per row); suffix is appended to each statement
// (an ON CONFLICT clause).
func (s *Store) insertRows(ctx context.Context, tx querier, table string, cols []string, rows [][]any, suffix string) error {
	if len(rows) == 0 {
		return nil
	}
	return s.execChunked(ctx, tx, "INSERT INTO "+table+" ("+strings.Join(cols, ", ")+") VALUES ", nil, rows, " "+suffix)
}

// execChunked runs head, then "(?, ...), (?, ...)" for tuples, then tail,
// in as many statements as the parameter limits need: 30,000 parameters
// per statement stays under SQLite's 32,766 and PostgreSQL's 65,535. lead
// are head's own arguments.
func (s *Store) execChunked(ctx context.Context, tx querier, head string, lead []any, tuples [][]any, tail string) error {
	per := max(1, (30000-len(lead))/len(tuples[0]))
	one := placeholders(len(tuples[0]))
	for start := 0; start < len(tuples); start += per {
		chunk := tuples[start:min(len(tuples), start+per)]
		var b strings.Builder
		b.WriteString(head)
		args := make([]any, 0, len(lead)+len(chunk)*len(tuples[0]))
		args = append(args, lead...)
		for i, t := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(one)
			args = append(args, t...)
		}
		b.WriteString(tail)
		if _, err := tx.ExecContext(ctx, s.q(b.String()), args...); err != nil {
			return err
		}
	}
	return nil
}

// Times are stored as Unix microseconds (BIGINT) on both backends, so
// ordering and equality never depend on a driver's time handling.
func toMicros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// inClause returns "(?, ?, ...)" and the args for a list of strings.
func inClause(vals []string) (string, []any) {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return placeholders(len(vals)), args
}
