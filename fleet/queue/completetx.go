package queue

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

// completeInTx marks job completed with River's JobCompleteTx inside the
// inventory transaction that records the job's function
// (inventory.Store.RecordScanThen): the rows and the completion commit
// together, so a worker killed between the two cannot leave the function
// recorded and its job to be run again, nor the job done and nothing
// recorded. driverConn is the inventory's database/sql connection, pgx's
// stdlib.Conn, whose transaction is open.
func completeInTx(ctx context.Context, driverConn any, job *river.Job[ScanArgs]) error {
	sc, ok := driverConn.(*stdlib.Conn)
	if !ok {
		return fmt.Errorf("queue: completing a job needs the inventory on PostgreSQL (pgx), not %T", driverConn)
	}
	if _, err := river.JobCompleteTx[*riverpgxv5.Driver, pgx.Tx](ctx, pgx.Tx(openTx{sc.Conn()}), job); err != nil {
		return fmt.Errorf("queue: complete job %d: %w", job.ID, err)
	}
	return nil
}

// openTx presents the connection's open transaction, which database/sql
// owns and commits, as the pgx.Tx River writes through. Its statements run
// in that transaction; it cannot itself commit, roll back or nest.
type openTx struct{ conn *pgx.Conn }

var _ pgx.Tx = openTx{}

var errNotOwner = errors.New("queue: the transaction belongs to the inventory's database/sql connection")

func (openTx) Begin(context.Context) (pgx.Tx, error) { return nil, errNotOwner }
func (openTx) Commit(context.Context) error          { return errNotOwner }
func (openTx) Rollback(context.Context) error        { return errNotOwner }
func (openTx) LargeObjects() pgx.LargeObjects        { return pgx.LargeObjects{} }
func (t openTx) Conn() *pgx.Conn                     { return t.conn }

func (t openTx) CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	return t.conn.CopyFrom(ctx, table, cols, src)
}

func (t openTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return t.conn.SendBatch(ctx, b)
}

func (t openTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	return t.conn.Prepare(ctx, name, sql)
}

func (t openTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return t.conn.Exec(ctx, sql, args...)
}

func (t openTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return t.conn.Query(ctx, sql, args...)
}

func (t openTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return t.conn.QueryRow(ctx, sql, args...)
}
