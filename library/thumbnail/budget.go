package thumbnail

import (
	"context"
	"fmt"
	"runtime"

	"golang.org/x/sync/semaphore"
)

// memBudget bounds the bytes all decoders may hold at once, whatever the
// number of workers: a decode that would need more than the whole budget is
// refused, one that needs more than what is free waits.
type memBudget struct {
	sem   *semaphore.Weighted
	total int64
}

func newMemBudget(total int64) *memBudget {
	return &memBudget{sem: semaphore.NewWeighted(total), total: total}
}

// acquire reserves n bytes; the returned func gives them back.
func (b *memBudget) acquire(ctx context.Context, n int64, what string) (func(), error) {
	n = max(n, 1)
	if n > b.total {
		return nil, fmt.Errorf("%s needs %d MiB, budget is %d MiB: %w", what, n>>20, b.total>>20, ErrTooLarge)
	}
	if err := b.sem.Acquire(ctx, n); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return func() {
		b.sem.Release(n)
		if n >= b.total/4 {
			// A full decode of a big picture just became garbage. Collect it
			// now: left to the pacer, the heap may grow to twice its live size
			// before the next cycle, past the budget's intent.
			runtime.GC()
		}
	}, nil
}
