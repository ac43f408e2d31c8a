package tests

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCLIHostileNames includes files named with every byte from 0x01 to 0xFF, one
// name holding all of them, and a path near PATH_MAX; each must come back byte-exact
// from find -0 and find --json, and be taggable by its path.
func TestCLIHostileNames(t *testing.T) {
	h := newHoardCLI(t)
	root := filepath.Join(h.dir, "hostile")
	var want []string
	var all []byte
	for b := 1; b <= 0xFF; b++ {
		if b == '/' {
			continue
		}
		all = append(all, byte(b))
		name := "b" + string([]byte{byte(b)})
		p := filepath.Join(root, name)
		writeFile(t, p, []byte{byte(b)})
		want = append(want, p)
	}
	allName := filepath.Join(root, string(all))
	writeFile(t, allName, []byte("all"))
	want = append(want, allName)
	for _, name := range []string{"-", "--", "-t", " ", "\n", "..."} {
		p := filepath.Join(root, "edge", name)
		writeFile(t, p, []byte(name))
		want = append(want, p)
	}
	long := root
	for len(long) < 3900 {
		long = filepath.Join(long, strings.Repeat("L", 200))
	}
	long = filepath.Join(long, strings.Repeat("x", 4090-len(long)))
	if err := os.MkdirAll(filepath.Dir(long), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(long, []byte("long"), 0o644); err != nil {
		t.Fatalf("a %d-byte path: %v", len(long), err)
	}
	want = append(want, long)
	slices.Sort(want)

	out := h.ok("include", "-t", "hostile", root)
	if !strings.HasPrefix(out, fmt.Sprintf("%d files found: %d added", len(want), len(want))) {
		t.Fatalf("include: %q", out)
	}
	t.Run("find -0", func(t *testing.T) {
		h := h.on(t)
		if got := h.find("hostile"); !slices.Equal(got, want) {
			t.Errorf("find -0 returned %d paths, want %d; first differences: %q", len(got), len(want), firstDiff(got, want))
		}
	})
	t.Run("find --json", func(t *testing.T) {
		h := h.on(t)
		var got []string
		for _, l := range lines(h.ok("find", "--json", "hostile")) {
			var obj struct {
				Path    string `json:"path"`
				PathB64 string `json:"path_b64"`
			}
			if err := json.Unmarshal([]byte(l), &obj); err != nil {
				t.Fatalf("%q: %v", l, err)
			}
			p := obj.Path
			if obj.PathB64 != "" {
				b, err := base64.StdEncoding.DecodeString(obj.PathB64)
				if err != nil {
					t.Fatal(err)
				}
				p = string(b)
			}
			got = append(got, p)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("find --json returned %d paths, want %d; first differences: %q", len(got), len(want), firstDiff(got, want))
		}
	})
	t.Run("tag by hostile path", func(t *testing.T) {
		h := h.on(t)
		picked := []string{allName, long, filepath.Join(root, "b\n"), filepath.Join(root, "b\xff"), filepath.Join(root, "edge", "-t")}
		h.ok(append([]string{"tag", "-t", "picked", "--"}, picked...)...)
		slices.Sort(picked)
		if got := h.find("picked"); !slices.Equal(got, picked) {
			t.Errorf("picked: %q", firstDiff(got, picked))
		}
		// Relative, with a leading '-' and a newline.
		h.dir = filepath.Join(root, "edge")
		h.ok("untag", "-t", "picked", "--", "-t")
		h.ok("tag", "-t", "newline", "--", "\n")
		if got := h.find("newline"); !slices.Equal(got, []string{filepath.Join(root, "edge", "\n")}) {
			t.Errorf("relative newline name: %q", got)
		}
		if got := h.ok("find", "--count", "picked"); got != "4\n" {
			t.Errorf("after untag by relative path, %s picked", got)
		}
	})
}

func firstDiff(got, want []string) []string {
	var d []string
	for _, g := range got {
		if !slices.Contains(want, g) {
			d = append(d, "extra "+g)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			d = append(d, "lacks "+w)
		}
	}
	return d[:min(len(d), 5)]
}

// TestCLIInterrupted sends SIGINT (Ctrl-C) to an include: it must stop with a one-line
// message, exit 1, and leave a consistent index that a re-run completes.
func TestCLIInterrupted(t *testing.T) {
	h := newHoardCLI(t)
	root := filepath.Join(h.dir, "many")
	const n = 8000
	for i := range n {
		writeFile(t, filepath.Join(root, fmt.Sprintf("d%d", i%20), fmt.Sprintf("f%d", i)), []byte(fmt.Sprint(i)))
	}
	h.ok("init")
	cmd := h.command(context.Background(), "include", "-t", "many", root)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(600 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if err == nil {
		t.Skipf("include finished before the interrupt; nothing to check")
	}
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Errorf("interrupted include: exit %d (%v), want 1; stderr %q", code, err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "interrupted") || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("interrupted include stderr: %q", stderr.String())
	}
	integrityCheck(t, h.db)
	all := h.ok("find", "--count")
	t.Logf("%s files indexed at the interrupt", strings.TrimSpace(all))
	if all != "0\n" {
		if tagged := h.ok("find", "--count", "many"); tagged != all {
			t.Errorf("%s files but %s tagged", all, tagged)
		}
	}
	h.ok("include", "-t", "many", root)
	if got := h.ok("find", "--count", "many"); got != fmt.Sprintf("%d\n", n) {
		t.Errorf("after re-run %s tagged, want %d", got, n)
	}
}

// TestCLITagKilled SIGKILLs `hoard tag` of many files at several points: a tag edit is
// one transaction, so afterwards either every file has the tag or none does.
func TestCLITagKilled(t *testing.T) {
	h := newHoardCLI(t)
	root := filepath.Join(h.dir, "many")
	const n = 20000
	for i := range n {
		writeFile(t, filepath.Join(root, fmt.Sprintf("d%d", i%20), fmt.Sprintf("f%d", i)), []byte(fmt.Sprint(i)))
	}
	h.ok("include", root)
	for i, delay := range []time.Duration{20 * time.Millisecond, 60 * time.Millisecond, 120 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond} {
		tag := fmt.Sprintf("round%d", i)
		cmd := h.command(context.Background(), "tag", "-t", tag, root)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL)
		werr := cmd.Wait()
		integrityCheck(t, h.db)
		r := h.run("find", "--count", tag)
		switch {
		case r.code == 1 && strings.Contains(r.stderr, "unknown tag"):
			t.Logf("killed after %v (err %v): nothing committed", delay, werr)
		case r.code == 0 && (r.stdout == "0\n" || r.stdout == fmt.Sprintf("%d\n", n)):
			t.Logf("killed after %v (err %v): %s tagged", delay, werr, strings.TrimSpace(r.stdout))
		default:
			t.Errorf("after a kill at %v, find %s: %+v (want 0 or %d)", delay, tag, r, n)
		}
	}
}
