package probe

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRootFilter: with roots, the kernel passes events under a root (either path of
// a rename), the rename of a root itself, and any event whose path is not clean
// (".", "..", "//": userspace resolves those); clean paths under no root never
// reach the ring buffer. Events keep their order, so a rename inside the root after
// each case shows what came through before it.
func TestRootFilter(t *testing.T) {
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(base, "root")
	// A sibling whose name starts with the root's: prefixes count only at a '/'.
	outside := filepath.Join(base, "rootless")
	for _, d := range []string{root, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	events, _ := collect(t, load(t, root))

	touch := func(p string) {
		t.Helper()
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mv := func(a, b string) {
		t.Helper()
		if err := os.Rename(a, b); err != nil {
			t.Fatal(err)
		}
	}
	marker := filepath.Join(root, "marker")
	touch(marker)
	n := 0
	// through runs do, then a marker rename, and returns the renames seen before it.
	through := func(do func()) []Event {
		t.Helper()
		do()
		n++
		next := marker + strings.Repeat("+", n)
		prev := marker + strings.Repeat("+", n-1)
		mv(prev, next)
		var seen []Event
		for {
			e := waitFor(t, events, func(e Event) bool { return e.Pid == uint32(os.Getpid()) })
			if e.Kind == Rename && e.Paths[1] == next {
				return seen
			}
			seen = append(seen, e)
		}
	}

	touch(filepath.Join(outside, "a"))
	if seen := through(func() { mv(filepath.Join(outside, "a"), filepath.Join(outside, "b")) }); len(seen) != 0 {
		t.Errorf("a rename outside the root came through: %+v", seen)
	}
	if seen := through(func() { os.Remove(filepath.Join(outside, "b")) }); len(seen) != 0 {
		t.Errorf("an unlink outside the root came through: %+v", seen)
	}
	touch(filepath.Join(outside, "c"))
	if seen := through(func() { mv(filepath.Join(outside, "c"), filepath.Join(root, "c")) }); len(seen) != 1 || seen[0].Paths[1] != filepath.Join(root, "c") {
		t.Errorf("a move into the root: %+v", seen)
	}
	if seen := through(func() { mv(filepath.Join(root, "c"), filepath.Join(outside, "c")) }); len(seen) != 1 || seen[0].Paths[0] != filepath.Join(root, "c") {
		t.Errorf("a move out of the root: %+v", seen)
	}
	// Unclean paths come through even outside the roots: only userspace can tell
	// where "x/../y" is.
	unclean := filepath.Join(outside, ".") + "/./c"
	if seen := through(func() { mv(unclean, filepath.Join(outside, "d")) }); len(seen) != 1 || seen[0].Paths[0] != unclean {
		t.Errorf("an unclean path: %+v", seen)
	}
	dotdot := outside + "/../rootless/d"
	if seen := through(func() { mv(dotdot, filepath.Join(outside, "e")) }); len(seen) != 1 {
		t.Errorf("a path with ..: %+v", seen)
	}
	// Hidden names are clean.
	touch(filepath.Join(outside, ".hidden"))
	if seen := through(func() { mv(filepath.Join(outside, ".hidden"), filepath.Join(outside, "..hidden")) }); len(seen) != 0 {
		t.Errorf("a hidden file outside the root came through: %+v", seen)
	}
	// Relative paths: composed from the cwd in the kernel, then filtered.
	t.Chdir(outside)
	if seen := through(func() { mv("e", "f") }); len(seen) != 0 {
		t.Errorf("a relative rename outside the root came through: %+v", seen)
	}
	t.Chdir(root)
	touch(filepath.Join(root, "g"))
	if seen := through(func() { mv("g", "h") }); len(seen) != 1 || seen[0].Paths[0] != filepath.Join(root, "g") {
		t.Errorf("a relative rename inside the root: %+v", seen)
	}
	t.Chdir(base)
	// The root itself renamed (and back).
	if seen := through(func() { mv(root, root+"2"); mv(root+"2", root) }); len(seen) != 2 || seen[0].Paths[0] != root {
		t.Errorf("the root renamed: %+v", seen)
	}
}

func TestRootFilterOffForLongRoots(t *testing.T) {
	events, _ := collect(t, load(t, "/"+strings.Repeat("x", rootKeySize)))
	_, b := createAndRename(t, t.TempDir())
	// The filter is off: an event under no root still comes through.
	waitFor(t, events, func(e Event) bool { return e.Kind == Rename && e.Paths[1] == b })
}

// TestLostReportedWhileBusy: when the reader falls behind and the ring buffer never
// runs dry, events are lost, and Run says so while the burst goes on, not only after.
func TestLostReportedWhileBusy(t *testing.T) {
	p := load(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := os.WriteFile(a, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	stopped := make(chan time.Time, 1)
	go func() { // renames until told to stop
		for i := 0; ; i++ {
			select {
			case <-stop:
				stopped <- time.Now()
				return
			default:
			}
			from, to := a, b
			if i%2 == 1 {
				from, to = b, a
			}
			os.Rename(from, to)
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	firstLost := make(chan time.Time, 1)
	done := make(chan error, 1)
	go func() {
		done <- p.Run(ctx, func(Event) error {
			time.Sleep(20 * time.Microsecond) // a reader slower than the renames
			return nil
		}, func(n uint64) error {
			if n > 0 {
				select {
				case firstLost <- time.Now():
				default:
				}
			}
			return nil
		})
	}()
	var lostAt time.Time
	select {
	case lostAt = <-firstLost:
	case <-time.After(20 * time.Second):
		t.Fatal("no lost report within 20 s of renaming faster than the reader")
	}
	close(stop)
	stoppedAt := <-stopped
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !lostAt.Before(stoppedAt) {
		t.Errorf("lost reported at %v, after the renames stopped at %v", lostAt, stoppedAt)
	}
}
