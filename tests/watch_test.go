package tests

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"hoard/library"
)

// watcher is a running `hoard watch` whose JSON lines the test reads.
type watcher struct {
	t     *testing.T
	lines chan map[string]any
	cmd   *exec.Cmd
	lib   *library.Library
}

// startWatch includes dir into a new library, starts `hoard watch` on it and waits for
// its ready line. It skips when not root or when the kernel refuses BPF.
func startWatch(t *testing.T, dir string, tags ...string) *watcher {
	t.Helper()
	needRoot(t)
	hoard := binary(t, "hoard")
	binary(t, "hoard-tracker") // found beside hoard
	db := filepath.Join(t.TempDir(), "library.db")
	args := []string{"--db", db, "include"}
	for _, tag := range tags {
		args = append(args, "-t", tag)
	}
	if out, err := exec.Command(hoard, append(args, dir)...).CombinedOutput(); err != nil {
		t.Fatalf("include: %v\n%s", err, out)
	}
	cmd := exec.Command(hoard, "--db", db, "watch")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &watcher{t: t, lines: make(chan map[string]any, 10000), cmd: cmd}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				m = map[string]any{"type": "garbage", "line": sc.Text()}
			}
			w.lines <- m
		}
		close(w.lines)
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Errorf("hoard watch did not stop on SIGINT")
		}
	})
	select {
	case m, ok := <-w.lines:
		if !ok {
			cmd.Wait()
			if strings.Contains(stderr.String(), "refused the eBPF") {
				t.Skipf("kernel refused BPF: %s", stderr.String())
			}
			t.Fatalf("hoard watch exited before ready: %s", stderr.String())
		}
		if m["type"] != "ready" {
			t.Fatalf("first line %v, want ready", m)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no ready line in 30 s; stderr: %s", stderr.String())
	}
	lib, err := library.Open(context.Background(), db, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	w.lib = lib
	return w
}

// expect waits for a change line of the given type touching path (old, new or path).
func (w *watcher) expect(kind, path string) map[string]any {
	w.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case m, ok := <-w.lines:
			if !ok {
				w.t.Fatalf("hoard watch ended while waiting for %s %q", kind, path)
			}
			if m["type"] == kind && (m["path"] == path || m["new"] == path || m["old"] == path || pathB64(m) == path) {
				return m
			}
		case <-deadline:
			w.t.Fatalf("no %s change for %q within 10 s", kind, path)
		}
	}
}

func pathB64(m map[string]any) string {
	for _, k := range []string{"new_b64", "path_b64"} {
		if s, ok := m[k].(string); ok {
			var b []byte
			if err := json.Unmarshal([]byte(fmt.Sprintf("%q", s)), &b); err == nil {
				return string(b)
			}
		}
	}
	return ""
}

// present asserts the index has a present entry at path with the given number of tags.
func (w *watcher) present(path string, tags int) library.File {
	w.t.Helper()
	f, err := w.lib.FileByPath(context.Background(), path)
	if err != nil {
		w.t.Fatalf("index has no entry at %q: %v", path, err)
	}
	if f.Missing {
		w.t.Fatalf("entry at %q is missing", path)
	}
	if f.TagCount != tags {
		w.t.Fatalf("entry at %q has %d tags, want %d", path, f.TagCount, tags)
	}
	return f
}

func (w *watcher) absent(path string) {
	w.t.Helper()
	if _, err := w.lib.FileByPath(context.Background(), path); err == nil {
		w.t.Fatalf("index still has an entry at %q", path)
	}
}

