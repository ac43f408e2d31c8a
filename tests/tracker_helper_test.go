package tests

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"hoard/tracker"
	"hoard/tracker/privdrop"
)

// The root helper's security, end to end: what it refuses, what it drops,
// when it exits, and what it never tells.

// helperProc runs the helper binary by hand, for the cases the Client hides.
type helperProc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	outR   *os.File
	stderr bytes.Buffer
}

func startHelper(t testing.TB, env ...string) *helperProc {
	t.Helper()
	needRoot(t)
	h := &helperProc{cmd: exec.Command(binary(t, "hoard-tracker"))}
	h.cmd.Env = append(os.Environ(), env...)
	h.cmd.Stderr = &h.stderr
	var err error
	if h.stdin, err = h.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	h.cmd.Stdout = w
	h.outR = r
	h.stdout = bufio.NewReader(r)
	if err := h.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() {
		h.stdin.Close()
		h.cmd.Process.Kill()
		h.cmd.Wait()
		r.Close()
	})
	return h
}

// wait returns the helper's exit code, failing if it runs longer than limit.
func (h *helperProc) wait(t testing.TB, limit time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- h.cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatalf("wait: %v", err)
		}
		return 0
	case <-time.After(limit):
		t.Fatalf("helper still running after %v; stderr:\n%s", limit, h.stderr.String())
		return -1
	}
}

func (h *helperProc) readyOrSkip(t testing.TB) {
	t.Helper()
	line, err := h.stdout.ReadBytes('\n')
	if err != nil {
		t.Fatalf("read ready: %v; stderr:\n%s", err, h.stderr.String())
	}
	ev, err := tracker.ParseEvent(bytes.TrimSuffix(line, []byte("\n")))
	if err == nil && ev.Type == tracker.TypeError && strings.Contains(ev.Msg, "kernel refused BPF") {
		t.Skipf("kernel refused BPF: %s", ev.Msg)
	}
	if err != nil || ev.Type != tracker.TypeReady {
		t.Fatalf("first line %q (%v), want ready", line, err)
	}
}

func TestTrackerRefusesRoots(t *testing.T) {
	needRoot(t)
	dir := trackedDir(t)
	file := filepath.Join(dir, "file")
	touch(t, file)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	private := filepath.Join(dir, "private")
	if err := os.Mkdir(private, 0o700); err != nil { // root's, unreadable by uid 4000123
		t.Fatal(err)
	}
	cases := []struct {
		name string
		root string
		env  []string
	}{
		{"slash", "/", nil},
		{"etc", "/etc", nil},
		{"proc", "/proc", nil},
		{"sys", "/sys/kernel", nil},
		{"dev", "/dev", nil},
		{"relative", "tmp", nil},
		{"dotdot", dir + "/../" + filepath.Base(dir), nil},
		{"unclean", dir + "/", nil},
		{"missing", filepath.Join(dir, "missing"), nil},
		{"a file", file, nil},
		{"a symlink", link, nil},
		{"unreadable by the invoking user", private, []string{"PKEXEC_UID=4000123"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := startHelper(t, c.env...)
			fmt.Fprintf(h.stdin, `{"v":1,"roots":[%q]}`+"\n", c.root)
			line, _ := h.stdout.ReadBytes('\n')
			ev, err := tracker.ParseEvent(bytes.TrimSuffix(line, []byte("\n")))
			if err != nil || ev.Type != tracker.TypeError {
				t.Fatalf("first line %q (%v), want an error", line, err)
			}
			if code := h.wait(t, 5*time.Second); code != tracker.ExitBadRoots {
				t.Fatalf("exit code %d, want %d; %s", code, tracker.ExitBadRoots, ev.Msg)
			}
		})
	}
	t.Run("readable by the invoking user", func(t *testing.T) {
		own := filepath.Join(dir, "own")
		if err := os.Mkdir(own, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(own, 4000123, privdrop.Nobody); err != nil {
			t.Fatal(err)
		}
		h := startHelper(t, "PKEXEC_UID=4000123")
		fmt.Fprintf(h.stdin, `{"v":1,"roots":[%q]}`+"\n", own)
		h.readyOrSkip(t)
	})
}

func TestTrackerRejectsInput(t *testing.T) {
	needRoot(t)
	root := trackedDir(t)
	cases := []struct {
		name  string
		input func(w io.Writer)
	}{
		{"garbage", func(w io.Writer) { io.WriteString(w, "hello\n") }},
		{"wrong version", func(w io.Writer) { fmt.Fprintf(w, `{"v":2,"roots":[%q]}`+"\n", root) }},
		{"unknown field", func(w io.Writer) { fmt.Fprintf(w, `{"v":1,"roots":[%q],"uid":0}`+"\n", root) }},
		{"no roots", func(w io.Writer) { io.WriteString(w, `{"v":1,"roots":[]}`+"\n") }},
		{"eof before newline", func(w io.Writer) { fmt.Fprintf(w, `{"v":1,"roots":[%q]}`, root) }},
		{"oversized", func(w io.Writer) {
			fmt.Fprintf(w, `{"v":1,"roots":[%q`, root)
			w.Write(bytes.Repeat([]byte(`,"/a"`), tracker.MaxRootsLineBytes/4))
		}},
		{"endless", func(w io.Writer) {
			chunk := bytes.Repeat([]byte("x"), 64<<10)
			for {
				if _, err := w.Write(chunk); err != nil {
					return // the helper stopped reading
				}
			}
		}},
		{"silent", func(w io.Writer) {}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := startHelper(t)
			go func() {
				c.input(h.stdin)
				if c.name != "silent" {
					h.stdin.Close()
				}
			}()
			if code := h.wait(t, 15*time.Second); code != tracker.ExitBadInput {
				t.Fatalf("exit code %d, want %d; stderr:\n%s", code, tracker.ExitBadInput, h.stderr.String())
			}
		})
	}
}

