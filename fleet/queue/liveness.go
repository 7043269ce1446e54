package queue

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// River rescues a job whose worker died only once the job has been running
// for RescueStuckJobsAfter (15 minutes here, as it must exceed the job
// timeout), and only on its leader's rescuer tick, every 30 s (not
// configurable in River v0.51). A killed worker's jobs would wait that long.
//
// So each worker also proves it is alive: it holds a PostgreSQL session
// advisory lock named after its River client id for as long as it runs.
// The server releases that lock the moment the worker's connection ends (a
// SIGKILL, a crash, a lost host). Every worker checks, every
// DeadWorkerCheck, the running jobs' last attempted_by: a worker whose lock
// can be taken is gone, and its running jobs are made available again at
// once (discarded when they have no attempt left), with an error and
// River's rescue count recorded as River's own rescuer does. River's rescuer
// stays the backstop for a worker that is alive but stuck.
//
// A worker that loses its lock connection while still running stops: its
// jobs may be given to another worker, and recording is idempotent and
// commits with the job's completion, so a job run twice is stored once.

// livenessLockClass is the first key of the session advisory locks
// (the inventory's transaction locks use 1718185589).
const livenessLockClass = 1718185590

// DefaultDeadWorkerCheck is how often a worker looks for dead workers' jobs.
const DefaultDeadWorkerCheck = 5 * time.Second

// holdLiveness takes this worker's liveness lock on a connection of its
// own and keeps it until ctx ends; lost is closed when the connection
// fails (the lock is then gone and the worker must stop).
func holdLiveness(ctx context.Context, pool *pgxpool.Pool, id string, every time.Duration) (lost <-chan struct{}, release func(), err error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("worker liveness lock: %w", err)
	}
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, hashtext($2))`, livenessLockClass, id).Scan(&ok); err != nil {
		conn.Release()
		return nil, nil, fmt.Errorf("worker liveness lock: %w", err)
	}
	if !ok {
		conn.Release()
		return nil, nil, fmt.Errorf("worker id %q is already in use by a running worker", id)
	}
	ch := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := conn.Ping(ctx); err != nil && ctx.Err() == nil {
					slog.Error("worker: liveness connection lost; stopping", "error", err)
					close(ch)
					return
				}
			}
		}
	}()
	return ch, func() {
		<-done
		// Hijack and close rather than return to the pool: the session, and
		// with it the lock, ends here.
		c := conn.Hijack()
		c.Close(context.Background())
	}, nil
}

// rescueDeadWorkers makes the running jobs of kind held by workers without
// a liveness lock available again. It returns how many it rescued.
func rescueDeadWorkers(ctx context.Context, pool *pgxpool.Pool, self, kind string) (int64, error) {
	rows, err := pool.Query(ctx, `SELECT DISTINCT attempted_by[array_length(attempted_by, 1)] FROM river_job
		WHERE kind = $1 AND state = 'running' AND attempted_by[array_length(attempted_by, 1)] <> $2`, kind, self)
	if err != nil {
		return 0, fmt.Errorf("dead workers: %w", err)
	}
	var holders []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			rows.Close()
			return 0, err
		}
		holders = append(holders, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var total int64
	for _, h := range holders {
		n, err := rescueIfDead(ctx, pool, h, kind)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// rescueIfDead rescues holder's running jobs when its liveness lock is free,
// in one transaction that holds the lock meanwhile (a worker starting again
// under the same id waits, so it cannot pick up a job and lose it here).
func rescueIfDead(ctx context.Context, pool *pgxpool.Pool, holder, kind string) (int64, error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx)
	var free bool
	if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1, hashtext($2))`, livenessLockClass, holder).Scan(&free); err != nil {
		return 0, fmt.Errorf("dead workers: %w", err)
	}
	if !free {
		return 0, nil // alive
	}
	tag, err := tx.Exec(ctx, `UPDATE river_job SET
		state = CASE WHEN attempt >= max_attempts THEN 'discarded'::river_job_state ELSE 'available'::river_job_state END,
		finalized_at = CASE WHEN attempt >= max_attempts THEN now() END,
		scheduled_at = now(),
		errors = array_append(errors, jsonb_build_object('at', now(), 'attempt', attempt,
			'error', 'worker ' || $2 || ' died while running this job (its liveness lock was released); rescued', 'trace', '')),
		metadata = metadata || jsonb_build_object('river:rescue_count',
			coalesce(CASE WHEN jsonb_typeof(metadata -> 'river:rescue_count') = 'number'
				THEN (metadata ->> 'river:rescue_count')::int END, 0) + 1)
		WHERE kind = $1 AND state = 'running' AND attempted_by[array_length(attempted_by, 1)] = $2`, kind, holder)
	if err != nil {
		return 0, fmt.Errorf("dead workers: rescue %s's jobs: %w", holder, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("dead workers: %w", err)
	}
	return tag.RowsAffected(), nil
}
