package fleet

import (
	"context"
	"sync"
)

// DefaultConcurrency is the number of functions handled at once.
const DefaultConcurrency = 8

// ForEach calls fn for every item with at most n calls running at once (n <= 0
// means DefaultConcurrency) and returns one error per item (nil where fn
// succeeded), so one failing function never hides the others. Items not yet
// started when ctx ends get ctx's error.
func ForEach[T any](ctx context.Context, items []T, n int, fn func(ctx context.Context, i int, item T) error) []error {
	if n <= 0 {
		n = DefaultConcurrency
	}
	errs := make([]error, len(items))
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, item := range items {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			for j := i; j < len(items); j++ {
				errs[j] = ctx.Err()
			}
			wg.Wait()
			return errs
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = fn(ctx, i, item)
		}()
	}
	wg.Wait()
	return errs
}
