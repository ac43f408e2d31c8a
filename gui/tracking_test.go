package gui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"hoard/library"
	"hoard/library/thumbnail"
	"hoard/tracker"
)

// fakeConn is a hoard-tracker the test feeds with events.
type fakeConn struct {
	events chan tracker.Event
	err    error
}

func (c *fakeConn) Events() <-chan tracker.Event { return c.events }
func (c *fakeConn) Err() error                   { return c.err }
func (c *fakeConn) Stop() error                  { return nil }

// trackWith starts the browser's tracking with start in place of the real helper.
func (h *harness) trackWith(start func(ctx context.Context, roots []string) (trackerConn, error)) {
	h.b.tracker = newLiveTracker(h.b)
	h.b.tracker.start = start
	go h.b.tracker.run()
}

func TestTrackerAppliesRenames(t *testing.T) {
	h := newHarness(t, []testFile{{name: "a.png", tags: []string{"cat"}}, {name: "b.png"}})
	conn := &fakeConn{events: make(chan tracker.Event, 16)}
	gotRoots := make(chan []string, 1)
	h.trackWith(func(_ context.Context, roots []string) (trackerConn, error) {
		gotRoots <- roots
		return conn, nil
	})
	h.waitFor("tracking", func() bool { return h.b.status.tracker.Text == "Tracking renames" })
	if r := <-gotRoots; len(r) != 1 || r[0] != h.dir {
		t.Errorf("roots sent to the tracker: %q, want [%s]", r, h.dir)
	}
	old := h.paths["a.png"]
	renamed := filepath.Join(h.dir, "renamed.png")
	if err := os.Rename(old, renamed); err != nil {
		t.Fatal(err)
	}
	conn.events <- tracker.Event{Type: tracker.TypeRename, Old: old, New: renamed}
	h.waitFor("the grid to show the new name", func() bool {
		for i := range h.b.results.count {
			if f, ok := h.b.results.file(i); ok && f.Path == renamed {
				return true
			}
		}
		return false
	})
	if n := h.count("cat"); n != 1 {
		t.Errorf("cat matches %d files after the rename, want 1 (tags follow the file)", n)
	}
}

func TestTrackerFailureStates(t *testing.T) {
	cases := []struct {
		name string
		err  error
		text string
		why  string
	}{
		{"not installed", fmt.Errorf("x: %w", tracker.ErrNotInstalled), "not installed", "make install"},
		{"dismissed", fmt.Errorf("x: %w", tracker.ErrDismissed), "dismissed", "Retry"},
		{"no agent", fmt.Errorf("x: %w", tracker.ErrNotAuthorized), "no polkit agent", "lxpolkit"},
		{"bpf", fmt.Errorf("x: %w", tracker.ErrBPFRefused), "refused eBPF", "kernel"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, []testFile{{name: "a.png"}})
			starts := make(chan struct{}, 4)
			fail := true
			conn := &fakeConn{events: make(chan tracker.Event)}
			h.trackWith(func(context.Context, []string) (trackerConn, error) {
				starts <- struct{}{}
				if fail {
					return nil, tc.err
				}
				return conn, nil
			})
			st := h.b.status
			h.waitFor("the failure", func() bool { return st.trackerState == trackerOff })
			<-starts
			if !strings.Contains(st.tracker.Text, tc.text) || !strings.Contains(st.trackerDetail, tc.why) {
				t.Errorf("status %q / %q, want %q and %q in them", st.tracker.Text, st.trackerDetail, tc.text, tc.why)
			}
			if !st.retry.Visible() || !st.why.Visible() {
				t.Fatal("no Retry or explanation shown")
			}
			fail = false // read by the tracker's goroutine only after Retry below
			st.retry.OnTapped()
			h.waitFor("tracking after Retry", func() bool { return st.trackerState == trackerOn })
			if st.retry.Visible() {
				t.Error("Retry still shown while tracking")
			}
		})
	}
}

func TestTrackerLostRunsCheck(t *testing.T) {
	h := newHarness(t, []testFile{{name: "a.png"}, {name: "b.png"}})
	conn := &fakeConn{events: make(chan tracker.Event, 4)}
	h.trackWith(func(context.Context, []string) (trackerConn, error) { return conn, nil })
	h.waitFor("tracking", func() bool { return h.b.status.trackerState == trackerOn })
	// A rename the tracker did not see, then the lost event.
	moved := filepath.Join(h.dir, "moved.png")
	if err := os.Rename(h.paths["b.png"], moved); err != nil {
		t.Fatal(err)
	}
	conn.events <- tracker.Event{Type: tracker.TypeLost, Count: 1}
	h.waitFor("the check's result", func() bool { return strings.Contains(h.b.status.check.Text, "1 relinked") })
	if n := h.count(`path:` + moved); n != 1 {
		t.Errorf("the check did not relink the moved file (%d entries at %s)", n, moved)
	}
}

