// Package queue runs fleet scan jobs past one machine: one River job per
// function version in the PostgreSQL database that also holds the
// inventory. `fleet scan --enqueue` inserts the jobs, `fnaudit worker`
// processes run them. A job is unique by its deployment digest while it is
// pending; a job whose worker was killed is rescued and run again by
// another as soon as its session lock is gone (liveness.go); a job's
// inventory rows and its completion commit in one transaction
// (completetx.go), and recording is idempotent (the inventory run key is the
// run id and the deployment), so a job run twice is stored once.
package queue

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/fnaudit/fnaudit/fleet"
)

// ScanArgs is one function version to scan in one run.
type ScanArgs struct {
	// Digest is the planned deployment digest ("" when the source gave none):
	// with Kind, what makes the job unique while pending.
	Digest   string         `json:"digest" river:"unique"`
	FnID     string         `json:"fn" river:"unique"`
	RunID    string         `json:"run"`
	At       time.Time      `json:"at"`
	Function fleet.Function `json:"function"`
}

// Kind names the job in River.
func (ScanArgs) Kind() string { return "fnaudit_fleet_scan" }

// InsertOpts: unique by function and digest while not finished.
func (ScanArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
}

// Open connects to the PostgreSQL database at dsn and runs River's
// migrations there (the same database as the inventory).
func Open(ctx context.Context, dsn string) (*pgxpool.Pool, error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("queue: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		pool.Close()
		return nil, fmt.Errorf("queue: migrate: %w", err)
	}
	return pool, nil
}

// Enqueue inserts one job per function; a job already pending for the same
// function and digest is not inserted twice. It returns how many were new.
func Enqueue(ctx context.Context, pool *pgxpool.Pool, runID string, at time.Time, fns []fleet.Function) (int, error) {
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	if err != nil {
		return 0, fmt.Errorf("queue: %w", err)
	}
	params := make([]river.InsertManyParams, 0, len(fns))
	for _, fn := range fns {
		d, _, err := fleet.PlannedDigest(fn)
		if err != nil {
			return 0, err
		}
		params = append(params, river.InsertManyParams{Args: ScanArgs{Digest: d, FnID: fn.ID(), RunID: runID, At: at, Function: fn}})
	}
	res, err := client.InsertMany(ctx, params)
	if err != nil {
		return 0, fmt.Errorf("queue: insert: %w", err)
	}
	n := 0
	for _, r := range res {
		if !r.UniqueSkippedAsDuplicate {
			n++
		}
	}
	return n, nil
}

// WorkerConfig configures a worker process.
type WorkerConfig struct {
	Concurrency int
	// ID names the worker in River's attempted_by and its liveness lock
	// ("": River's default, unique per process).
	ID string
	// JobTimeout bounds one job; RescueAfter is when River's rescuer hands a
	// job still running to another worker (a worker alive but stuck). Zero:
	// 10 and 15 minutes. A dead worker's jobs are rescued sooner, through
	// its liveness lock (liveness.go), every DeadWorkerCheck (zero:
	// DefaultDeadWorkerCheck).
	JobTimeout      time.Duration
	RescueAfter     time.Duration
	DeadWorkerCheck time.Duration
	// FetchPollInterval is how often an idle worker looks for new jobs
	// (zero: 1 s; River's LISTEN/NOTIFY usually wakes it sooner).
	FetchPollInterval time.Duration
	// Planner returns the planner a job runs with (its run id and clock).
	Planner func(runID string, at time.Time) *fleet.Planner
}

type scanWorker struct {
	river.WorkerDefaults[ScanArgs]
	cfg WorkerConfig
}

func (w *scanWorker) Work(ctx context.Context, job *river.Job[ScanArgs]) error {
	p := w.cfg.Planner(job.Args.RunID, job.Args.At)
	p.InRecordTx = func(ctx context.Context, driverConn any) error { return completeInTx(ctx, driverConn, job) }
	o := p.ScanFunction(ctx, job.Args.Function)
	if o.Err == nil {
		return nil
	}
	var mismatch *fleet.DigestMismatchError
	if errors.As(o.Err, &mismatch) {
		return river.JobCancel(o.Err) // the bytes are not what was deployed: retrying cannot help
	}
	return o.Err
}

// Work runs jobs until ctx ends.
func Work(ctx context.Context, pool *pgxpool.Pool, cfg WorkerConfig) error {
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &scanWorker{cfg: cfg}); err != nil {
		return err
	}
	timeout := cfg.JobTimeout
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	rescue := cfg.RescueAfter
	if rescue <= timeout {
		rescue = timeout + 5*time.Minute
	}
	check := cmp.Or(cfg.DeadWorkerCheck, DefaultDeadWorkerCheck)
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: max(cfg.Concurrency, 1)}},
		Workers:              workers,
		JobTimeout:           timeout,
		RescueStuckJobsAfter: rescue,
		FetchPollInterval:    cmp.Or(cfg.FetchPollInterval, time.Second),
		ID:                   cfg.ID,
	})
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	lctx, stopLiveness := context.WithCancel(context.WithoutCancel(ctx))
	lost, release, err := holdLiveness(lctx, pool, client.ID(), check)
	if err != nil {
		stopLiveness()
		return err
	}
	defer func() { stopLiveness(); release() }()
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	go reapLoop(lctx, pool, client.ID(), check)
	var lostErr error
	select {
	case <-ctx.Done():
	case <-lost:
		lostErr = errors.New("worker: the liveness connection to PostgreSQL was lost; stopped (its jobs go to other workers)")
	}
	stop, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return errors.Join(client.Stop(stop), lostErr)
}

// reapLoop rescues dead workers' jobs every interval until ctx ends.
func reapLoop(ctx context.Context, pool *pgxpool.Pool, self string, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := rescueDeadWorkers(ctx, pool, self, ScanArgs{}.Kind())
		switch {
		case err != nil && ctx.Err() == nil:
			slog.Warn("worker: looking for dead workers' jobs", "error", err)
		case n > 0:
			slog.Info("worker: rescued the running jobs of a dead worker", "jobs", n)
		}
	}
}

// Counts are the jobs by state, for `fleet status`.
type Counts struct {
	Pending, Running, Failed, Done int
}

// Status counts the fleet scan jobs: pending (available, scheduled,
// retryable, pending), running, failed (discarded, cancelled) and done.
func Status(ctx context.Context, pool *pgxpool.Pool) (Counts, error) {
	rows, err := pool.Query(ctx, `SELECT state::text, count(*) FROM river_job WHERE kind = $1 GROUP BY state`, ScanArgs{}.Kind())
	if err != nil {
		return Counts{}, fmt.Errorf("queue status: %w", err)
	}
	defer rows.Close()
	var c Counts
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return Counts{}, err
		}
		switch rivertype.JobState(state) {
		case rivertype.JobStateRunning:
			c.Running += n
		case rivertype.JobStateCompleted:
			c.Done += n
		case rivertype.JobStateDiscarded, rivertype.JobStateCancelled:
			c.Failed += n
		default:
			c.Pending += n
		}
	}
	return c, rows.Err()
}
