package tests

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"hoard/tracker"
	"hoard/tracker/privdrop"
)

// needRoot skips a test that must load eBPF programs.
func needRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the tracker tests load eBPF programs and need root; run them with sudo")
	}
}

// trackedDir makes a temporary directory that every user can traverse (the
// helper drops to nobody when root starts it) and returns its physical path.
func trackedDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for d := dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	return real
}

// helperLog forwards the helper's stderr to the test log.
type helperLog struct{ t testing.TB }

func (w helperLog) Write(p []byte) (int, error) {
	w.t.Logf("helper: %s", bytes.TrimRight(p, "\n"))
	return len(p), nil
}

// startTracker runs the real helper on roots, skipping when the kernel refuses BPF.
func startTracker(t testing.TB, roots ...string) *tracker.Client {
	t.Helper()
	needRoot(t)
	// The context is the tracker's lifetime, not just its start.
	cl, err := tracker.Start(context.Background(), roots, tracker.Options{Helper: binary(t, "hoard-tracker"), Stderr: helperLog{t}})
	if errors.Is(err, tracker.ErrBPFRefused) {
		t.Skipf("kernel refused BPF: %v", err)
	}
	if err != nil {
		t.Fatalf("start tracker: %v", err)
	}
	t.Cleanup(func() {
		if err := cl.Stop(); err != nil {
			t.Errorf("stop tracker: %v", err)
		}
	})
	return cl
}

// next returns the next event that match accepts, failing after 5 s. Events
// that do not match are returned in skipped.
func nextEvent(t testing.TB, cl *tracker.Client, match func(tracker.Event) bool) (ev tracker.Event, skipped []tracker.Event) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-cl.Events():
			if !ok {
				t.Fatalf("tracker exited: %v", cl.Err())
			}
			if ev.Type == tracker.TypeLost {
				t.Fatalf("tracker lost %d events", ev.Count)
			}
			if match(ev) {
				return ev, skipped
			}
			skipped = append(skipped, ev)
		case <-timeout:
			t.Fatalf("no matching event within 5s; saw %+v", skipped)
		}
	}
}

func renameOf(old, new string) func(tracker.Event) bool {
	return func(e tracker.Event) bool { return e.Type == tracker.TypeRename && e.Old == old && e.New == new }
}

func unlinkOf(p string) func(tracker.Event) bool {
	return func(e tracker.Event) bool { return e.Type == tracker.TypeUnlink && e.Path == p }
}

func touch(t testing.TB, p string) {
	t.Helper()
	if err := os.WriteFile(p, []byte("x"), 0o666); err != nil {
		t.Fatal(err)
	}
}

