package tests

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hoard/library"
)

// TestReliabilityLoad: a 1,000,000-entry library (the `make bench` corpus,
// .bench/lib1m.db, or one built here) plus 10,000 real files, with `hoard watch`
// applying 20,000 renames/s of those files while the CLI queries. Queries must stay
// within 2× their idle latency (median), no event may be lost, and every file must end
// at its last path. HOARD_RELIABILITY=full only (and root, for the tracker).
func TestReliabilityLoad(t *testing.T) {
	needFull(t)
	needRoot(t)
	const liveFiles = 10000
	rate := 20000 // renames per second; HOARD_LOAD_RATE overrides, to find what a machine sustains
	if r, err := strconv.Atoi(os.Getenv("HOARD_LOAD_RATE")); err == nil && r > 0 {
		rate = r
	}
	dur := 15 * time.Second
	ctx := context.Background()
	h := newHoardCLI(t)
	binary(t, "hoard-tracker")

	// The corpus, copied: the test changes it.
	corpus := filepath.Join(repoRoot(), ".bench", "lib1m.db")
	if _, err := os.Stat(corpus); err != nil {
		corpus = filepath.Join(t.TempDir(), "lib1m.db")
		l, err := library.Open(ctx, corpus, library.Options{})
		if err != nil {
			t.Fatal(err)
		}
		el := timed(func() {
			err = l.BuildSynthetic(ctx, library.SyntheticSpec{Files: 1_000_000, Tags: 100_000, PerFile: 10, Seed: 1, PathsPrefix: "/srv/bench"}, nil)
		})
		l.Close()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("built a 1M-entry corpus in %v", el.Round(time.Second))
	}
	if err := os.MkdirAll(filepath.Dir(h.db), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal"} {
		if _, err := os.Stat(corpus + suffix); err == nil {
			copyFile(t, corpus+suffix, h.db+suffix, 0o644)
		}
	}
	live := trackedDir(t)
	for i := range liveFiles {
		writeFile(t, filepath.Join(live, fmt.Sprintf("s%02d", i%20), fmt.Sprintf("a%05d", i)), []byte(fmt.Sprintf("live %d", i)))
	}
	marker := filepath.Join(live, "marker")
	writeFile(t, marker, []byte("marker"))
	h.ok("include", "-t", "live", live)
	if got := h.ok("find", "--count"); got != fmt.Sprintf("%d\n", 1_000_000+liveFiles+1) {
		t.Fatalf("library has %s entries, want %d", got, 1_000_000+liveFiles+1)
	}

	queries := []string{"tag1 tag2", "artist:* -tag3", "tag51 | tag61 | tag71", "live"}
	measure := func(n int) map[string][]time.Duration {
		out := map[string][]time.Duration{}
		for range n {
			for _, q := range queries {
				out[q] = append(out[q], timed(func() { h.ok("find", "--count", q) }))
			}
		}
		return out
	}
	measure(1) // warm the page cache
	idle := measure(10)

	// hoard watch on the copy.
	cmd := h.command(ctx, "watch")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	var renamedLines, lostEvents atomic.Int64
	ready := make(chan bool, 1)
	// The last new path hoard watch reported per toggling file: when the index
	// disagrees with the disk, this tells an event-order problem (the lines disagree
	// too) from a write that did not stick (the lines agree with the disk).
	var lastMu sync.Mutex
	lastNew := map[string]string{}
	var otherMu sync.Mutex
	other := map[string]int{}
	otherLines := func() map[string]int {
		otherMu.Lock()
		defer otherMu.Unlock()
		return maps.Clone(other)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var m struct {
				Type  string `json:"type"`
				Count int64  `json:"count"`
				Old   string `json:"old"`
				New   string `json:"new"`
			}
			json.Unmarshal(sc.Bytes(), &m)
			switch m.Type {
			case "ready":
				ready <- true
			case "renamed":
				renamedLines.Add(1)
				lastMu.Lock()
				lastNew[fileKey(m.New)] = m.New
				lastMu.Unlock()
			case "lost":
				lostEvents.Add(m.Count)
			default:
				otherMu.Lock()
				other[m.Type]++
				otherMu.Unlock()
			}
		}
		close(ready)
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("hoard watch exited before ready: %s", stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("hoard watch not ready in 60 s: %s", stderr.String())
	}

	// The renamer: every millisecond, rate/1000 renames, each file toggling a<->b.
	names := make([]string, liveFiles)
	for i := range liveFiles {
		names[i] = filepath.Join(live, fmt.Sprintf("s%02d", i%20), fmt.Sprintf("a%05d", i))
	}
	toggle := func(p string) string {
		dir, base := filepath.Split(p)
		if base[0] == 'a' {
			return dir + "b" + base[1:]
		}
		return dir + "a" + base[1:]
	}
	var renames int
	var renameErr error
	var wg sync.WaitGroup
	start := time.Now()
	wg.Add(1)
	go func() {
		defer wg.Done()
		next := 0
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for time.Since(start) < dur {
			<-tick.C
			// Catch up to the schedule: rate × elapsed renames by now.
			for due := int(time.Since(start).Seconds() * float64(rate)); renames < due; renames++ {
				i := next % liveFiles
				next++
				to := toggle(names[i])
				if err := os.Rename(names[i], to); err != nil {
					renameErr = err
					return
				}
				names[i] = to
			}
		}
	}()
	busy := map[string][]time.Duration{}
	for time.Since(start) < dur {
		for q, ds := range measure(1) {
			busy[q] = append(busy[q], ds...)
		}
	}
	wg.Wait()
	renameTime := time.Since(start)
	if renameErr != nil {
		t.Fatal(renameErr)
	}
	// Every event before the marker's rename has been applied once the marker's has.
	if err := os.Rename(marker, marker+"-done"); err != nil {
		t.Fatal(err)
	}
	lib, err := library.Open(ctx, h.db, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	caughtUp := false
	for wait := time.Now(); time.Since(wait) < 120*time.Second; time.Sleep(20 * time.Millisecond) {
		if f, err := lib.FileByPath(ctx, marker+"-done"); err == nil && !f.Missing {
			caughtUp = true
			break
		}
	}
	if !caughtUp {
		t.Errorf("hoard watch never applied the marker's rename (%d renamed lines, %d lost, other lines %v); stderr:\n%s",
			renamedLines.Load(), lostEvents.Load(), otherLines(), stderr.String())
	}
	lag := time.Since(start) - renameTime
	// The helper reports lost events when it next finds the ring buffer empty, which
	// is after the marker's rename: a second marker, applied, means that report (if
	// any) has been counted.
	if err := os.Rename(marker+"-done", marker+"-done2"); err != nil {
		t.Fatal(err)
	}
	for wait := time.Now(); time.Since(wait) < 60*time.Second; time.Sleep(20 * time.Millisecond) {
		if f, err := lib.FileByPath(ctx, marker+"-done2"); err == nil && !f.Missing {
			break
		}
	}
	if s := stderr.String(); s != "" {
		t.Logf("hoard watch's stderr:\n%s", s)
	}

	t.Logf("%d renames in %v (%.0f/s) of %d files in a %d-entry library; hoard watch printed %d renamed lines (and %v), caught up %v after the last rename; %d events lost",
		renames, renameTime.Round(time.Millisecond), float64(renames)/renameTime.Seconds(), liveFiles, 1_000_000+liveFiles, renamedLines.Load(), otherLines(), lag.Round(time.Millisecond), lostEvents.Load())
	if lostEvents.Load() > 0 {
		t.Errorf("the tracker lost %d events", lostEvents.Load())
	}
	if float64(renames)/renameTime.Seconds() < float64(rate)*0.9 {
		t.Errorf("the renamer made only %.0f renames/s, want %d", float64(renames)/renameTime.Seconds(), rate)
	}
	for _, q := range queries {
		i, b := median(idle[q]), median(busy[q])
		t.Logf("find --count %q: idle median %v (max %v), under load median %v (p90 %v, max %v, %d runs): %.2f×",
			q, i.Round(time.Microsecond), slices.Max(idle[q]).Round(time.Microsecond), b.Round(time.Microsecond),
			percentile(busy[q], 0.9).Round(time.Microsecond), slices.Max(busy[q]).Round(time.Microsecond), len(busy[q]), float64(b)/float64(i))
		if b > 2*i {
			t.Errorf("find --count %q: median %v under load, more than 2× its idle %v", q, b, i)
		}
	}
	// Every file at its last path, tags kept.
	wrong, linesAgree := 0, 0
	for _, p := range names {
		f, err := lib.FileByPath(ctx, p)
		if err != nil || f.Missing || f.TagCount != 1 {
			lastMu.Lock()
			reported := lastNew[fileKey(p)]
			lastMu.Unlock()
			if reported == p {
				linesAgree++
			}
			if wrong < 5 {
				o, oerr := lib.FileByPath(ctx, toggle(p))
				t.Errorf("%s: %+v %v; hoard watch last reported it at %q; at the other name: %+v %v", p, f, err, reported, o, oerr)
			}
			wrong++
		}
	}
	if wrong > 0 {
		t.Logf("of the %d files not at their last path, hoard watch's last renamed line put %d at it", wrong, linesAgree)
	}
	if wrong > 0 {
		t.Errorf("%d of %d files not at their last path in the index", wrong, liveFiles)
	}
	if lostEvents.Load() > 0 || wrong > 0 {
		// What the watcher told the user to do must bring the index back in line.
		el := timed(func() {
			for try := 0; ; try++ {
				r := h.run("check", "--repair", live)
				if r.code == 0 || r.code == 3 {
					return
				}
				// hoard watch may still be rechecking files (it keeps running):
				// the repair refuses a library that changed under it; run it again.
				if try < 3 && strings.Contains(r.stderr, "changed while it was being checked") {
					continue
				}
				t.Fatalf("check --repair: exit %d: %s", r.code, r.stderr)
			}
		})
		still := 0
		for _, p := range names {
			if f, err := lib.FileByPath(ctx, p); err != nil || f.Missing || f.TagCount != 1 {
				still++
			}
		}
		t.Logf("hoard check --repair %s took %v; %d files still not at their last path with their tag", live, el.Round(time.Millisecond), still)
		if still > 0 {
			t.Errorf("after check --repair %d files are still not at their last path with their tag", still)
		}
	}
	if out, err := exec.Command("sqlite3", h.db, "PRAGMA quick_check").CombinedOutput(); err == nil && strings.TrimSpace(string(out)) != "ok" {
		t.Errorf("quick_check: %s", out)
	}
}

// fileKey names a toggling file whichever of its two names it has.
func fileKey(p string) string {
	dir, base := filepath.Split(p)
	if base == "" {
		return p
	}
	return dir + base[1:]
}

func median(ds []time.Duration) time.Duration { return percentile(ds, 0.5) }

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}
