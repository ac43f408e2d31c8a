package gui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"hoard/library"
	"hoard/library/thumbnail"
	"hoard/tracker"
	"hoard/tracker/roots"
)

// maxBatch bounds how many queued tracker events go into one transaction.
const maxBatch = 4096

// rootsPoll is how often the tracker looks whether the library's folders changed
// (an import from the CLI); an import from this window nudges it at once.
const rootsPoll = 2 * time.Second

// trackerConn is a running hoard-tracker: *tracker.Client, or a test's fake.
type trackerConn interface {
	Events() <-chan tracker.Event
	Err() error
	Stop() error
}

// liveTracker keeps the index in step with renames while the window is open: it runs
// hoard-tracker for the library's folders, applies its events, moves the cached
// thumbnails of renamed files and refreshes the grid. Its loop runs on its own
// goroutine; it reaches widgets only through b.do.
type liveTracker struct {
	b     *browser
	start func(ctx context.Context, roots []string) (trackerConn, error)
	retry chan struct{} // the status bar's Retry
	nudge chan struct{} // the library's folders may have changed

	mu        sync.Mutex
	scheduled bool      // a refresh is on its way
	last      time.Time // when the last refresh was asked for
	why       string
	happened  time.Time
}

// minRefreshGap spaces the grid refreshes a stream of renames causes: each refresh
// re-runs the query, and a new one cancels the one running.
const minRefreshGap = 40 * time.Millisecond

func newLiveTracker(b *browser) *liveTracker {
	return &liveTracker{
		b: b,
		start: func(ctx context.Context, roots []string) (trackerConn, error) {
			return tracker.Start(ctx, roots, tracker.Options{Stderr: os.Stderr})
		},
		retry: make(chan struct{}, 1),
		nudge: make(chan struct{}, 1),
	}
}

// poke sends on a one-slot channel without blocking.
func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// show sets the status bar's tracker state from the tracker's goroutine.
func (t *liveTracker) show(state trackerState, text, detail string) {
	t.b.do(func() { t.b.status.showTrackerState(state, text, detail) })
}

// run starts the helper, applies its events, restarts it when the library's folders
// change, and on failure waits for Retry. It returns when the window closes.
func (t *liveTracker) run() {
	ctx := t.b.ctx
	a := t.b.lib.NewApplier()
	restarted := false
	for ctx.Err() == nil {
		dirs, err := t.roots(ctx)
		if err != nil {
			t.show(trackerOff, "Not tracking: cannot read the library's folders", err.Error())
			t.wait(ctx, false)
			continue
		}
		if len(dirs) == 0 {
			t.show(trackerIdle, "Not tracking: no folders yet", "Renames are followed in the folders of the library; import some files first.")
			t.wait(ctx, true)
			continue
		}
		t.show(trackerStarting, "Starting the tracker…", "")
		started := time.Now()
		c, err := t.start(ctx, dirs)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			text, detail := trackerFailure(err)
			t.b.logf("tracker: %v", err)
			t.show(trackerOff, text, detail)
			t.wait(ctx, false)
			continue
		}
		t.b.logf("tracker: tracking %d folders (started in %d ms)", len(dirs), time.Since(started).Milliseconds())
		if restarted {
			// Renames made while the helper restarted were not seen.
			restarted = false
			t.b.reconciler.run("the tracker restarted for new folders")
		}
		t.show(trackerOn, "Tracking renames", fmt.Sprintf("Following renames in %s:\n%s", plural(len(dirs), "folder", "folders"), strings.Join(dirs, "\n")))
		changed, err := t.follow(ctx, a, c, dirs)
		c.Stop()
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			text, detail := trackerFailure(err)
			t.b.logf("tracker: %v", err)
			t.show(trackerOff, text, detail+"\n\nRenames made while not tracking are caught up by the check that runs when tracking starts again.")
			t.wait(ctx, false)
			t.b.reconciler.run("the tracker restarted")
		case changed:
			t.b.logf("tracker: the library's folders changed; restarting the tracker")
			restarted = true
		}
	}
}

