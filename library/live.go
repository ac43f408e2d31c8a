package library

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"time"
)

// FSEvent is a change a tracker saw on disk, in library terms (the caller converts the
// tracker's protocol events, so this package never depends on the tracker).
type FSEvent struct {
	Rename   bool   // a rename (else an unlink)
	Old, New string // rename
	Path     string // unlink
	Exchange bool   // RENAME_EXCHANGE: Old and New swapped
	What     PathKind
}

// PathKind is what a renamed path was, when the tracker could tell. Knowing spares the
// index the look-ups that do not apply (a file has no entries below it; a folder has
// no entry of its own), which matters at tens of thousands of renames a second.
type PathKind int

// Path kinds.
const (
	KindUnknown PathKind = iota
	KindFile
	KindDir
)

// Applier applies a stream of tracker events to the library: many events in one
// transaction when they come fast, and a second look at unlinked paths a moment later
// (editors that save by unlink + create).
type Applier struct {
	l     *Library
	Delay time.Duration // how long after an unlink its path is looked at again

	mu      sync.Mutex
	recheck map[string]time.Time
}

// NewApplier makes an Applier with a 300 ms recheck delay.
func (l *Library) NewApplier() *Applier {
	return &Applier{l: l, Delay: 300 * time.Millisecond, recheck: map[string]time.Time{}}
}

// Apply applies events in one transaction and returns what changed in the index.
func (a *Applier) Apply(ctx context.Context, events []FSEvent) ([]Change, error) {
	var changes []Change
	var saved []string
	// A batch is milliseconds of work and is not interrupted halfway: with a context
	// that cannot be cancelled, the driver does not start a goroutine per statement
	// to watch it, which at tens of thousands of renames a second cost more than
	// the statements.
	ctx = context.WithoutCancel(ctx)
	err := a.l.write(ctx, func(tx *sql.Tx) error {
		changes, saved = nil, nil
		for _, ev := range events {
			var c []Change
			var err error
			switch {
			case ev.Rename && ev.Exchange:
				c, err = exchangePaths(ctx, tx, filepath.Clean(ev.Old), filepath.Clean(ev.New))
			case ev.Rename:
				var rehash []string
				old, new := filepath.Clean(ev.Old), filepath.Clean(ev.New)
				if old == new {
					continue
				}
				c, rehash, err = renamePath(ctx, tx, old, new, ev.What)
				saved = append(saved, rehash...)
			default:
				c, err = unlinkPath(ctx, tx, filepath.Clean(ev.Path))
			}
			if err != nil {
				return err
			}
			changes = append(changes, c...)
		}
		if len(changes) == 0 {
			return nil
		}
		return bumpGeneration(ctx, tx)
	})
	if err != nil {
		return nil, fmt.Errorf("apply %d tracker events: %w", len(events), err)
	}
	now := time.Now()
	a.mu.Lock()
	for _, ev := range events {
		if !ev.Rename {
			a.recheck[filepath.Clean(ev.Path)] = now.Add(a.Delay)
		}
	}
	a.mu.Unlock()
	// Atomic saves: the entry now holds new content; read it now.
	for _, p := range saved {
		c, err := a.l.Recheck(ctx, p)
		if err != nil {
			return changes, err
		}
		changes = append(changes, c...)
	}
	return changes, nil
}

// Pending reports whether rechecks are waiting.
func (a *Applier) Pending() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.recheck) > 0
}

// Flush runs the rechecks that are due: a file back at an unlinked path is present
// again (re-hashed, tags kept).
func (a *Applier) Flush(ctx context.Context, now time.Time) ([]Change, error) {
	a.mu.Lock()
	var due []string
	for p, t := range a.recheck {
		if !now.Before(t) {
			due = append(due, p)
			delete(a.recheck, p)
		}
	}
	a.mu.Unlock()
	var changes []Change
	for _, p := range due {
		c, err := a.l.Recheck(ctx, p)
		if err != nil {
			return changes, err
		}
		changes = append(changes, c...)
	}
	return changes, nil
}

// KindOf is the PathKind of a tracker's dir flag: KindUnknown when it could not tell.
func KindOf(dir, known bool) PathKind {
	switch {
	case !known:
		return KindUnknown
	case dir:
		return KindDir
	}
	return KindFile
}