func TestCheckAtStart(t *testing.T) {
	h := newHarness(t, []testFile{{name: "a.png"}, {name: "b.png"}})
	if err := os.Remove(h.paths["a.png"]); err != nil {
		t.Fatal(err)
	}
	h.b.reconciler.run("start")
	h.waitFor("the check's result", func() bool { return strings.Contains(h.b.status.check.Text, "1 missing") })
	h.b.status.check.OnTapped()
	if n := h.count("missing"); n != 1 {
		t.Errorf("%d entries marked missing, want 1", n)
	}
}

// TestTrackerMovesThumbnails: a renamed file's and a renamed folder's cached
// thumbnails move with them, so the grid does not make them again.
func TestTrackerMovesThumbnails(t *testing.T) {
	h := newHarness(t, []testFile{{name: "a.png"}})
	sub := h.newFolder("album", 2)
	if _, err := h.lib.Include(context.Background(), []string{sub}, library.IncludeOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	inAlbum := filepath.Join(sub, "img00001.png")
	for _, p := range []string{h.paths["a.png"], inAlbum} {
		if _, err := h.b.thumbs.Generate(context.Background(), p, thumbnail.Normal); err != nil {
			t.Fatal(err)
		}
	}
	conn := &fakeConn{events: make(chan tracker.Event, 4)}
	h.trackWith(func(context.Context, []string) (trackerConn, error) { return conn, nil })
	h.waitFor("tracking", func() bool { return h.b.status.trackerState == trackerOn })

	renamed := filepath.Join(h.dir, "b.png")
	album2 := filepath.Join(h.dir, "album2")
	for _, mv := range [][2]string{{h.paths["a.png"], renamed}, {sub, album2}} {
		if err := os.Rename(mv[0], mv[1]); err != nil {
			t.Fatal(err)
		}
		conn.events <- tracker.Event{Type: tracker.TypeRename, Old: mv[0], New: mv[1], Dir: mv[0] == sub}
	}
	// The grid refreshes after the thumbnails moved.
	h.waitFor("the grid", func() bool {
		n := 0
		for i := range h.b.results.count {
			if f, ok := h.b.results.file(i); ok && (f.Path == renamed || strings.HasPrefix(f.Path, album2+"/")) {
				n++
			}
		}
		return n == 3
	})
	// A fresh service on the same cache: only the disk cache can answer.
	fresh, err := thumbnail.NewService(thumbnail.Options{CacheDir: filepath.Join(h.dir, "thumbs"), Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	for _, p := range []string{renamed, filepath.Join(album2, "img00001.png")} {
		r, err := fresh.Generate(context.Background(), p, thumbnail.Normal)
		if err != nil {
			t.Fatal(err)
		}
		if r.Origin != thumbnail.FromCache {
			t.Errorf("thumbnail of %s: %v, want it from the cache (moved with the file)", p, r.Origin)
		}
	}
}

// An exchange of two shown files (RENAME_EXCHANGE) swaps their thumbnails: the
// picture follows the content.
func TestTrackerSwapsThumbnailsOnExchange(t *testing.T) {
	h := newHarness(t, []testFile{{name: "a.png"}, {name: "b.png"}})
	a, b := h.paths["a.png"], h.paths["b.png"]
	imgs := map[string]any{}
	for _, p := range []string{a, b} {
		if _, err := h.b.thumbs.Generate(context.Background(), p, thumbnail.Normal); err != nil {
			t.Fatal(err)
		}
		img, ok := h.b.thumbs.Lookup(p, thumbnail.Normal)
		if !ok {
			t.Fatalf("no thumbnail of %s in memory", p)
		}
		imgs[p] = img
	}
	conn := &fakeConn{events: make(chan tracker.Event, 4)}
	h.trackWith(func(context.Context, []string) (trackerConn, error) { return conn, nil })
	h.waitFor("tracking", func() bool { return h.b.status.trackerState == trackerOn })

	if err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE); err != nil {
		t.Skipf("RENAME_EXCHANGE: %v", err)
	}
	conn.events <- tracker.Event{Type: tracker.TypeRename, Old: a, New: b, Exchange: true}
	h.waitFor("the swapped thumbnails", func() bool {
		ia, _ := h.b.thumbs.Lookup(a, thumbnail.Normal)
		ib, _ := h.b.thumbs.Lookup(b, thumbnail.Normal)
		return any(ia) == imgs[b] && any(ib) == imgs[a]
	})
}