func run(t testing.TB, dir string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

func TestTrackerRenames(t *testing.T) {
	root := trackedDir(t)
	cl := startTracker(t, root)
	p := func(name string) string { return filepath.Join(root, name) }

	t.Run("mv uses renameat2 NOREPLACE", func(t *testing.T) {
		touch(t, p("mv-a"))
		run(t, root, "mv", "mv-a", "mv-b")
		ev, _ := nextEvent(t, cl, renameOf(p("mv-a"), p("mv-b")))
		if ev.Comm != "mv" || ev.UID != 0 || ev.Pid == 0 || ev.Dir || ev.Exchange || len(ev.Flags) != 0 {
			t.Fatalf("mv event %+v", ev)
		}
	})
	t.Run("Go os.Rename uses renameat", func(t *testing.T) {
		touch(t, p("go-a"))
		if err := os.Rename(p("go-a"), p("go-b")); err != nil {
			t.Fatal(err)
		}
		ev, _ := nextEvent(t, cl, renameOf(p("go-a"), p("go-b")))
		if ev.Pid != uint32(os.Getpid()) {
			t.Fatalf("pid %d, want %d", ev.Pid, os.Getpid())
		}
	})
	t.Run("python os.rename uses rename, relative to cwd", func(t *testing.T) {
		touch(t, p("py-a"))
		run(t, root, "python3", "-c", `import os; os.rename("py-a", "./py-b")`)
		ev, _ := nextEvent(t, cl, renameOf(p("py-a"), p("py-b")))
		if ev.Comm != "python3" {
			t.Fatalf("comm %q", ev.Comm)
		}
	})
	t.Run("renameat with a dirfd from another cwd", func(t *testing.T) {
		if err := os.Mkdir(p("fd-dir"), 0o755); err != nil {
			t.Fatal(err)
		}
		touch(t, p("fd-dir/a"))
		run(t, "/", "python3", "-c", `import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
os.rename("a", "b", src_dir_fd=fd, dst_dir_fd=fd)`, p("fd-dir"))
		nextEvent(t, cl, renameOf(p("fd-dir/a"), p("fd-dir/b")))
	})
	t.Run("renameat2 RENAME_EXCHANGE", func(t *testing.T) {
		touch(t, p("x1"))
		if err := os.Mkdir(p("x2"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := unix.Renameat2(unix.AT_FDCWD, p("x1"), unix.AT_FDCWD, p("x2"), unix.RENAME_EXCHANGE); err != nil {
			t.Fatal(err)
		}
		ev, _ := nextEvent(t, cl, renameOf(p("x1"), p("x2")))
		// The file that was x1 now sits at x2; the directory went the other way.
		if !ev.Exchange || ev.Dir {
			t.Fatalf("exchange event %+v, want exchange of a file", ev)
		}
	})
	t.Run("failed rename is not reported", func(t *testing.T) {
		touch(t, p("nr-a"))
		touch(t, p("nr-b"))
		if err := unix.Renameat2(unix.AT_FDCWD, p("nr-a"), unix.AT_FDCWD, p("nr-b"), unix.RENAME_NOREPLACE); err == nil {
			t.Fatal("RENAME_NOREPLACE over an existing file succeeded")
		}
		if err := os.Rename(p("nr-a"), p("nr-c")); err != nil {
			t.Fatal(err)
		}
		_, skipped := nextEvent(t, cl, renameOf(p("nr-a"), p("nr-c")))
		for _, e := range skipped {
			if e.New == p("nr-b") {
				t.Fatalf("failed rename reported: %+v", e)
			}
		}
	})
	t.Run("directory rename", func(t *testing.T) {
		if err := os.MkdirAll(p("dir-a/sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(p("dir-a"), p("dir-b")); err != nil {
			t.Fatal(err)
		}
		ev, _ := nextEvent(t, cl, renameOf(p("dir-a"), p("dir-b")))
		if !ev.Dir {
			t.Fatalf("directory rename without dir: %+v", ev)
		}
	})
	t.Run("unlink, unlinkat, rmdir", func(t *testing.T) {
		touch(t, p("u1"))
		touch(t, p("u2"))
		if err := os.Mkdir(p("d1"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(p("d2"), 0o755); err != nil {
			t.Fatal(err)
		}
		run(t, root, "python3", "-c", `import os; os.unlink("u1"); os.rmdir("d1")`)
		nextEvent(t, cl, unlinkOf(p("u1")))
		if ev, _ := nextEvent(t, cl, unlinkOf(p("d1"))); !ev.Dir {
			t.Fatalf("rmdir without dir: %+v", ev)
		}
		run(t, root, "rm", "-r", "u2", "d2") // unlinkat, with AT_REMOVEDIR for d2
		if ev, _ := nextEvent(t, cl, unlinkOf(p("u2"))); ev.Dir || ev.Comm != "rm" {
			t.Fatalf("unlinkat event %+v", ev)
		}
		if ev, _ := nextEvent(t, cl, unlinkOf(p("d2"))); !ev.Dir {
			t.Fatalf("unlinkat AT_REMOVEDIR without dir: %+v", ev)
		}
	})
	t.Run("awkward names", func(t *testing.T) {
		for _, name := range []string{"with space", "new\nline", "bad\xffbyte\xfe", "tab\tand \"quote\" \\", "ünïcødé"} {
			touch(t, p("n-src"))
			if err := os.Rename(p("n-src"), p(name)); err != nil {
				t.Fatal(err)
			}
			nextEvent(t, cl, renameOf(p("n-src"), p(name)))
			if err := os.Remove(p(name)); err != nil {
				t.Fatal(err)
			}
			nextEvent(t, cl, unlinkOf(p(name)))
		}
	})
	t.Run("dot and dotdot in the caller's path", func(t *testing.T) {
		if err := os.Mkdir(p("dd"), 0o755); err != nil {
			t.Fatal(err)
		}
		touch(t, p("dd/a"))
		run(t, p("dd"), "python3", "-c", `import os; os.rename("./a", "../dd//b")`)
		ev, _ := nextEvent(t, cl, renameOf(p("dd/a"), p("dd/b")))
		if len(ev.Flags) != 1 || ev.Flags[0] != tracker.FlagUnclean {
			t.Fatalf("flags %v, want unclean", ev.Flags)
		}
	})
	t.Run("across a mount point", func(t *testing.T) {
		mnt := p("mnt")
		if err := os.Mkdir(mnt, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, "size=1m,mode=0755"); err != nil {
			t.Skipf("cannot mount a tmpfs: %v", err)
		}
		t.Cleanup(func() { unix.Unmount(mnt, unix.MNT_DETACH) })
		if err := os.MkdirAll(filepath.Join(mnt, "in/deep"), 0o755); err != nil {
			t.Fatal(err)
		}
		touch(t, filepath.Join(mnt, "in/deep/a"))
		run(t, filepath.Join(mnt, "in"), "python3", "-c", `import os; os.rename("deep/a", "deep/b")`)
		nextEvent(t, cl, renameOf(p("mnt/in/deep/a"), p("mnt/in/deep/b")))
		if err := os.Rename(filepath.Join(mnt, "in"), filepath.Join(mnt, "out")); err != nil {
			t.Fatal(err)
		}
		nextEvent(t, cl, renameOf(p("mnt/in"), p("mnt/out")))
		// RENAME_WHITEOUT (overlayfs's own rename; tmpfs supports it too).
		touch(t, filepath.Join(mnt, "w1"))
		if err := unix.Renameat2(unix.AT_FDCWD, filepath.Join(mnt, "w1"), unix.AT_FDCWD, filepath.Join(mnt, "w2"), unix.RENAME_WHITEOUT); err != nil {
			t.Fatalf("RENAME_WHITEOUT: %v", err)
		}
		if ev, _ := nextEvent(t, cl, renameOf(p("mnt/w1"), p("mnt/w2"))); !ev.Whiteout {
			t.Fatalf("whiteout rename without whiteout: %+v", ev)
		}
	})
}

func TestTrackerNonUTF8Root(t *testing.T) {
	root := filepath.Join(trackedDir(t), "r\xff\xfe")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	cl := startTracker(t, root)
	touch(t, filepath.Join(root, "a"))
	if err := os.Rename(filepath.Join(root, "a"), filepath.Join(root, "b")); err != nil {
		t.Fatal(err)
	}
	nextEvent(t, cl, renameOf(filepath.Join(root, "a"), filepath.Join(root, "b")))
}

func TestTrackerOutsideRoots(t *testing.T) {
	base := trackedDir(t)
	root := filepath.Join(base, "u")
	sibling := filepath.Join(base, "u2") // shares the prefix, not the directory
	for _, d := range []string{root, sibling} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cl := startTracker(t, root)
	touch(t, filepath.Join(sibling, "a"))
	touch(t, filepath.Join(base, "b"))
	if err := os.Rename(filepath.Join(sibling, "a"), filepath.Join(sibling, "secret")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(base, "b"), filepath.Join(base, "c")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(sibling, "secret")); err != nil {
		t.Fatal(err)
	}
	// Into and out of the root: both are reported (one side is under the root).
	touch(t, filepath.Join(base, "in"))
	if err := os.Rename(filepath.Join(base, "in"), filepath.Join(root, "in")); err != nil {
		t.Fatal(err)
	}
	_, skipped := nextEvent(t, cl, renameOf(filepath.Join(base, "in"), filepath.Join(root, "in")))
	if err := os.Rename(filepath.Join(root, "in"), filepath.Join(base, "out")); err != nil {
		t.Fatal(err)
	}
	_, more := nextEvent(t, cl, renameOf(filepath.Join(root, "in"), filepath.Join(base, "out")))
	for _, e := range append(skipped, more...) {
		t.Errorf("event outside the root reported: %+v", e)
	}
}

func TestTrackerOtherUser(t *testing.T) {
	root := trackedDir(t)
	if err := os.Chmod(root, 0o777); err != nil {
		t.Fatal(err)
	}
	cl := startTracker(t, root)
	touch(t, filepath.Join(root, "mine"))
	if err := os.Chmod(filepath.Join(root, "mine"), 0o666); err != nil {
		t.Fatal(err)
	}
	// /usr/bin/python3: a python3 found in root's PATH may live where nobody cannot run it.
	cmd := exec.Command("/usr/bin/python3", "-c", `import os, sys; os.rename(sys.argv[1], sys.argv[2])`,
		filepath.Join(root, "mine"), filepath.Join(root, "theirs"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: privdrop.Nobody, Gid: privdrop.Nobody}}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rename as nobody: %v\n%s", err, out)
	}
	ev, _ := nextEvent(t, cl, renameOf(filepath.Join(root, "mine"), filepath.Join(root, "theirs")))
	if ev.UID != privdrop.Nobody {
		t.Fatalf("uid %d, want %d", ev.UID, privdrop.Nobody)
	}
}

// TestTrackerReportsLost: a consumer that falls behind makes the kernel drop
// events; the helper must say so with a lost line rather than stay silent.
func TestTrackerReportsLost(t *testing.T) {
	root := trackedDir(t)
	cl := startTracker(t, root)
	x, y := filepath.Join(root, "x"), filepath.Join(root, "y")
	touch(t, x)
	const n = 200000 // the channel, the pipe and 4 MiB of ring buffer hold far fewer
	for range n / 2 {
		if err := unix.Rename(x, y); err != nil {
			t.Fatal(err)
		}
		if err := unix.Rename(y, x); err != nil {
			t.Fatal(err)
		}
	}
	var seen, lost uint64
	timeout := time.After(20 * time.Second)
	for seen+lost < n {
		select {
		case ev, ok := <-cl.Events():
			if !ok {
				t.Fatalf("tracker exited: %v", cl.Err())
			}
			switch ev.Type {
			case tracker.TypeRename:
				seen++
			case tracker.TypeLost:
				lost += ev.Count
			}
		case <-timeout:
			t.Fatalf("after 20s: %d renames, %d seen, %d lost", n, seen, lost)
		}
	}
	if lost == 0 {
		t.Fatalf("%d renames, %d seen, none reported lost", n, seen)
	}
	t.Logf("%d renames: %d seen, %d reported lost", n, seen, lost)
}
