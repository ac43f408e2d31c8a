package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"time"
	"unicode/utf8"

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
	roots, err := watchableRoots(ctx, l, e.stderr)
	if err != nil {
		return err
	}
	out := json.NewEncoder(e.stdout)
	a := l.NewApplier()
	first := true
	for {
		client, err := tracker.Start(ctx, roots, tracker.Options{Stderr: os.Stderr})
		if err != nil {
			return watchStartError(err)
		}
		if first {
			out.Encode(map[string]string{"type": "ready"})
			first = false
		}
		newRoots, err := watchLoop(ctx, l, a, client, roots, out, e.stderr)
		client.Stop()
		if err != nil || newRoots == nil {
			return err
		}
		fmt.Fprintf(e.stderr, "hoard watch: library folders changed; restarting the tracker with %d roots\n", len(newRoots))
		roots = newRoots
	}
}

// watchLoop applies events until ctx ends (nil, nil), the helper fails (error) or the
// library's roots change (the new roots).
func watchLoop(ctx context.Context, l *library.Library, a *library.Applier, c *tracker.Client, roots []string, out *json.Encoder, stderr io.Writer) ([]string, error) {
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
			batch := []tracker.Event{ev}
		drain:
			for len(batch) < maxBatch {
				select {
				case ev, ok := <-events:
					if !ok {
						break drain
					}
					batch = append(batch, ev)
				default:
					break drain
				}
			}
			if err := applyBatch(ctx, a, batch, out, stderr); err != nil {
				return nil, err
			}
		case now := <-tick.C:
			changes, err := a.Flush(ctx, now)
			if err != nil {
				return nil, err
			}
			printChanges(out, changes)
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

func applyBatch(ctx context.Context, a *library.Applier, batch []tracker.Event, out *json.Encoder, stderr io.Writer) error {
	var fs []library.FSEvent
	for _, ev := range batch {
		switch ev.Type {
		case tracker.TypeRename:
			fs = append(fs, library.FSEvent{Rename: true, Old: ev.Old, New: ev.New, Exchange: ev.Exchange, What: library.KindOf(ev.DirKnown())})
		case tracker.TypeUnlink:
			fs = append(fs, library.FSEvent{Path: ev.Path})
		case tracker.TypeLost:
			out.Encode(map[string]any{"type": "lost", "count": ev.Count})
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

// printChanges writes one JSON line per change; paths that are not UTF-8 go as
// *_b64 fields, never mangled.
func printChanges(out *json.Encoder, changes []library.Change) {
	for _, c := range changes {
		m := map[string]any{"type": c.Kind}
		put := func(key, v string) {
			switch {
			case v == "":
			case utf8.ValidString(v):
				m[key] = v
			default:
				m[key+"_b64"] = base64.StdEncoding.EncodeToString([]byte(v))
			}
		}
		put("old", c.Old)
		put("new", c.New)
		put("path", c.Path)
		if c.Dir {
			m["dir"] = true
		}
		if c.Files > 0 {
			m["files"] = c.Files
		}
		out.Encode(m)
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
