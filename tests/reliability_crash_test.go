package tests

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Crash consistency: each test SIGKILLs one kind of write at random points, again and
// again on one growing library, and after every kill shows that integrity_check is ok,
// that every tagging committed before the kill is still there, that Hoard's own
// integrity checks (counters, posting lists) pass, and that a re-run completes the job.
// 20 kills each by default, 200 with HOARD_RELIABILITY=full.

// makeFiles writes n small files with distinct contents under dir (in 10 sub-folders).
func makeFiles(t testing.TB, dir string, n int, salt string) {
	t.Helper()
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("s%d", i%10))
		if i < 10 {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%05d.txt", i)), []byte(salt+" "+strconv.Itoa(i)+strings.Repeat(".", i%512)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// calibrate times an uninterrupted run, so kill delays spread over the whole run.
func calibrate(t *testing.T, what string, fn func()) time.Duration {
	t.Helper()
	d := timed(fn)
	t.Logf("an uninterrupted %s takes %v", what, d.Round(time.Millisecond))
	return d
}

func TestReliabilityKillInclude(t *testing.T) {
	n := runs(20, 200)
	rng := newRand(t)
	h := newHoardCLI(t)
	const perRun = 1500
	base := filepath.Join(h.dir, "files")
	makeFiles(t, filepath.Join(base, "cal"), perRun, "cal")
	h.ok("init")
	full := calibrate(t, "include of 1500 files", func() { h.ok("include", "-t", "cal", filepath.Join(base, "cal")) })
	var ks killStats
	for i := range n {
		dir := filepath.Join(base, fmt.Sprintf("r%03d", i))
		makeFiles(t, dir, perRun, dir)
		tag := fmt.Sprintf("run:%d", i)
		before := readTaggings(t, h.db)
		// Also re-include an earlier folder with the new tag: new entries and new
		// taggings on old entries in the same run.
		old := filepath.Join(base, "cal")
		delay := time.Duration(rng.Int64N(int64(full) * 12 / 10))
		killed, err := killAfter(t, h.command(context.Background(), "include", "-t", tag, "-t", "shared", dir, old), delay)
		ks.add(delay, killed)
		if !killed && err != nil {
			t.Fatalf("run %d: include failed on its own: %v", i, err)
		}
		integrityCheck(t, h.db)
		after := readTaggings(t, h.db)
		if l := before.lost(after); len(l) > 0 {
			t.Fatalf("run %d (killed after %v): committed taggings lost: %q", i, delay, l)
		}
		// A batch commits its entries with their tags: an entry of this run's folder
		// is never in the index without them.
		if got, tagged := len(lines(h.ok("find", "path:"+dir+"/*"))), after.countTag(tag); got > tagged {
			t.Fatalf("run %d (killed after %v): %d entries of the folder indexed but %d tagged %s", i, delay, got, tagged, tag)
		}
		if i%5 == 0 || i == n-1 {
			noIntegrityProblems(t, h)
		}
		h.ok("include", "-t", tag, "-t", "shared", dir, old)
		final := readTaggings(t, h.db)
		if got := final.countTag(tag); got != 2*perRun {
			t.Fatalf("run %d: after the re-run %d entries tagged %s, want %d", i, got, tag, 2*perRun)
		}
	}
	noIntegrityProblems(t, h)
	t.Logf("%d includes SIGKILLed: %d in flight at %d distinct kill points (ms), %d had finished", ks.runs, ks.inFlight, len(ks.points), ks.runs-ks.inFlight)
	if ks.inFlight < ks.runs/2 {
		t.Errorf("only %d of %d kills landed while include ran: the test does not test", ks.inFlight, ks.runs)
	}
}

func TestReliabilityKillTag(t *testing.T) {
	n := runs(20, 200)
	rng := newRand(t)
	h := newHoardCLI(t)
	const files = 20000
	root := filepath.Join(h.dir, "files")
	makeFiles(t, root, files, "tag")
	h.ok("include", "-t", "base", root)
	full := calibrate(t, "tag of 20000 files", func() { h.ok("tag", "-t", "cal", root) })
	var ks killStats
	for i := range n {
		before := readTaggings(t, h.db)
		// Even runs add a new tag; odd runs remove the tag the run before added: both
		// are tag edits, each one transaction.
		tag := fmt.Sprintf("edit:%d", i)
		args := []string{"tag", "-t", tag, "-t", "base", root}
		if i%2 == 1 {
			tag = fmt.Sprintf("edit:%d", i-1)
			args = []string{"untag", "-t", tag, root}
		}
		delay := time.Duration(rng.Int64N(int64(full) * 12 / 10))
		killed, err := killAfter(t, h.command(context.Background(), args...), delay)
		ks.add(delay, killed)
		if !killed && err != nil {
			t.Fatalf("run %d: %q failed on its own: %v", i, args, err)
		}
		integrityCheck(t, h.db)
		after := readTaggings(t, h.db)
		if l := before.lost(after, tag); len(l) > 0 {
			t.Fatalf("run %d (%q killed after %v): committed taggings lost: %q", i, args, delay, l)
		}
		if got := after.countTag(tag); got != 0 && got != files {
			t.Fatalf("run %d (%q killed after %v): %d files tagged %s, want 0 or %d (one transaction)", i, args, delay, got, tag, files)
		}
		if i%5 == 0 || i == n-1 {
			noIntegrityProblems(t, h)
		}
		h.ok(args...)
		want := files
		if i%2 == 1 {
			want = 0
		}
		if got := readTaggings(t, h.db).countTag(tag); got != want {
			t.Fatalf("run %d: after the re-run of %q %d files tagged %s, want %d", i, args, got, tag, want)
		}
	}
	noIntegrityProblems(t, h)
	t.Logf("%d tag edits SIGKILLed: %d in flight at %d distinct kill points (ms), %d had finished", ks.runs, ks.inFlight, len(ks.points), ks.runs-ks.inFlight)
	if ks.inFlight < ks.runs/2 {
		t.Errorf("only %d of %d kills landed while the edit ran", ks.inFlight, ks.runs)
	}
}

// TestReliabilityKillCheckRepair moves, edits and deletes files behind Hoard's back,
// then SIGKILLs `hoard check --repair`: the repair is one transaction, so the index is
// as before or fully repaired, tags never lost, and a re-run repairs everything.
func TestReliabilityKillCheckRepair(t *testing.T) {
	n := runs(20, 200)
	rng := newRand(t)
	h := newHoardCLI(t)
	const files = 3000
	root := filepath.Join(h.dir, "files")
	makeFiles(t, root, files, "check")
	h.ok("include", "-t", "base", root)
	// Each file also gets a tag of its own, so a repair that lost one would show.
	for s := range 10 {
		h.ok("tag", "-t", fmt.Sprintf("folder:%d", s), filepath.Join(root, fmt.Sprintf("s%d", s)))
	}
	disturb := func(i int) {
		// Rename a whole sub-folder, move some files between folders and edit some.
		s := rng.IntN(10)
		entries, _ := filepath.Glob(filepath.Join(root, "*"))
		dir := entries[rng.IntN(len(entries))]
		mv(t, dir, filepath.Join(root, fmt.Sprintf("moved%d-%d", i, s)))
		all, _ := filepath.Glob(filepath.Join(root, "*", "*"))
		for range 100 {
			p := all[rng.IntN(len(all))]
			if _, err := os.Stat(p); err != nil {
				continue
			}
			to := filepath.Join(filepath.Dir(all[rng.IntN(len(all))]), fmt.Sprintf("m%d-%d-%s", i, rng.IntN(1e6), filepath.Base(p)))
			if _, err := os.Stat(to); err == nil {
				continue
			}
			if err := os.Rename(p, to); err != nil {
				t.Fatal(err)
			}
			if rng.IntN(3) == 0 {
				appendFile(t, to, fmt.Sprintf(" edit %d", i))
			}
		}
	}
	disturb(-1)
	full := calibrate(t, "check --repair after 100 moves and a folder rename", func() {
		if r := h.run("check", "--repair"); r.code != 0 && r.code != 3 {
			t.Fatalf("check --repair: %d %s", r.code, r.stderr)
		}
	})
	var ks killStats
	for i := range n {
		disturb(i)
		before := readTaggings(t, h.db)
		delay := time.Duration(rng.Int64N(int64(full) * 12 / 10))
		killed, _ := killAfter(t, h.command(context.Background(), "check", "--repair"), delay)
		ks.add(delay, killed)
		integrityCheck(t, h.db)
		if l := before.lost(readTaggings(t, h.db)); len(l) > 0 {
			t.Fatalf("run %d (killed after %v): taggings lost: %q", i, delay, l)
		}
		if i%5 == 0 || i == n-1 {
			noIntegrityProblems(t, h)
		}
		if r := h.run("check", "--repair"); r.code != 0 {
			t.Fatalf("run %d: the re-run of check --repair left problems (exit %d):\n%s%s", i, r.code, r.stdout, r.stderr)
		}
		if r := h.run("check"); r.code != 0 {
			t.Fatalf("run %d: after the repair check still finds problems (exit %d):\n%s", i, r.code, r.stdout)
		}
		if l := before.lost(readTaggings(t, h.db)); len(l) > 0 {
			t.Fatalf("run %d: taggings lost by the repair: %q", i, l)
		}
		if got := h.ok("find", "--count", "missing"); got != "0\n" {
			t.Fatalf("run %d: %s entries missing after repair, want 0", i, got)
		}
	}
	t.Logf("%d check --repair runs SIGKILLed: %d in flight at %d distinct kill points (ms), %d had finished", ks.runs, ks.inFlight, len(ks.points), ks.runs-ks.inFlight)
	if ks.inFlight < ks.runs/2 {
		t.Errorf("only %d of %d kills landed while the check ran", ks.inFlight, ks.runs)
	}
}

// TestReliabilityKillWatch SIGKILLs `hoard watch` while renames happen: the index stays
// sound and keeps its tags, the helper does not outlive its reader, and `hoard check
// --repair` (the re-run) catches up with the renames the dead watcher missed.
func TestReliabilityKillWatch(t *testing.T) {
	needRoot(t)
	n := runs(20, 200)
	rng := newRand(t)
	h := newHoardCLI(t)
	binary(t, "hoard-tracker")
	root := trackedDir(t)
	const files = 500
	makeFiles(t, root, files, "watch")
	h.ok("include", "-t", "base", root)
	var ks killStats
	counter := 0
	for i := range n {
		before := readTaggings(t, h.db)
		cmd := h.command(context.Background(), "watch")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ready := make([]byte, 64)
		if _, err := stdout.Read(ready); err != nil || !strings.Contains(string(ready), "ready") {
			cmd.Process.Kill()
			cmd.Wait()
			if strings.Contains(stderr.String(), "refused the eBPF") {
				t.Skipf("kernel refused BPF: %s", stderr.String())
			}
			t.Fatalf("run %d: hoard watch: %q %v %s", i, ready, err, stderr.String())
		}
		go func() { // drain the change lines
			buf := make([]byte, 1<<16)
			for {
				if _, err := stdout.Read(buf); err != nil {
					return
				}
			}
		}()
		helper := childPIDs(cmd.Process.Pid)
		// Renames (files and, now and then, a folder) until the kill.
		stop := make(chan struct{})
		renamed := make(chan int)
		go func() {
			k := 0
			defer func() { renamed <- k }()
			for {
				select {
				case <-stop:
					return
				default:
				}
				all, _ := filepath.Glob(filepath.Join(root, "*", "*"))
				if k%50 == 49 {
					dirs, _ := filepath.Glob(filepath.Join(root, "*"))
					counter++
					if os.Rename(dirs[rng.IntN(len(dirs))], filepath.Join(root, fmt.Sprintf("d%d", counter))) == nil {
						k++
					}
					continue
				}
				p := all[rng.IntN(len(all))]
				counter++
				if os.Rename(p, filepath.Join(filepath.Dir(p), fmt.Sprintf("n%d.txt", counter))) == nil {
					k++
				}
			}
		}()
		delay := time.Duration(rng.Int64N(int64(1500 * time.Millisecond)))
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		close(stop)
		k := <-renamed
		ks.add(delay, true)
		for _, pid := range helper {
			if !exitsWithin(pid, 3*time.Second) {
				t.Fatalf("run %d: hoard-tracker (pid %d) still runs 3 s after hoard watch was killed", i, pid)
			}
		}
		integrityCheck(t, h.db)
		if l := before.lost(readTaggings(t, h.db)); len(l) > 0 {
			t.Fatalf("run %d (killed after %v, %d renames): taggings lost: %q", i, delay, k, l)
		}
		if i%5 == 0 || i == n-1 {
			noIntegrityProblems(t, h)
		}
		if r := h.run("check", "--repair"); r.code != 0 {
			t.Fatalf("run %d: check --repair after the kill left problems (exit %d):\n%s%s", i, r.code, r.stdout, r.stderr)
		}
		if got := h.ok("find", "--count", "base -missing"); got != fmt.Sprintf("%d\n", files) {
			t.Fatalf("run %d: %s present entries tagged base, want %d", i, got, files)
		}
		if l := before.lost(readTaggings(t, h.db)); len(l) > 0 {
			t.Fatalf("run %d: taggings lost by the repair: %q", i, l)
		}
		if len(helper) != 1 {
			t.Fatalf("run %d: hoard watch had %d child processes, want 1 (the helper)", i, len(helper))
		}
	}
	t.Logf("%d hoard watch runs SIGKILLed during renames, after 0–1.5 s (%d distinct kill points, ms); %d renames in all", ks.runs, len(ks.points), counter)
}

// childPIDs lists the processes whose parent is pid.
func childPIDs(pid int) []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		c, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces, so cut after its last ')'.
		s := string(b)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			out = append(out, c)
		}
	}
	return out
}

// exitsWithin waits for pid to be gone (or a zombie) for at most d.
func exitsWithin(pid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return true
		}
		s := string(b)
		if f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]); len(f) > 0 && f[0] == "Z" {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}