// roots is the library's folders the helper will accept.
func (t *liveTracker) roots(ctx context.Context) ([]string, error) {
	all, err := t.b.lib.Roots(ctx)
	if err != nil {
		return nil, err
	}
	ok, refused := roots.Usable(all)
	for _, err := range refused {
		t.b.logf("tracker: not watching %v", err)
	}
	return ok, nil
}

// wait blocks until Retry is pressed (or, with onRootsChange, until the library's
// folders may have changed) or the window closes.
func (t *liveTracker) wait(ctx context.Context, onRootsChange bool) {
	var nudge chan struct{}
	var tick <-chan time.Time
	if onRootsChange {
		nudge = t.nudge
		tk := time.NewTicker(rootsPoll)
		defer tk.Stop()
		tick = tk.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.retry:
			return
		case <-nudge:
			return
		case <-tick:
			if dirs, err := t.roots(ctx); err == nil && len(dirs) > 0 {
				return
			}
		}
	}
}

// follow applies events until the window closes (false, nil), the helper fails (an
// error) or the library's folders change (true, nil).
func (t *liveTracker) follow(ctx context.Context, a *library.Applier, c trackerConn, dirs []string) (bool, error) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	lastRoots := time.Now()
	events := c.Events()
	for {
		select {
		case <-ctx.Done():
			return false, nil
		case ev, ok := <-events:
			if !ok {
				if err := c.Err(); err != nil {
					return false, err
				}
				return false, errors.New("hoard-tracker stopped unexpectedly")
			}
			batch := tracker.Drain(ev, events, maxBatch)
			if err := t.apply(ctx, a, batch); err != nil {
				return false, err
			}
			continue
		case now := <-tick.C:
			changes, err := a.Flush(ctx, now)
			if err != nil {
				return false, err
			}
			t.applied(ctx, changes, nil)
			if now.Sub(lastRoots) < rootsPoll {
				continue
			}
			lastRoots = now
		case <-t.nudge:
		}
		cur, err := t.roots(ctx)
		if err != nil {
			return false, err
		}
		if !slices.Equal(cur, dirs) {
			return true, nil
		}
	}
}

// fsEvents converts tracker events to the library's terms; lost counts dropped
// events. (cmd/hoard's watch does the same for the CLI.)
func fsEvents(batch []tracker.Event) (fs []library.FSEvent, lost uint64, err error) {
	for _, ev := range batch {
		switch ev.Type {
		case tracker.TypeRename:
			fs = append(fs, library.FSEvent{Rename: true, Old: ev.Old, New: ev.New, Exchange: ev.Exchange, What: library.KindOf(ev.DirKnown())})
		case tracker.TypeUnlink:
			fs = append(fs, library.FSEvent{Path: ev.Path})
		case tracker.TypeLost:
			lost += ev.Count
		case tracker.TypeError:
			err = fmt.Errorf("hoard-tracker: %s", ev.Msg)
		}
	}
	return fs, lost, err
}

func (t *liveTracker) apply(ctx context.Context, a *library.Applier, batch []tracker.Event) error {
	fs, lost, err := fsEvents(batch)
	if len(fs) > 0 {
		changes, aerr := a.Apply(ctx, fs)
		if aerr != nil {
			return aerr
		}
		t.applied(ctx, changes, batch)
	}
	if lost > 0 {
		t.b.logf("tracker: %d events lost; checking the library", lost)
		t.b.reconciler.run(fmt.Sprintf("the tracker lost %d events", lost))
	}
	return err
}

// applied moves the thumbnails of renamed files and refreshes the window when the
// index changed. batch, when known, dates the change for the latency log.
func (t *liveTracker) applied(ctx context.Context, changes []library.Change, batch []tracker.Event) {
	var moved []thumbnail.Rename
	real := 0
	for _, c := range changes {
		if c.Kind == "ignored" {
			continue
		}
		real++
		if c.Kind == "exchanged" && !c.Dir {
			// Each file's content, and so its thumbnail, is now at the other path.
			if err := t.b.thumbs.Swap(c.Old, c.New); err != nil {
				t.b.logf("tracker: swap thumbnails: %v", err)
			}
			continue
		}
		if c.Kind != "renamed" {
			continue
		}
		if !c.Dir {
			moved = append(moved, thumbnail.Rename{Old: c.Old, New: c.New})
			continue
		}
		moved = append(moved, t.renamedUnder(ctx, c.Old, c.New)...)
	}
	if real == 0 {
		return
	}
	if err := t.b.thumbs.MoveAll(moved); err != nil {
		t.b.logf("tracker: move thumbnails: %v", err)
	}
	why := fmt.Sprintf("%s (%s)", plural(real, "change", "changes"), changes[0].Kind)
	var at time.Time
	if len(batch) > 0 {
		at = boottimeToWall(batch[0].TS)
	}
	t.refreshSoon(why, at)
}

