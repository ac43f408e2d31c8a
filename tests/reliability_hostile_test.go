package tests

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Hostile names and special files, for `hoard check` and `hoard watch` (include and
// find are covered by TestCLIHostileNames and TestCLISpecialFilesNeverBlock).

// hostileTree fills root with a file per byte 0x01–0xFF (but '/'), one named with all
// of them, names with newlines and a path of about 4,000 bytes, plus a FIFO, symlink
// loops and (as root) a device node, which must be passed over. It returns the regular
// files.
func hostileTree(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	var all []byte
	for b := 1; b <= 0xFF; b++ {
		if b == '/' {
			continue
		}
		all = append(all, byte(b))
		p := filepath.Join(root, "b"+string([]byte{byte(b)}))
		writeFile(t, p, []byte{'h', byte(b)})
		files = append(files, p)
	}
	for _, name := range []string{string(all), "\n", "two\nlines\n", "-t", "..."} {
		p := filepath.Join(root, "odd", name)
		writeFile(t, p, []byte("odd "+name))
		files = append(files, p)
	}
	long := filepath.Join(root, "long")
	for len(long) < 3800 {
		long = filepath.Join(long, strings.Repeat("L", 200))
	}
	long = filepath.Join(long, strings.Repeat("x", 4000-len(long)))
	writeFile(t, long, []byte("long"))
	files = append(files, long)
	special := filepath.Join(root, "special")
	if err := os.MkdirAll(special, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(special, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	for from, to := range map[string]string{"loop": ".", "self": "self", "up": ".."} {
		if err := os.Symlink(to, filepath.Join(special, from)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mknod(filepath.Join(special, "null"), syscall.S_IFCHR|0o666, 1<<8|3); err != nil && !errors.Is(err, syscall.EPERM) {
		t.Fatal(err)
	}
	slices.Sort(files)
	return files
}

// runWithin runs hoard and fails if it takes longer than d (blocked on a FIFO?).
func runWithin(t *testing.T, h *hoardCLI, d time.Duration, args ...string) result {
	t.Helper()
	start := time.Now()
	r := h.run(args...)
	if el := time.Since(start); el > d {
		t.Fatalf("hoard %q took %v: blocked on a special file?", args, el)
	}
	return r
}

func TestReliabilityHostileNamesCheck(t *testing.T) {
	h := newHoardCLI(t)
	root := filepath.Join(h.dir, "hostile")
	files := hostileTree(t, root)
	out := h.ok("include", "-t", "hostile", root)
	t.Logf("include: %s", strings.SplitN(out, "\n", 2)[0])
	if got := h.find("hostile"); !slices.Equal(got, files) {
		t.Fatalf("include: %q", firstDiff(got, files))
	}
	// A clean check: nothing to report, never blocked by the FIFO or the loops.
	if r := runWithin(t, h, 60*time.Second, "check"); r.code != 0 {
		t.Fatalf("check of an untouched hostile folder: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runWithin(t, h, 60*time.Second, "check", "--full"); r.code != 0 {
		t.Fatalf("check --full: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Move every hostile file behind Hoard's back (a suffix, and into another folder
	// for the odd ones): check --repair must relink each, byte-exact, tags kept.
	var moved []string
	for _, p := range files {
		to := p + "~"
		if filepath.Dir(p) == filepath.Join(root, "odd") {
			to = filepath.Join(root, "odd2", filepath.Base(p))
		}
		mv(t, p, to)
		moved = append(moved, to)
	}
	slices.Sort(moved)
	r := runWithin(t, h, 60*time.Second, "check")
	if r.code != 3 {
		t.Fatalf("check after moves: exit %d, want 3\n%s", r.code, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "moved") && !strings.Contains(r.stdout, "\nmoved") {
		t.Errorf("check reports no moves:\n%.2000s", r.stdout)
	}
	for _, l := range lines(r.stdout) {
		if strings.ContainsAny(l, "\x00\r") {
			t.Errorf("a check line carries a raw control character: %q", l)
		}
	}
	run := checkJSON(t, h, root, "--repair")
	if run.summary.Problems != 0 {
		t.Logf("check --repair --json:\n%s", strings.Join(run.lines, "\n"))
	}
	if r := runWithin(t, h, 60*time.Second, "check"); r.code != 0 {
		t.Fatalf("after check --repair: exit %d\n%.3000s", r.code, r.stdout)
	}
	if got := h.find("hostile"); !slices.Equal(got, moved) {
		t.Fatalf("after the repair: %q", firstDiff(got, moved))
	}
	if got := h.ok("find", "--count", "missing"); got != "0\n" {
		t.Errorf("%s entries missing after the repair", got)
	}
	noIntegrityProblems(t, h)
}

func TestReliabilityHostileNamesWatch(t *testing.T) {
	root := trackedDir(t)
	files := hostileTree(t, root)
	w := startWatch(t, root, "hostile")
	go func() { // lines are looked at through the index; keep the pipe flowing
		for m := range w.lines {
			if m["type"] == "garbage" {
				w.t.Errorf("hoard watch printed a line that is not JSON: %v", m["line"])
			}
		}
	}()
	ctx := context.Background()
	// Renaming the special files must not disturb anything.
	special := filepath.Join(root, "special")
	mv(t, filepath.Join(special, "fifo"), filepath.Join(special, "fifo2"))
	mv(t, filepath.Join(special, "loop"), filepath.Join(special, "loop2"))
	ids := map[string]int64{}
	for _, p := range files {
		f, err := w.lib.FileByPath(ctx, p)
		if err != nil {
			t.Fatalf("%q not indexed: %v", p, err)
		}
		ids[p] = f.ID
	}
	renamed := map[string]string{}
	for _, p := range files {
		to := p + "\n~"
		if len(filepath.Base(p)) > 250 { // NAME_MAX is 255
			to = filepath.Join(filepath.Dir(p), filepath.Base(p)[2:]+"\n~")
		}
		if err := os.Rename(p, to); err != nil {
			t.Fatal(err)
		}
		renamed[p] = to
	}
	mv(t, filepath.Join(root, "odd"), filepath.Join(root, "odd\xff\x01renamed"))
	want := func(p string) string {
		return strings.Replace(renamed[p], filepath.Join(root, "odd")+"/", filepath.Join(root, "odd\xff\x01renamed")+"/", 1)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, p := range files {
		for {
			f, err := w.lib.FileByPath(ctx, want(p))
			if err == nil && f.ID == ids[p] && !f.Missing && f.TagCount == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("hoard watch did not apply the rename of %q to %q: %+v %v", p, want(p), f, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.Logf("hoard watch applied %d renames of hostile names and a folder rename", len(files))
	h := newHoardCLI(t)
	h.db = w.lib.Path()
	if r := runWithin(t, h, 60*time.Second, "check"); r.code != 0 {
		t.Fatalf("check after the watched renames: exit %d\n%.3000s", r.code, r.stdout)
	}
}