func TestWatchAppliesRenames(t *testing.T) {
	dir := trackedDir(t)
	names := []string{"mv.txt", "go.txt", "py.txt", "dirfd.txt", "x1.txt", "x2.txt", "save.txt", "over-a.txt", "over-b.txt",
		"gone.txt", "with space.txt", "new\nline.txt", "bad\xff\xfe.txt"}
	for _, n := range names {
		touch(t, filepath.Join(dir, n))
	}
	os.MkdirAll(filepath.Join(dir, "big"), 0o755)
	for i := range 1000 {
		touch(t, filepath.Join(dir, "big", fmt.Sprintf("f%04d", i)))
	}
	outside := trackedDir(t)
	touch(t, filepath.Join(outside, "o.txt"))
	w := startWatch(t, dir, "keep")
	j := func(n string) string { return filepath.Join(dir, n) }

	t.Run("mv", func(t *testing.T) {
		run(t, dir, "mv", j("mv.txt"), j("mv2.txt"))
		w.expect("renamed", j("mv2.txt"))
		w.present(j("mv2.txt"), 1)
		w.absent(j("mv.txt"))
	})
	t.Run("go os.Rename", func(t *testing.T) {
		if err := os.Rename(j("go.txt"), j("go2.txt")); err != nil {
			t.Fatal(err)
		}
		w.expect("renamed", j("go2.txt"))
		w.present(j("go2.txt"), 1)
	})
	t.Run("python os.rename", func(t *testing.T) {
		run(t, dir, "python3", "-c", "import os,sys; os.rename(sys.argv[1], sys.argv[2])", j("py.txt"), j("py2.txt"))
		w.expect("renamed", j("py2.txt"))
		w.present(j("py2.txt"), 1)
	})
	t.Run("renameat with a dirfd from another cwd", func(t *testing.T) {
		run(t, outside, "python3", "-c",
			"import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.rename('dirfd.txt','dirfd2.txt', src_dir_fd=fd, dst_dir_fd=fd)", dir)
		w.expect("renamed", j("dirfd2.txt"))
		w.present(j("dirfd2.txt"), 1)
	})
	t.Run("RENAME_EXCHANGE", func(t *testing.T) {
		a, _ := w.lib.FileByPath(context.Background(), j("x1.txt"))
		if err := unix.Renameat2(unix.AT_FDCWD, j("x1.txt"), unix.AT_FDCWD, j("x2.txt"), unix.RENAME_EXCHANGE); err != nil {
			t.Fatal(err)
		}
		w.expect("exchanged", j("x1.txt"))
		b := w.present(j("x2.txt"), 1)
		if a.ID != b.ID {
			t.Fatalf("after exchange x2.txt is entry %d, want %d (x1's)", b.ID, a.ID)
		}
	})
	t.Run("folder of 1000 files", func(t *testing.T) {
		run(t, dir, "mv", j("big"), j("big2"))
		m := w.expect("renamed", j("big2"))
		if m["files"] != float64(1000) {
			t.Fatalf("folder rename moved %v entries, want 1000", m["files"])
		}
		w.present(j("big2/f0999"), 1)
		w.absent(j("big/f0999"))
	})
	t.Run("atomic save keeps tags", func(t *testing.T) {
		before := w.present(j("save.txt"), 1)
		if err := os.WriteFile(j("save.txt.tmp"), []byte("new content"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(j("save.txt.tmp"), j("save.txt")); err != nil {
			t.Fatal(err)
		}
		w.expect("saved", j("save.txt"))
		after := w.present(j("save.txt"), 1)
		if after.ID != before.ID || after.Size != int64(len("new content")) {
			t.Fatalf("atomic save: entry %d size %d, want entry %d size %d", after.ID, after.Size, before.ID, len("new content"))
		}
	})
	t.Run("rename over another indexed file", func(t *testing.T) {
		a := w.present(j("over-a.txt"), 1)
		b := w.present(j("over-b.txt"), 1)
		if err := os.Rename(j("over-a.txt"), j("over-b.txt")); err != nil {
			t.Fatal(err)
		}
		w.expect("renamed", j("over-b.txt"))
		if got := w.present(j("over-b.txt"), 1); got.ID != a.ID {
			t.Fatalf("over-b.txt is entry %d, want the mover %d", got.ID, a.ID)
		}
		old, err := w.lib.FileByID(context.Background(), b.ID)
		if err != nil || !old.Missing || old.TagCount != 1 {
			t.Fatalf("overwritten entry: %+v %v, want missing with its tag", old, err)
		}
	})
	t.Run("unlink", func(t *testing.T) {
		if err := os.Remove(j("gone.txt")); err != nil {
			t.Fatal(err)
		}
		w.expect("missing", j("gone.txt"))
		f, err := w.lib.FileByPath(context.Background(), j("gone.txt"))
		if err != nil || !f.Missing || f.TagCount != 1 {
			t.Fatalf("unlinked entry: %+v %v, want missing with its tag", f, err)
		}
		touch(t, j("gone.txt")) // a re-download: present again
		w.expect("found", j("gone.txt"))
		w.present(j("gone.txt"), 1)
	})
	for _, n := range []string{"with space.txt", "new\nline.txt", "bad\xff\xfe.txt"} {
		t.Run(fmt.Sprintf("name %q", n), func(t *testing.T) {
			to := j("renamed " + n)
			if err := os.Rename(j(n), to); err != nil {
				t.Fatal(err)
			}
			w.expect("renamed", to)
			w.present(to, 1)
		})
	}
	t.Run("outside the roots", func(t *testing.T) {
		if err := os.Rename(filepath.Join(outside, "o.txt"), filepath.Join(outside, "o2.txt")); err != nil {
			t.Fatal(err)
		}
		// A marker rename inside: everything before it has been applied.
		if err := os.Rename(j("mv2.txt"), j("mv3.txt")); err != nil {
			t.Fatal(err)
		}
		for {
			m := <-w.lines
			if m["old"] == filepath.Join(outside, "o.txt") {
				t.Fatalf("a rename outside the roots was applied: %v", m)
			}
			if m["new"] == j("mv3.txt") {
				break
			}
		}
	})
}

// TestWatchRestartReportsGap: a folder added to the library makes hoard watch restart
// the helper with the new roots; the moment between the two helpers is reported as a
// "gap" line (renames in it were not seen), and the new folder is tracked after it.
func TestWatchRestartReportsGap(t *testing.T) {
	dir := trackedDir(t)
	touch(t, filepath.Join(dir, "a"))
	w := startWatch(t, dir)
	db := w.cmd.Args[2] // hoard --db DB watch
	added := trackedDir(t)
	touch(t, filepath.Join(added, "b"))
	if out, err := exec.Command(binary(t, "hoard"), "--db", db, "include", added).CombinedOutput(); err != nil {
		t.Fatalf("include: %v\n%s", err, out)
	}
	deadline := time.After(15 * time.Second)
	for gap := false; !gap; {
		select {
		case m, ok := <-w.lines:
			if !ok {
				t.Fatal("hoard watch ended")
			}
			if m["type"] == "gap" {
				ms, _ := m["ms"].(float64)
				t.Logf("gap line after the restart: %v ms", ms)
				gap = true
			}
		case <-deadline:
			t.Fatal("no gap line within 15 s of adding a folder")
		}
	}
	if err := os.Rename(filepath.Join(added, "b"), filepath.Join(added, "c")); err != nil {
		t.Fatal(err)
	}
	w.expect("renamed", filepath.Join(added, "c"))
	w.present(filepath.Join(added, "c"), 0)
}
