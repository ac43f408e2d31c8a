package tests

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"hoard/tracker"
	"hoard/tracker/privdrop"
)

// The root helper's security, beyond tests/tracker_test.go (which covers refused roots,
// malformed, oversized and endless first lines, the privilege drop, hiding what the
// user cannot see, other users' renames, and exiting on stdin close, a closed stdout
// and SIGTERM; TestReliabilityKillWatch covers a SIGKILLed reader): what comes on stdin
// after the roots line, and a list with one bad root among good ones.

// TestTrackerIgnoresLaterInput: once ready, nothing on stdin widens the roots: a second
// roots line naming / and megabytes of garbage are ignored, the helper keeps running
// with bounded memory, and a rename outside the roots still never appears.
func TestTrackerIgnoresLaterInput(t *testing.T) {
	base := trackedDir(t)
	root := filepath.Join(base, "root")
	outside := filepath.Join(base, "outside")
	for _, d := range []string{root, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	h := startHelper(t)
	fmt.Fprintf(h.stdin, `{"v":1,"roots":[%q]}`+"\n", root)
	h.readyOrSkip(t)
	fmt.Fprintf(h.stdin, `{"v":1,"roots":["/"]}`+"\n")
	fmt.Fprintf(h.stdin, `{"v":1,"roots":[%q]}`+"\n", outside)
	garbage := bytes.Repeat([]byte("x"), 1<<20)
	for range 16 {
		if _, err := h.stdin.Write(garbage); err != nil {
			t.Fatalf("the helper stopped reading stdin after ready: %v; stderr:\n%s", err, h.stderr.String())
		}
	}
	touch(t, filepath.Join(outside, "a"))
	if err := os.Rename(filepath.Join(outside, "a"), filepath.Join(outside, "b")); err != nil {
		t.Fatal(err)
	}
	touch(t, filepath.Join(root, "s"))
	if err := os.Rename(filepath.Join(root, "s"), filepath.Join(root, "sentinel")); err != nil {
		t.Fatal(err)
	}
	h.eventsUntil(t, filepath.Join(root, "sentinel"), func(ev tracker.Event) {
		t.Errorf("event outside the roots after a second roots line: %+v", ev)
	})
	s, err := privdrop.ReadStatus("/proc/" + strconv.Itoa(h.cmd.Process.Pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	if s.CapEff != 0 || s.UID[0] == 0 {
		t.Errorf("after extra input: %+v", s)
	}
	rss := vmRSS(t, h.cmd.Process.Pid)
	t.Logf("helper RSS after 16 MiB of stdin: %d KiB", rss)
	if rss > 64<<10 {
		t.Errorf("helper RSS %d KiB after 16 MiB on stdin: it buffers what it should drop", rss)
	}
	h.stdin.Close()
	if code := h.wait(t, 3*time.Second); code != 0 {
		t.Fatalf("exit code %d after stdin close", code)
	}
}

// TestTrackerRefusesMixedRoots: one bad root among good ones refuses the whole list.
func TestTrackerRefusesMixedRoots(t *testing.T) {
	needRoot(t)
	good := trackedDir(t)
	for _, bad := range []string{"/", "/etc", "/proc/self", "relative", good + "/../x"} {
		t.Run(bad, func(t *testing.T) {
			h := startHelper(t)
			fmt.Fprintf(h.stdin, `{"v":1,"roots":[%q,%q]}`+"\n", good, bad)
			line, _ := h.stdout.ReadBytes('\n')
			ev, err := tracker.ParseEvent(bytes.TrimSuffix(line, []byte("\n")))
			if err != nil || ev.Type != tracker.TypeError {
				t.Fatalf("first line %q (%v), want an error", line, err)
			}
			if code := h.wait(t, 5*time.Second); code != tracker.ExitBadRoots {
				t.Fatalf("exit code %d, want %d", code, tracker.ExitBadRoots)
			}
		})
	}
}

// vmRSS is a process's resident set in KiB.
func vmRSS(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range bytes.Split(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(l, []byte("VmRSS:")); ok {
			n, _ := strconv.Atoi(string(bytes.Fields(v)[0]))
			return n
		}
	}
	return 0
}