func TestTrackerDropsPrivileges(t *testing.T) {
	root := trackedDir(t)
	cases := []struct {
		name string
		env  []string
		want privdrop.User
	}{
		{"started by root: nobody", nil, privdrop.User{UID: privdrop.Nobody, GID: privdrop.Nobody}},
		{"started through pkexec: the invoking user", []string{"PKEXEC_UID=4000123"}, privdrop.User{UID: 4000123, GID: privdrop.Nobody}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := startHelper(t, c.env...)
			fmt.Fprintf(h.stdin, `{"v":1,"roots":[%q]}`+"\n", root)
			h.readyOrSkip(t)
			pid := h.cmd.Process.Pid
			if err := privdrop.Verify(pid, c.want); err != nil {
				t.Fatal(err)
			}
			s, err := privdrop.ReadStatus("/proc/" + strconv.Itoa(pid) + "/status")
			if err != nil {
				t.Fatal(err)
			}
			if s.CapEff != 0 || s.CapPrm != 0 || s.CapBnd != 0 || s.UID[0] == 0 || s.UID[1] == 0 || !s.NoNewPrivs {
				t.Fatalf("after ready: %+v", s)
			}
			// Its BPF fds see every rename on the machine: the user it runs as
			// must not be able to take them through /proc.
			ls := exec.Command("/bin/ls", "/proc/"+strconv.Itoa(pid)+"/fd")
			ls.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: c.want.UID, Gid: c.want.GID}}
			if out, err := ls.CombinedOutput(); err == nil {
				t.Fatalf("uid %d can list the helper's fds:\n%s", c.want.UID, out)
			}
		})
	}
}

func TestTrackerExits(t *testing.T) {
	root := trackedDir(t)
	t.Run("on stdin close", func(t *testing.T) {
		h := startHelper(t)
		fmt.Fprintf(h.stdin, `{"v":1,"roots":[%q]}`+"\n", root)
		h.readyOrSkip(t)
		h.stdin.Close()
		if code := h.wait(t, 2*time.Second); code != 0 {
			t.Fatalf("exit code %d after stdin close", code)
		}
	})
	t.Run("when its reader dies", func(t *testing.T) {
		h := startHelper(t)
		fmt.Fprintf(h.stdin, `{"v":1,"roots":[%q]}`+"\n", root)
		h.readyOrSkip(t)
		h.outR.Close() // no event will come: the helper must notice by itself
		if code := h.wait(t, 2*time.Second); code != 0 {
			t.Fatalf("exit code %d after stdout close", code)
		}
	})
	t.Run("on SIGTERM", func(t *testing.T) {
		h := startHelper(t)
		fmt.Fprintf(h.stdin, `{"v":1,"roots":[%q]}`+"\n", root)
		h.readyOrSkip(t)
		h.cmd.Process.Signal(syscall.SIGTERM)
		if code := h.wait(t, 2*time.Second); code != 0 {
			t.Fatalf("exit code %d after SIGTERM", code)
		}
	})
}