// refreshSoon refreshes the window now, or minRefreshGap after the last refresh when
// changes come fast; the changes of the gap share one refresh.
func (t *liveTracker) refreshSoon(why string, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.scheduled {
		return
	}
	t.scheduled, t.why, t.happened = true, why, at
	wait := max(0, minRefreshGap-time.Since(t.last))
	time.AfterFunc(wait, func() {
		t.mu.Lock()
		t.scheduled, t.last = false, time.Now()
		why, at := t.why, t.happened
		t.mu.Unlock()
		t.b.do(func() { t.b.refreshFor(why, at) })
	})
}

// renamedUnder lists the thumbnails to move for a folder renamed from old to new:
// every indexed file now under new, with its old path.
func (t *liveTracker) renamedUnder(ctx context.Context, old, new string) []thumbnail.Rename {
	ids, err := t.b.lib.FilesUnder(ctx, new)
	if err != nil || len(ids) == 0 {
		return nil
	}
	files, err := t.b.lib.FilesByIDs(ctx, ids)
	if err != nil {
		return nil
	}
	out := make([]thumbnail.Rename, 0, len(files))
	for _, f := range files {
		if rest, ok := strings.CutPrefix(f.Path, new); ok {
			out = append(out, thumbnail.Rename{Old: old + rest, New: f.Path})
		}
	}
	return out
}

// boottimeToWall converts a CLOCK_BOOTTIME stamp (the tracker's) to wall time.
func boottimeToWall(ns uint64) time.Time {
	var ts unix.Timespec
	if ns == 0 || unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts) != nil {
		return time.Time{}
	}
	ago := time.Duration(ts.Nano() - int64(ns))
	return time.Now().Add(-ago)
}

// trackerFailure turns a start or run error into the status bar's short text and a
// longer explanation that says what to do.
func trackerFailure(err error) (text, detail string) {
	switch {
	case errors.Is(err, tracker.ErrNotInstalled):
		return "Not tracking: the tracker is not installed",
			"hoard-tracker was not found. Install Hoard with `sudo make install` (it puts the helper in /usr/libexec and its polkit policy in place), then press Retry.\n\n" + err.Error()
	case errors.Is(err, tracker.ErrDismissed):
		return "Not tracking: authentication dismissed",
			"Following renames needs the administrator password once (the helper runs as root). To start without a password, join the hoard group: `sudo usermod -aG hoard $USER`, then log in again.\n\nPress Retry to be asked again."
	case errors.Is(err, tracker.ErrNotAuthorized):
		return "Not tracking: no polkit agent",
			"pkexec could not ask for the password: no polkit authentication agent is running (or the policy denies it). Desktops ship one; on a bare window manager install and start one, for example polkit-kde-agent-1, policykit-1-gnome, mate-polkit or lxpolkit. Or join the hoard group (`sudo usermod -aG hoard $USER`) to start the tracker without a password.\n\n" + err.Error()
	case errors.Is(err, tracker.ErrBPFRefused):
		return "Not tracking: the kernel refused eBPF",
			"The kernel refused the tracker's eBPF programs (a kernel without BPF ring buffers or syscall tracepoints, or a lockdown that forbids BPF). Renames made meanwhile are caught up by the library check at every start.\n\n" + err.Error()
	case errors.Is(err, tracker.ErrRootsRefused):
		return "Not tracking: a folder was refused",
			"hoard-tracker refused one of the library's folders.\n\n" + err.Error()
	}
	return "Not tracking: the tracker failed", err.Error()
}
