package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/fnaudit/fnaudit/inventory"
	"github.com/fnaudit/fnaudit/report"
)

// inventoryEnv names the inventory when --inventory is not given.
const inventoryEnv = "FNAUDIT_INVENTORY"

// addInventoryFlag registers --inventory on a command that uses the store.
func addInventoryFlag(fl *pflag.FlagSet, dsn *string) {
	fl.StringVar(dsn, "inventory", "", "inventory: a SQLite file or a postgres:// URL (default: $"+inventoryEnv+", else the user data directory)")
}

// openInventory opens --inventory (which $FNAUDIT_INVENTORY sets, see
// envFlags), else the default file.
func openInventory(ctx context.Context, dsn string) (*inventory.Store, error) {
	if dsn == "" {
		var err error
		if dsn, err = inventory.DefaultPath(); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(dsn), 0o755); err != nil {
			return nil, fmt.Errorf("inventory: %w", err)
		}
	}
	return inventory.Open(ctx, dsn)
}

// recordFlags are scan's --record, --name and --inventory. The scan hands
// its finished report to keep; around stores the run whatever its outcome.
type recordFlags struct {
	on   bool
	name string
	dsn  string

	rep *report.Report // the scan's report, once it has one
	gen string         // the advisory database generation it matched against
}

func (r *recordFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&r.on, "record", false, "store this gate run (pass, fail or undecided) in the inventory")
	fl.StringVar(&r.name, "name", "", "function name to record the run under (default: the target's absolute path)")
	addInventoryFlag(fl, &r.dsn)
}

// keep is called by the scan with its report and database generation.
func (r *recordFlags) keep(rep *report.Report, generation string) { r.rep, r.gen = rep, generation }

// around runs scan and, with --record, records its outcome. The inventory
// is opened first, so a bad --inventory stops the run before anything is
// scanned. A run that ends in an error is recorded as undecided with the
// error, never as a pass; a failure to record is an error (exit 2).
func (r *recordFlags) around(ctx context.Context, target string, scan func() error) error {
	if !r.on {
		return scan()
	}
	store, err := openInventory(ctx, r.dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	id := inventory.Identity{Function: inventory.Function{FunctionRef: inventory.FunctionRef{
		Source: "local", Name: r.functionName(target)}}, At: time.Now().UTC()}
	scanErr := scan()
	var rec inventory.ScanRecord
	var gate *gateFailure
	switch {
	case r.rep == nil:
		if scanErr == nil {
			scanErr = errors.New("the scan returned no report")
		}
		rec = inventory.Undecided(id, target, scanErr)
	default:
		rec = inventory.FromReport(r.rep, id, r.gen)
		if scanErr != nil && !errors.As(scanErr, &gate) {
			rec.Run.Result, rec.Run.Decision, rec.Run.Error = inventory.ResultUndecided, "undecided", scanErr.Error()
		}
	}
	// A cancelled scan is still recorded (as undecided).
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if _, err := store.RecordScan(rctx, rec); err != nil {
		if scanErr != nil && gate == nil {
			return fmt.Errorf("%v (and the run could not be recorded: %v)", scanErr, err)
		}
		return err
	}
	return scanErr
}

// functionName is --name, else the target's absolute path when it is a
// file or directory, else the target as given (an image reference).
func (r *recordFlags) functionName(target string) string {
	if r.name != "" {
		return r.name
	}
	if _, err := os.Stat(target); err == nil {
		if abs, err := filepath.Abs(target); err == nil {
			return abs
		}
	}
	return target
}
