package tests

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// hoardCLI runs the built `hoard` binary against one library in a temp folder.
type hoardCLI struct {
	t   testing.TB
	bin string
	db  string
	dir string // working folder for relative paths
}

func newHoardCLI(t testing.TB) *hoardCLI {
	t.Helper()
	tmp := t.TempDir()
	return &hoardCLI{t: t, bin: binary(t, "hoard"), db: filepath.Join(tmp, "data", "library.db"), dir: tmp}
}

// on returns h reporting to t (a subtest), so a failed run stops only that subtest.
func (h *hoardCLI) on(t testing.TB) *hoardCLI {
	c := *h
	c.t = t
	return &c
}

// result is one run of the binary.
type result struct {
	stdout, stderr string
	code           int
}

func (h *hoardCLI) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, h.bin, args...)
	cmd.Dir = h.dir
	cmd.Env = append(os.Environ(), "HOARD_DB="+h.db,
		"XDG_CACHE_HOME="+filepath.Join(h.dir, "cache"), "XDG_DATA_HOME="+filepath.Join(h.dir, "xdgdata"))
	return cmd
}

// run runs hoard with args and returns what it printed and its exit code.
func (h *hoardCLI) run(args ...string) result {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := h.command(ctx, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		h.t.Fatalf("hoard %q: %v", args, err)
	}
	if ctx.Err() != nil {
		h.t.Fatalf("hoard %q: timed out (blocked?)", args)
	}
	return result{out.String(), errb.String(), code}
}

// ok runs hoard and fails the test unless it exits 0; it returns stdout.
func (h *hoardCLI) ok(args ...string) string {
	h.t.Helper()
	r := h.run(args...)
	if r.code != 0 {
		h.t.Fatalf("hoard %q: exit %d\nstdout: %s\nstderr: %s", args, r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// fail runs hoard, wants exit code want, a one-line error on stderr containing each of
// wantErr, and returns the result.
func (h *hoardCLI) fail(want int, args []string, wantErr ...string) result {
	h.t.Helper()
	r := h.run(args...)
	if r.code != want {
		h.t.Fatalf("hoard %q: exit %d, want %d\nstdout: %s\nstderr: %s", args, r.code, want, r.stdout, r.stderr)
	}
	if lines := strings.Count(strings.TrimSuffix(r.stderr, "\n"), "\n"); lines != 0 || r.stderr == "" {
		h.t.Errorf("hoard %q: stderr is not one line: %q", args, r.stderr)
	}
	for _, w := range wantErr {
		if !strings.Contains(r.stderr, w) {
			h.t.Errorf("hoard %q: stderr %q does not say %q", args, r.stderr, w)
		}
	}
	return r
}

// lines splits newline-terminated output.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// find runs `hoard find -0 QUERY` and returns the sorted paths (NUL-separated, so
// names with newlines survive).
func (h *hoardCLI) find(query string) []string {
	h.t.Helper()
	out := h.ok("find", "-0", "--", query)
	if out == "" {
		return []string{}
	}
	if !strings.HasSuffix(out, "\x00") {
		h.t.Fatalf("find -0 %q: output does not end with NUL: %q", query, out)
	}
	ps := strings.Split(strings.TrimSuffix(out, "\x00"), "\x00")
	slices.Sort(ps)
	return ps
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func fileSum(t testing.TB, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}
