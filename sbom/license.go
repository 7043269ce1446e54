package sbom

import (
	"context"
	"sync"
	"time"

	"github.com/anchore/syft/syft"
	"github.com/anchore/syft/syft/cataloging"
)

// Building syft's license scanner (google/licensecheck compiling every
// license text into one automaton) costs about half a second, the same on
// every cataloging run. It is built once per process, in the background
// from the moment Preload is called, and shared by every Generate.
var licenses struct {
	once sync.Once
	done chan struct{}
	ctx  context.Context // carries the scanner as a context value
	err  error
}

// Preload starts building the license scanner so it overlaps with opening
// the artifact. Calling it is optional; Generate waits for it either way.
func Preload() {
	licenses.once.Do(func() {
		licenses.done = make(chan struct{})
		go func() {
			defer close(licenses.done)
			licenses.ctx, licenses.err = syft.SetContextLicenseScanner(context.Background(), cataloging.DefaultLicenseConfig())
		}()
	})
}

// withLicenseScanner returns ctx carrying the shared license scanner.
func withLicenseScanner(ctx context.Context) (context.Context, error) {
	Preload()
	select {
	case <-licenses.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if licenses.err != nil {
		return nil, licenses.err
	}
	return valuesFrom{Context: ctx, values: licenses.ctx}, nil
}

// valuesFrom is ctx (deadline, cancellation, its own values) that also
// answers values from another context.
type valuesFrom struct {
	context.Context
	values context.Context
}

func (v valuesFrom) Value(key any) any {
	if val := v.Context.Value(key); val != nil {
		return val
	}
	return v.values.Value(key)
}

func (v valuesFrom) Deadline() (time.Time, bool) { return v.Context.Deadline() }
