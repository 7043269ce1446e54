package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/fnaudit/fnaudit/feeds"
	"github.com/fnaudit/fnaudit/fleet"
	"github.com/fnaudit/fnaudit/fleet/queue"
	"github.com/fnaudit/fnaudit/inventory"
)

func init() { register(newWorkerCmd) }

func requirePostgres(dsn, what string) error {
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return fmt.Errorf("%s needs --inventory postgres://… (the job queue lives in the inventory's PostgreSQL database)", what)
	}
	return nil
}

func newWorkerCmd(g *globalOptions) *cobra.Command {
	var dsn, policyPath, workerID string
	var concurrency int
	var jobTimeout, rescueAfter, deadCheck, poll time.Duration
	cmd := &cobra.Command{
		Use:   "worker --inventory postgres://…",
		Short: "Run fleet scan jobs queued with `fleet scan --enqueue`",
		Long: `worker takes fleet scan jobs from the River queue kept in the inventory's
PostgreSQL database and runs them (download, scan or re-match, record) until
interrupted. A function's inventory rows and its job's completion commit in
one transaction.

A worker holds a PostgreSQL session lock while it runs. When a worker dies
(killed, crashed, host lost) its connection ends and the lock with it; the
other workers notice within --dead-worker-check and run its jobs again at
once. A worker that is alive but stuck is cancelled at --job-timeout, and
its job is handed to another worker by River after --rescue-after.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requirePostgres(dsn, "worker"); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			pol, _, err := loadPolicy(g, &scanFlags{policy: policyPath})
			if err != nil {
				return err
			}
			store, err := inventory.Open(ctx, dsn)
			if err != nil {
				return err
			}
			defer store.Close()
			pool, err := queue.Open(ctx, dsn)
			if err != nil {
				return err
			}
			defer pool.Close()
			engine, err := openFleetEngine(ctx, g, feeds.DefaultMaxAge, false)
			if err != nil {
				return err
			}
			defer engine.Close()
			layerDir, err := os.MkdirTemp(g.tempRoot, "fnaudit-worker-layers-*")
			if err != nil {
				return err
			}
			defer os.RemoveAll(layerDir)
			// One Fetcher for the worker's life: a layer is fetched once per worker.
			fetcher := &fleet.Fetcher{LayerDir: layerDir}
			infof(g, "fnaudit worker: waiting for jobs (concurrency %d)", concurrency)
			return queue.Work(ctx, pool, queue.WorkerConfig{Concurrency: concurrency, ID: workerID, JobTimeout: jobTimeout, RescueAfter: rescueAfter,
				DeadWorkerCheck: deadCheck, FetchPollInterval: poll,
				Planner: func(runID string, at time.Time) *fleet.Planner {
					return &fleet.Planner{Engine: engine, Store: store, Policy: pol, Fetcher: fetcher, WorkDir: g.tempRoot, RunID: runID, Now: at}
				}})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&dsn, "inventory", "", "the inventory's PostgreSQL database (postgres://…), which holds the queue")
	fl.StringVar(&policyPath, "policy", "", "policy file (default: .fnaudit.yaml in the working directory, if present)")
	fl.IntVar(&concurrency, "concurrency", fleet.DefaultConcurrency, "jobs run at once")
	fl.DurationVar(&jobTimeout, "job-timeout", 10*time.Minute, "longest a job may run")
	fl.DurationVar(&rescueAfter, "rescue-after", 15*time.Minute, "a job running longer (its worker died) is given to another worker; must exceed --job-timeout")
	fl.DurationVar(&deadCheck, "dead-worker-check", queue.DefaultDeadWorkerCheck, "how often to look for jobs of dead workers (their PostgreSQL session ended) and run them again")
	fl.DurationVar(&poll, "poll-interval", time.Second, "how often an idle worker polls for new jobs (besides PostgreSQL notifications)")
	fl.StringVar(&workerID, "worker-id", "", "this worker's name in the queue's attempted_by and its session lock; unique among running workers (default: River's, unique per process)")
	return cmd
}

func newFleetStatusCmd(g *globalOptions) *cobra.Command {
	var dsn string
	cmd := &cobra.Command{
		Use:   "status --inventory postgres://…",
		Short: "Count the queued fleet scan jobs: pending, running, failed, done",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requirePostgres(dsn, "fleet status"); err != nil {
				return err
			}
			pool, err := queue.Open(cmd.Context(), dsn)
			if err != nil {
				return err
			}
			defer pool.Close()
			c, err := queue.Status(cmd.Context(), pool)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "pending %d\nrunning %d\nfailed %d\ndone %d\n", c.Pending, c.Running, c.Failed, c.Done)
			return nil
		},
	}
	cmd.Flags().StringVar(&dsn, "inventory", "", "the inventory's PostgreSQL database (postgres://…)")
	return cmd
}

// enqueueFleet lists the fleet and queues one job per function version.
func enqueueFleet(ctx context.Context, g *globalOptions, f *fleetFlags, src fleet.Source) error {
	if err := requirePostgres(f.inventory, "fleet scan --enqueue"); err != nil {
		return err
	}
	if f.source == "aws" {
		return fmt.Errorf("fleet scan --enqueue: the worker cannot refresh AWS code locations yet; use --manifest, or scan in-process")
	}
	pool, err := queue.Open(ctx, f.inventory)
	if err != nil {
		return err
	}
	defer pool.Close()
	fns, listErr := src.List(ctx)
	now := time.Now()
	n, err := queue.Enqueue(ctx, pool, fleet.NewRunID(now), now, fns)
	if err != nil {
		return err
	}
	infof(g, "fnaudit fleet: %d function(s) listed, %d job(s) queued (%d already pending)", len(fns), n, len(fns)-n)
	if listErr != nil {
		return fmt.Errorf("fleet scan: listing failed (what was listed is queued): %w", listErr)
	}
	return nil
}
