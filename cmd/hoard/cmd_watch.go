package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"time"

	"hoard/library"
	"hoard/tracker"
	"hoard/tracker/roots"
)

func init() {
	register(&command{
		name:    "watch",
		args:    "",
		summary: "run the rename tracker and apply its events to the index until interrupted",
		run:     runWatch,
	})
}

// maxBatch bounds how many queued events go into one transaction.
const maxBatch = 4096

func runWatch(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usagef("watch takes no arguments")
	}
	l, err := e.library(ctx)
	if err != nil {
		return err
	}
	// Tens of thousands of small events a second make garbage fast while the live
	// heap stays a few MB: collecting less often saves CPU for the queries.
	debug.SetGCPercent(400)
	// The watcher is a pipeline of one reader (the helper's lines) and one writer
	// (SQLite, in cgo calls that give up the processor). With one processor the
	// hand-offs between them wake no other thread and no thread spins looking for
	// work: at 20,000 renames/s it used 51% of a core instead of 58%, and queries
	// running beside it were 10–20% faster.
	runtime.GOMAXPROCS(1)
	roots, err := watchableRoots(ctx, l, e.stderr)
	if err != nil {
		return err
	}
	// Lines are buffered and flushed after each batch: at tens of thousands of
	// changes a second a write per line would cost more than applying them.
	buf := bufio.NewWriterSize(e.stdout, 64<<10)
	defer buf.Flush()
	out := &changeWriter{w: buf, enc: json.NewEncoder(buf)}
	a := l.NewApplier()
	first := true
	var stopped time.Time // when the previous helper was stopped, on a restart
	for {
		client, err := tracker.Start(ctx, roots, tracker.Options{Stderr: os.Stderr})
		if err != nil {
			return watchStartError(err)
		}
		if first {
			out.line(changeLine{Type: "ready"})
			out.flush()
			first = false
		} else {
			// Between the two helpers nothing was watched: say so, as for lost
			// events, so that the user (or a program reading the lines) catches up.
			gap := time.Since(stopped)
			out.line(changeLine{Type: "gap", Ms: gap.Milliseconds()})
			out.flush()
			fmt.Fprintf(e.stderr, "hoard watch: renames in the %d ms the tracker took to restart were not seen; run `hoard check --repair` if files were renamed meanwhile\n", gap.Milliseconds())
		}
		newRoots, err := watchLoop(ctx, l, a, client, roots, out, e.stderr)
		client.Stop()
		stopped = time.Now()
		if err != nil || newRoots == nil {
			return err
		}
		fmt.Fprintf(e.stderr, "hoard watch: library folders changed; restarting the tracker with %d roots\n", len(newRoots))
		roots = newRoots
	}
}

// watchLoop applies events until ctx ends (nil, nil), the helper fails (error) or the
// library's roots change (the new roots).
func watchLoop(ctx context.Context, l *library.Library, a *library.Applier, c *tracker.Client, roots []string, out *changeWriter, stderr io.Writer) ([]string, error) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	lastRootsCheck := time.Now()
	events := c.Events()
	for {
		select {
		case <-ctx.Done():
			return nil, nil
		case ev, ok := <-events:
			if !ok {
				if err := c.Err(); err != nil {
					return nil, fmt.Errorf("the tracker stopped: %w", err)
				}
				return nil, fmt.Errorf("the tracker stopped unexpectedly; run `hoard check --repair`, then `hoard watch` again")
			}
			batch := tracker.Drain(ev, events, maxBatch)
			if err := applyBatch(ctx, a, batch, out, stderr); err != nil {
				return nil, err
			}
			out.flush()
		case now := <-tick.C:
			changes, err := a.Flush(ctx, now)
			if err != nil {
				return nil, err
			}
			printChanges(out, changes)
			out.flush()
			if now.Sub(lastRootsCheck) > 2*time.Second {
				lastRootsCheck = now
				cur, err := watchableRoots(ctx, l, io.Discard)
				if err != nil {
					return nil, err
				}
				if !slices.Equal(cur, roots) {
					return cur, nil
				}
			}
		}
	}
}

func applyBatch(ctx context.Context, a *library.Applier, batch []tracker.Event, out *changeWriter, stderr io.Writer) error {
	var fs []library.FSEvent
	for _, ev := range batch {
		switch ev.Type {
		case tracker.TypeRename:
			fs = append(fs, library.FSEvent{Rename: true, Old: ev.Old, New: ev.New, Exchange: ev.Exchange, What: library.KindOf(ev.DirKnown())})
		case tracker.TypeUnlink:
			fs = append(fs, library.FSEvent{Path: ev.Path})
		case tracker.TypeLost:
			out.line(changeLine{Type: "lost", Count: ev.Count})
			fmt.Fprintf(stderr, "hoard watch: the tracker lost %d events; run `hoard check --repair` to catch up\n", ev.Count)
		case tracker.TypeError:
			return fmt.Errorf("tracker: %s", ev.Msg)
		}
	}
	if len(fs) == 0 {
		return nil
	}
	changes, err := a.Apply(ctx, fs)
	if err != nil {
		return err
	}
	printChanges(out, changes)
	return nil
}

// changeLine is one JSON line of `hoard watch`.
type changeLine struct {
	Type    string `json:"type"`
	Old     string `json:"old,omitempty"`
	OldB64  string `json:"old_b64,omitempty"`
	New     string `json:"new,omitempty"`
	NewB64  string `json:"new_b64,omitempty"`
	Path    string `json:"path,omitempty"`
	PathB64 string `json:"path_b64,omitempty"`
	Dir     bool   `json:"dir,omitempty"`
	Files   int    `json:"files,omitempty"`
	Count   uint64 `json:"count,omitempty"`
	Ms      int64  `json:"ms,omitempty"` // gap: how long nothing was watched
}

// changeWriter writes change lines to a buffer the loop flushes after each batch.
type changeWriter struct {
	w   *bufio.Writer
	enc *json.Encoder
}

func (c *changeWriter) line(l changeLine) { c.enc.Encode(l) }
func (c *changeWriter) flush()            { c.w.Flush() }

// printChanges writes one JSON line per change; paths that are not UTF-8 go as
// *_b64 fields (base64 of the raw bytes), never mangled.
func printChanges(out *changeWriter, changes []library.Change) {
	for _, c := range changes {
		l := changeLine{Type: c.Kind, Dir: c.Dir, Files: c.Files}
		l.Old, l.OldB64 = jsonPath(c.Old)
		l.New, l.NewB64 = jsonPath(c.New)
		l.Path, l.PathB64 = jsonPath(c.Path)
		out.line(l)
	}
}

// watchableRoots is the library's roots less those the helper would refuse (each
// named on stderr); an empty result is an error.
func watchableRoots(ctx context.Context, l *library.Library, stderr io.Writer) ([]string, error) {
	all, err := l.Roots(ctx)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("nothing to watch: the library has no folders yet (add some with `hoard include`)")
	}
	ok, refused := roots.Usable(all)
	for _, err := range refused {
		fmt.Fprintf(stderr, "hoard watch: not watching %v\n", err)
	}
	if len(ok) == 0 {
		return nil, fmt.Errorf("none of the library's %d folders can be watched (see above); `hoard check` still catches up with changes", len(all))
	}
	return ok, nil
}

func watchStartError(err error) error {
	return fmt.Errorf("cannot start the tracker: %w", err)
}