// TestTrackerHidesWhatTheUserCannotSee: a root the user may read can hold a
// directory they may not; renames in there must not reach them, nor must
// renames by other users outside the roots.
func TestTrackerHidesWhatTheUserCannotSee(t *testing.T) {
	needRoot(t)
	base := trackedDir(t)
	root := filepath.Join(base, "home")
	private := filepath.Join(root, "private")
	outside := filepath.Join(base, "elsewhere")
	for _, d := range []string{root, private, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(root, 4000123, privdrop.Nobody); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(private, 0o700); err != nil { // root's own, inside the user's root
		t.Fatal(err)
	}
	if err := os.Chmod(outside, 0o777); err != nil {
		t.Fatal(err)
	}
	h := startHelper(t, "PKEXEC_UID=4000123")
	fmt.Fprintf(h.stdin, `{"v":1,"roots":[%q]}`+"\n", root)
	h.readyOrSkip(t)

	touch(t, filepath.Join(private, "a"))
	if err := os.Rename(filepath.Join(private, "a"), filepath.Join(private, "secret")); err != nil {
		t.Fatal(err)
	}
	touch(t, filepath.Join(outside, "x"))
	os.Chmod(filepath.Join(outside, "x"), 0o666)
	cmd := exec.Command("/usr/bin/python3", "-c", `import os, sys; os.rename(sys.argv[1], sys.argv[2])`,
		filepath.Join(outside, "x"), filepath.Join(outside, "y"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: privdrop.Nobody, Gid: privdrop.Nobody}}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rename as nobody: %v\n%s", err, out)
	}
	touch(t, filepath.Join(root, "visible"))
	if err := os.Rename(filepath.Join(root, "visible"), filepath.Join(root, "sentinel")); err != nil {
		t.Fatal(err)
	}
	h.eventsUntil(t, filepath.Join(root, "sentinel"), func(ev tracker.Event) { t.Errorf("leaked: %+v", ev) })
}

// TestTrackerPkexecNotAuthorized runs the Client as an ordinary user (nobody),
// so it goes through the real pkexec; with no polkit agent to ask, pkexec
// exits 127 and the Client must say "not authorized", typed.
func TestTrackerPkexecNotAuthorized(t *testing.T) {
	if os.Getenv("HOARD_PKEXEC_CHILD") == "1" {
		_, err := tracker.Start(context.Background(), []string{"/tmp"}, tracker.Options{Helper: os.Getenv("HOARD_PKEXEC_HELPER")})
		switch {
		case errors.Is(err, tracker.ErrNotAuthorized):
			fmt.Println("not-authorized:", err)
		case errors.Is(err, tracker.ErrDismissed):
			fmt.Println("dismissed:", err)
		default:
			fmt.Println("other:", err)
		}
		return
	}
	needRoot(t)
	pkexec, err := exec.LookPath("pkexec")
	if err != nil {
		t.Skip("pkexec is not installed")
	}
	// Our test binary sits in a directory only root may enter: copy it out.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := trackedDir(t)
	exe := filepath.Join(dir, "tests.test")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, data, 0o755); err != nil {
		t.Fatal(err)
	}
	helper := filepath.Join(dir, "hoard-tracker")
	if data, err = os.ReadFile(binary(t, "hoard-tracker")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(helper, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestTrackerPkexecNotAuthorized$")
	cmd.Dir = dir
	cmd.Env = []string{"HOARD_PKEXEC_CHILD=1", "HOARD_PKEXEC_HELPER=" + helper, "PATH=" + filepath.Dir(pkexec) + ":/usr/bin:/bin"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: privdrop.Nobody, Gid: privdrop.Nobody}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	// With an agent and a user at the screen, pkexec would ask instead; here
	// there is none, so 127 is the only right answer.
	if !strings.Contains(string(out), "not-authorized:") {
		t.Fatalf("Client through pkexec without an agent:\n%s", out)
	}
	t.Logf("%s", bytes.TrimSpace(out))
}

// TestTrackerNeedsRoot: started by an ordinary user without pkexec, the helper
// says why and exits with its own code instead of failing somewhere in BPF.
func TestTrackerNeedsRoot(t *testing.T) {
	needRoot(t)
	dir := trackedDir(t)
	helper := filepath.Join(dir, "hoard-tracker")
	data, err := os.ReadFile(binary(t, "hoard-tracker"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(helper, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(helper)
	cmd.Stdin = strings.NewReader(fmt.Sprintf(`{"v":1,"roots":[%q]}`+"\n", dir))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: privdrop.Nobody, Gid: privdrop.Nobody}}
	out, err := cmd.Output()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != tracker.ExitNotRoot {
		t.Fatalf("as nobody: %v, want exit %d; stdout %s", err, tracker.ExitNotRoot, out)
	}
	ev, perr := tracker.ParseEvent(bytes.TrimSpace(out))
	if perr != nil || ev.Type != tracker.TypeError || !strings.Contains(ev.Msg, "pkexec") {
		t.Fatalf("stdout %q (%v), want an error line that mentions pkexec", out, perr)
	}
}

// eventsUntil reads the helper's events until the rename to sentinel, handing every
// other event to other; it fails when none comes within 5 s.
func (h *helperProc) eventsUntil(t testing.TB, sentinel string, other func(tracker.Event)) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if time.Now().After(deadline) {
			t.Fatal("no sentinel event within 5 s")
		}
		line, err := h.stdout.ReadBytes('\n')
		if err != nil {
			t.Fatalf("read: %v; stderr:\n%s", err, h.stderr.String())
		}
		ev, err := tracker.ParseEvent(bytes.TrimSuffix(line, []byte("\n")))
		if err != nil {
			t.Fatalf("bad line %q: %v", line, err)
		}
		if ev.Type == tracker.TypeRename && ev.New == sentinel {
			return
		}
		other(ev)
	}
}
