package tests

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hoard/library"
)

// TestReliabilityConcurrency runs, on one library at once: CLI writers (include of new
// files, tag and untag by path), CLI readers (find), `hoard watch` applying renames the
// test makes (as root), and a simulated GUI (package library in this process: TagFiles,
// UntagFiles, Search) tagging the very files being renamed. 10 s by default, 60 s with
// HOARD_RELIABILITY=full. No operation may fail ("database is locked" included), and at
// the end the index holds exactly the taggings each writer made and every file at the
// path the renames left it.
func TestReliabilityConcurrency(t *testing.T) {
	dur := span(10*time.Second, 60*time.Second)
	ctx := context.Background()
	root := trackedDir(t)
	fixed := filepath.Join(root, "fixed")
	moving := filepath.Join(root, "moving")
	const nFixed, nMoving = 50, 200
	for i := range nFixed {
		writeFile(t, filepath.Join(fixed, fmt.Sprintf("f%03d.txt", i)), []byte("fixed "+strconv.Itoa(i)))
	}
	for i := range nMoving {
		writeFile(t, filepath.Join(moving, fmt.Sprintf("m%03d.txt", i)), []byte("moving "+strconv.Itoa(i)))
	}
	if err := os.MkdirAll(filepath.Join(root, "inc"), 0o755); err != nil {
		t.Fatal(err)
	}

	var h *hoardCLI
	var w *watcher
	var lib *library.Library
	if os.Geteuid() == 0 {
		w = startWatch(t, root, "base")
		lib = w.lib
		h = newHoardCLI(t)
		h.db = lib.Path()
	} else {
		t.Log("not root: no hoard watch and no renames in this run")
		h = newHoardCLI(t)
		h.ok("include", "-t", "base", root)
		var err error
		if lib, err = library.Open(ctx, h.db, library.Options{}); err != nil {
			t.Fatal(err)
		}
		defer lib.Close()
	}

	// Entry ids of the moving files, for the GUI writer and the final check.
	movingIDs := make([]int64, nMoving)
	for i := range nMoving {
		f, err := lib.FileByPath(ctx, filepath.Join(moving, fmt.Sprintf("m%03d.txt", i)))
		if err != nil {
			t.Fatal(err)
		}
		movingIDs[i] = f.ID
	}

	var (
		mu       sync.Mutex
		failures []string
		locked   atomic.Int64
		ops      = map[string]int{}
		want     = map[string]bool{} // "path-or-id tag" taggings that must exist at the end
	)
	fail := func(who, msg string) {
		mu.Lock()
		defer mu.Unlock()
		if strings.Contains(msg, "locked") || strings.Contains(msg, "busy") {
			locked.Add(1)
		}
		failures = append(failures, who+": "+msg)
	}
	count := func(who string) {
		mu.Lock()
		ops[who]++
		mu.Unlock()
	}
	cli := func(who string, args ...string) bool {
		r := h.run(args...)
		if r.code != 0 {
			fail(who, fmt.Sprintf("hoard %q: exit %d: %s", args, r.code, strings.TrimSpace(r.stderr)))
			return false
		}
		count(who)
		return true
	}

	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	worker := func(fn func(i int)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				fn(i)
			}
		}()
	}
	cliTags := map[int]bool{}       // CLI tagger: round i tagged fixed file i%nFixed with cli:i
	guiTags := map[int64][]string{} // GUI: entry id -> gui tags it must end with
	incFiles := 0
	// CLI tagger: tag a fixed file with a new tag, and every third round untag the
	// tag the round before made.
	worker(func(i int) {
		p := filepath.Join(fixed, fmt.Sprintf("f%03d.txt", i%nFixed))
		if cli("cli tag", "tag", "-t", fmt.Sprintf("cli:%d", i), p) {
			mu.Lock()
			cliTags[i] = true
			mu.Unlock()
		}
		if i%3 == 2 {
			prev := filepath.Join(fixed, fmt.Sprintf("f%03d.txt", (i-1)%nFixed))
			if cli("cli untag", "untag", "-t", fmt.Sprintf("cli:%d", i-1), prev) {
				mu.Lock()
				delete(cliTags, i-1)
				mu.Unlock()
			}
		}
	})
	// CLI include: a new file each round, included with its own tag.
	worker(func(i int) {
		p := filepath.Join(root, "inc", fmt.Sprintf("i%04d.txt", i))
		writeFile(t, p, []byte("inc "+strconv.Itoa(i)))
		if cli("cli include", "include", "-t", fmt.Sprintf("inc:%d", i), p) {
			mu.Lock()
			incFiles++
			mu.Unlock()
		}
	})
	// CLI reader.
	worker(func(i int) {
		queries := []string{"base", "cli:*", "base -missing", "tags>=2", "path:" + moving + "/*"}
		cli("cli find", "find", "--count", queries[i%len(queries)])
	})
	// The simulated GUI: tags and untags moving files by id while they are renamed, and
	// searches.
	worker(func(i int) {
		id := movingIDs[i%nMoving]
		tag := fmt.Sprintf("gui:%d", i)
		if _, err := lib.TagFiles(ctx, []int64{id}, []string{tag}, library.TagOptions{Create: true}); err != nil {
			fail("gui tag", err.Error())
		} else {
			count("gui tag")
			mu.Lock()
			guiTags[id] = append(guiTags[id], tag)
			mu.Unlock()
		}
		if i%4 == 3 {
			prev := fmt.Sprintf("gui:%d", i-1)
			pid := movingIDs[(i-1)%nMoving]
			if _, err := lib.UntagFiles(ctx, []int64{pid}, []string{prev}); err != nil {
				fail("gui untag", err.Error())
			} else {
				count("gui untag")
				mu.Lock()
				guiTags[pid] = deleteString(guiTags[pid], prev)
				mu.Unlock()
			}
		}
		res, err := lib.Search(ctx, "base gui:*", library.SearchOptions{})
		if err != nil {
			fail("gui search", err.Error())
		} else if res.Count() == 0 {
			fail("gui search", "base gui:* found nothing after a gui tag")
		} else {
			count("gui search")
		}
	})
	// Renames in the moving folder, applied by hoard watch.
	current := map[int64]string{} // entry id -> path on disk now
	for i, id := range movingIDs {
		current[id] = filepath.Join(moving, fmt.Sprintf("m%03d.txt", i))
	}
	renames := 0
	if w != nil {
		worker(func(i int) {
			id := movingIDs[i%nMoving]
			to := filepath.Join(moving, fmt.Sprintf("r%06d.txt", i))
			if err := os.Rename(current[id], to); err != nil {
				fail("rename", err.Error())
				return
			}
			current[id] = to
			renames++
			time.Sleep(2 * time.Millisecond)
		})
		// Drain hoard watch's lines so it never blocks on its stdout.
		go func() {
			for range w.lines {
			}
		}()
	}
	wg.Wait()

	if w != nil {
		// Every rename before a marker has been applied once the marker has.
		marker := filepath.Join(moving, "marker")
		writeFile(t, marker, nil)
		mustIncludeOK(t, h, marker)
		if err := os.Rename(marker, marker+"2"); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 20*time.Second, func() bool {
			f, err := lib.FileByPath(ctx, marker+"2")
			return err == nil && !f.Missing
		})
	}

	mu.Lock()
	defer mu.Unlock()
	t.Logf("%v: operations %v, %d renames applied by hoard watch, %d failures (%d database locked/busy)",
		dur, ops, renames, len(failures), locked.Load())
	for _, f := range failures[:min(len(failures), 10)] {
		t.Error(f)
	}
	if locked.Load() > 0 {
		t.Errorf("%d operations failed with database locked/busy", locked.Load())
	}

	// Every write accounted for.
	got := readTaggings(t, h.db)
	for id, tags := range guiTags {
		for _, tag := range tags {
			want[strconv.FormatInt(id, 10)+" "+tag] = true
		}
	}
	for i := range cliTags {
		f, err := lib.FileByPath(ctx, filepath.Join(fixed, fmt.Sprintf("f%03d.txt", i%nFixed)))
		if err != nil {
			t.Fatal(err)
		}
		want[strconv.FormatInt(f.ID, 10)+" "+fmt.Sprintf("cli:%d", i)] = true
	}
	for k := range want {
		if !got[k] {
			t.Errorf("tagging %q was made but is not in the index", k)
		}
	}
	for k := range got {
		_, tag, _ := strings.Cut(k, " ")
		if (strings.HasPrefix(tag, "cli:") || strings.HasPrefix(tag, "gui:")) && !want[k] {
			t.Errorf("tagging %q is in the index but was removed", k)
		}
	}
	if n := got.countTag("base"); n != nFixed+nMoving {
		t.Errorf("%d entries tagged base, want %d", n, nFixed+nMoving)
	}
	if n := len(lines(h.ok("find", "inc:*"))); n != incFiles {
		t.Errorf("%d included files found, want %d", n, incFiles)
	}
	for id, p := range current {
		f, err := lib.FileByPath(ctx, p)
		if err != nil || f.ID != id || f.Missing {
			t.Errorf("entry %d: the index has %+v (%v) at %q, where the renames left it", id, f, err, p)
		}
	}
	noIntegrityProblems(t, h)
}

func deleteString(ss []string, s string) []string {
	for i, x := range ss {
		if x == s {
			return append(ss[:i], ss[i+1:]...)
		}
	}
	return ss
}

func mustIncludeOK(t *testing.T, h *hoardCLI, p string) {
	t.Helper()
	h.ok("include", p)
}

// waitFor polls cond every 20 ms until it holds, failing after d.
func waitFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
