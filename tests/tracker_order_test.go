package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"hoard/tracker"
)

// TestTrackerEveryRenameUnderContention: one goroutine toggles files inside a root
// at 10,000 renames a second while other threads rename and unlink outside the roots and spin
// on the CPUs, so the kernel preempts tasks in the middle of the probe's programs.
// Every rename inside the root must be reported, in order, or be counted as lost: a
// rename that silently goes missing leaves the index wrong with nothing telling the
// user to reconcile.
func TestTrackerEveryRenameUnderContention(t *testing.T) {
	needRoot(t)
	root := trackedDir(t)
	outside := t.TempDir()
	const files = 2000
	names := make([]string, files)
	for i := range files {
		names[i] = filepath.Join(root, fmt.Sprintf("a%04d", i))
		touch(t, names[i])
	}
	sentinel := filepath.Join(root, "sentinel")
	touch(t, sentinel)
	cl := startTracker(t, root)

	dur := 4 * time.Second
	if testing.Short() {
		dur = time.Second
	}
	// Noise in other processes: one renaming and unlinking outside the roots as fast
	// as it can, and a CPU hog per CPU.
	noise := []*exec.Cmd{exec.Command("python3", "-c", `
import os, sys
p = os.path.join(sys.argv[1], "n")
while True:
    open(p, "w").close()
    os.rename(p, p + "x")
    os.unlink(p + "x")
`, outside)}
	for range runtime.NumCPU() {
		noise = append(noise, exec.Command("sh", "-c", "while :; do :; done"))
	}
	for _, c := range noise {
		if err := c.Start(); err != nil {
			t.Fatalf("start noise: %v", err)
		}
	}
	stopNoise := func() {
		for _, c := range noise {
			c.Process.Kill()
			c.Wait()
		}
	}
	defer stopNoise()
	// 10,000 renames a second: well within what the helper drains on a busy machine,
	// so the run is expected to lose nothing at all.
	const rate = 10000
	renames := 0
	start := time.Now()
	for time.Since(start) < dur {
		if due := int(time.Since(start).Seconds() * rate); renames >= due {
			time.Sleep(200 * time.Microsecond)
			continue
		}
		i := renames % files
		dir, base := filepath.Split(names[i])
		next := dir + map[byte]string{'a': "b", 'b': "a"}[base[0]] + base[1:]
		if err := os.Rename(names[i], next); err != nil {
			t.Fatal(err)
		}
		names[i] = next
		renames++
	}
	stopNoise()
	// The sentinel's rename marks the end; it is renamed again until seen, in case
	// its event was one of those lost.
	sentinelDone := make(chan struct{})
	defer close(sentinelDone)
	go func() {
		s := sentinel
		for {
			next := sentinel + "-done"
			if s == next {
				next = sentinel
			}
			os.Rename(s, next)
			s = next
			select {
			case <-sentinelDone:
				return
			case <-time.After(500 * time.Millisecond):
			}
		}
	}()

	// Read to the sentinel: each file's renames must alternate a→b, b→a from a.
	want := make([]string, files) // the next old name expected per file
	for i := range files {
		want[i] = filepath.Join(root, fmt.Sprintf("a%04d", i))
	}
	seen, lost, outOfOrder := 0, uint64(0), 0
	timeout := time.After(60 * time.Second)
	// The helper reports lost events when it next finds the ring buffer empty, which
	// can be just after the sentinel: read on for a moment after it.
	var linger <-chan time.Time
	for done := false; !done; {
		select {
		case <-linger:
			done = true
		case ev, ok := <-cl.Events():
			if !ok {
				t.Fatalf("the tracker stopped: %v", cl.Err())
			}
			switch ev.Type {
			case tracker.TypeLost:
				lost += ev.Count
			case tracker.TypeRename:
				if strings.HasPrefix(ev.Old, sentinel) {
					if linger == nil {
						linger = time.After(time.Second)
					}
					continue
				}
				var i int
				base := filepath.Base(ev.Old)
				if _, err := fmt.Sscanf(base[1:], "%04d", &i); err != nil || i >= files {
					t.Errorf("unexpected rename %q → %q", ev.Old, ev.New)
					continue
				}
				if ev.Old != want[i] {
					if outOfOrder < 5 {
						t.Errorf("file %d: renamed from %s, expected from %s (an earlier rename was not reported)", i, filepath.Base(ev.Old), filepath.Base(want[i]))
					}
					outOfOrder++
				}
				want[i] = ev.New
				seen++
			}
		case <-timeout:
			t.Fatalf("no sentinel rename after 60 s (%d renames seen of %d)", seen, renames)
		}
	}
	t.Logf("%d renames in %v under contention; %d reported, %d reported lost, %d out of sequence", renames, dur, seen, lost, outOfOrder)
	if uint64(seen)+lost < uint64(renames) {
		t.Errorf("%d renames vanished: neither reported nor counted as lost", uint64(renames)-uint64(seen)-lost)
	}
	if lost == 0 && outOfOrder > 0 {
		t.Errorf("%d renames out of sequence without a lost event", outOfOrder)
	}
}
