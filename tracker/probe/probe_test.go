package probe

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// load starts the probe (filtering on roots, if given) or skips the test with the reason.
func load(t testing.TB, roots ...string) *Probe {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("loading eBPF programs needs root")
	}
	p, err := Load(roots...)
	if errors.Is(err, ErrRefused) {
		t.Skipf("kernel refused BPF: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// collect runs the probe in the background and returns the events seen, until stop.
func collect(t testing.TB, p *Probe) (events chan Event, lost chan uint64) {
	t.Helper()
	events = make(chan Event, 1<<16)
	lost = make(chan uint64, 16)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- p.Run(ctx, func(e Event) error { events <- e; return nil },
			func(n uint64) error {
				if n > 0 {
					lost <- n
				}
				return nil
			})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return events, lost
}

func waitFor(t testing.TB, events chan Event, match func(Event) bool) Event {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case e := <-events:
			if match(e) {
				return e
			}
		case <-deadline:
			t.Fatal("no matching event within 5s")
		}
	}
}

// createAndRename makes dir/a and renames it to dir/b.
func createAndRename(t testing.TB, dir string) (a, b string) {
	t.Helper()
	a, b = filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := os.WriteFile(a, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(a, b); err != nil {
		t.Fatal(err)
	}
	return a, b
}

func TestRenameAbsoluteAndRelative(t *testing.T) {
	p := load(t)
	events, _ := collect(t, p)
	dir := t.TempDir()
	a, b := createAndRename(t, dir)
	e := waitFor(t, events, func(e Event) bool { return e.Kind == Rename && e.Paths[1] == b })
	if e.Paths[0] != a || e.Pid != uint32(os.Getpid()) || e.Flags != [2]PathFlags{} {
		t.Fatalf("got %+v, want %s -> %s from pid %d, no flags", e, a, b, os.Getpid())
	}
	t.Chdir(dir)
	if err := os.Rename("b", "c"); err != nil {
		t.Fatal(err)
	}
	e = waitFor(t, events, func(e Event) bool { return e.Kind == Rename && e.Paths[0] == dir+"/b" })
	if e.Paths[1] != dir+"/c" {
		t.Fatalf("relative rename: got %+v", e)
	}
	if err := os.Remove("c"); err != nil {
		t.Fatal(err)
	}
	e = waitFor(t, events, func(e Event) bool { return e.Kind == Unlink && e.Paths[0] == dir+"/c" })
	if err := os.Rename("nonexistent", "x"); err == nil {
		t.Fatal("rename of a missing file succeeded")
	}
	if err := os.Mkdir("d", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove("d"); err != nil {
		t.Fatal(err)
	}
	e = waitFor(t, events, func(e Event) bool {
		return e.Pid == uint32(os.Getpid()) && (e.Kind != Rename || e.Paths[0] == dir+"/nonexistent")
	})
	if e.Kind != Rmdir || e.Paths[0] != dir+"/d" {
		t.Fatalf("want the rmdir of d and no event for the failed rename, got %+v", e)
	}
}

// TestTruncatedNeverWrong: a base longer than the probe carries, or deeper than
// its walk budget, is flagged; the probe never passes it off as a full path.
func TestTruncatedNeverWrong(t *testing.T) {
	cases := []struct {
		name  string
		depth int
		comp  string
	}{
		{"base over 4 KiB", 24, strings.Repeat("n", 200)},
		{"more components than the walk budget", 300, "d"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := load(t)
			events, _ := collect(t, p)
			t.Chdir(t.TempDir())
			for range c.depth {
				if err := os.Mkdir(c.comp, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Chdir(c.comp); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile("a", nil, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename("a", "b"); err != nil {
				t.Fatal(err)
			}
			e := waitFor(t, events, func(e Event) bool { return e.Pid == uint32(os.Getpid()) && e.Kind == Rename })
			if e.Flags[0]&Truncated == 0 || e.Flags[1]&Truncated == 0 {
				t.Fatalf("flags %v, want truncated; paths %q", e.Flags, e.Paths)
			}
		})
	}
}

// TestExchangeAndDirfd: renameat2 flags reach userspace, and a dirfd base is
// the directory's path, not the caller's cwd.
func TestExchangeAndDirfd(t *testing.T) {
	p := load(t)
	events, _ := collect(t, p)
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"x", "y"} {
		if err := os.WriteFile(filepath.Join(sub, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fd, err := unix.Open(sub, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	t.Chdir("/")
	if err := unix.Renameat2(fd, "x", fd, "y", unix.RENAME_EXCHANGE); err != nil {
		t.Fatal(err)
	}
	e := waitFor(t, events, func(e Event) bool { return e.Pid == uint32(os.Getpid()) && e.Kind == Rename })
	if e.Paths != [2]string{sub + "/x", sub + "/y"} || e.SysFlags != RenameExchange {
		t.Fatalf("got %+v", e)
	}
}

// TestChroot: a chrooted caller's paths come out as host paths, flagged, so
// that userspace does not resolve its ".." past its root.
func TestChroot(t *testing.T) {
	p := load(t)
	events, _ := collect(t, p)
	jail := t.TempDir()
	if err := os.WriteFile(filepath.Join(jail, "a"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	tid := make(chan int, 1)
	go func() {
		// A thread of our own with its own fs_struct; it dies with the goroutine.
		runtime.LockOSThread()
		tid <- unix.Gettid()
		if err := unix.Unshare(unix.CLONE_FS); err != nil {
			errc <- err
			return
		}
		if err := unix.Chroot(jail); err != nil {
			errc <- err
			return
		}
		errc <- unix.Rename("/a", "/../b")
	}()
	id := uint32(<-tid)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	e := waitFor(t, events, func(e Event) bool { return e.Tid == id && e.Kind == Rename })
	if e.Paths != [2]string{jail + "/a", jail + "/../b"} || e.Flags[0]&Chroot == 0 || e.Flags[1]&Chroot == 0 {
		t.Fatalf("got %+v, want host paths flagged chroot", e)
	}
	if _, err := os.Stat(filepath.Join(jail, "b")); err != nil {
		t.Fatalf("the rename did not land in the jail: %v", err)
	}
}

// TestLostCounted: with nobody reading, the ring buffer fills; every event it
// could not take is counted, and Run reports the count.
func TestLostCounted(t *testing.T) {
	p := load(t)
	dir := t.TempDir()
	x, y := filepath.Join(dir, "x"), filepath.Join(dir, "y")
	if err := os.WriteFile(x, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	const n = 100000 // far more than 4 MiB of ~150-byte events
	for range n / 2 {
		if err := unix.Rename(x, y); err != nil {
			t.Fatal(err)
		}
		if err := unix.Rename(y, x); err != nil {
			t.Fatal(err)
		}
	}
	var seen, lost uint64
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	err := p.Run(ctx, func(e Event) error {
		if e.Pid == uint32(os.Getpid()) && e.Kind == Rename {
			seen++
		}
		return nil
	}, func(n uint64) error {
		lost += n
		if n == 0 && seen > 0 {
			cancel() // drained
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if lost == 0 || seen == 0 || seen+lost < n {
		t.Fatalf("%d renames: %d seen, %d lost; want some of each, adding up to at least %d", n, seen, lost, n)
	}
	t.Logf("%d renames: %d seen, %d lost", n, seen, lost)
}

// TestOtherMountNamespace: a caller in its own mount namespace is flagged.
func TestOtherMountNamespace(t *testing.T) {
	p := load(t)
	events, _ := collect(t, p)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	tid := make(chan int, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with its namespace
		tid <- unix.Gettid()
		if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
			errc <- err
			return
		}
		errc <- unix.Rename(filepath.Join(dir, "a"), filepath.Join(dir, "b"))
	}()
	id := uint32(<-tid)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	e := waitFor(t, events, func(e Event) bool { return e.Tid == id && e.Kind == Rename })
	if e.Paths != [2]string{dir + "/a", dir + "/b"} || e.Flags[0]&OtherMntNS == 0 {
		t.Fatalf("got %+v, want the paths flagged other_mntns", e)
	}
}
