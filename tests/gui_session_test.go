package tests

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// needX skips a test when the X tools the GUI tests drive are missing.
func needX(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"Xvfb", "xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (apt-get install xvfb xdotool imagemagick)", tool)
		}
	}
}

// guiSession is a running hoard-gui on its own Xvfb display, with xdotool and
// screenshot helpers. Screenshots go to tests/artifacts/.
type guiSession struct {
	t              *testing.T
	display        string
	cmd            *exec.Cmd
	log            *syncBuffer
	win            string
	wx, wy, ww, wh int
	started        time.Time
	firstPaint     time.Duration // exec to the "first grid page shown" line
}

// startGUI starts Xvfb and hoard-gui on db (with HOME and the XDG folders in a temp
// dir, per-query timings on, then env) and waits for the window and its first grid page.
func startGUI(t *testing.T, gui, db string, env ...string) *guiSession {
	t.Helper()
	tmp := t.TempDir()
	g := &guiSession{t: t, display: startXvfb(t), log: &syncBuffer{}}
	g.cmd = exec.Command(gui, "--db", db)
	g.cmd.Env = append(os.Environ(),
		"DISPLAY="+g.display,
		"LIBGL_ALWAYS_SOFTWARE=1",
		"HOME="+tmp,
		"XDG_CONFIG_HOME="+filepath.Join(tmp, "config"),
		"XDG_CACHE_HOME="+filepath.Join(tmp, "cache"),
		"XDG_DATA_HOME="+filepath.Join(tmp, "data"),
		"HOARD_GUI_TRACE=1",
	)
	g.cmd.Env = append(g.cmd.Env, env...)
	g.cmd.Stdout, g.cmd.Stderr = g.log, g.log
	g.started = time.Now()
	if err := g.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.stop)
	waitUntil(t, 60*time.Second, "the Hoard window", func() bool {
		c := exec.Command("xdotool", "search", "--name", "^Hoard$")
		c.Env = g.env()
		out, err := c.Output()
		if err != nil || len(bytes.TrimSpace(out)) == 0 {
			return false
		}
		g.win = strings.Fields(string(out))[0]
		return true
	})
	waitUntil(t, 120*time.Second, "the first grid page", func() bool {
		return strings.Contains(g.log.String(), "first grid page shown")
	})
	g.firstPaint = time.Since(g.started)
	geom := g.x("getwindowgeometry", "--shell", g.win)
	g.wx, g.wy, g.ww, g.wh = geomValue(geom, "X"), geomValue(geom, "Y"), geomValue(geom, "WIDTH"), geomValue(geom, "HEIGHT")
	t.Logf("window %s at %d,%d size %dx%d; first grid page %v after exec", g.win, g.wx, g.wy, g.ww, g.wh, g.firstPaint)
	return g
}

func (g *guiSession) env() []string {
	return append(os.Environ(), "DISPLAY="+g.display)
}

func (g *guiSession) stop() {
	g.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- g.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		g.cmd.Process.Kill()
		<-done
	}
	g.t.Logf("hoard-gui output:\n%s", g.log.String())
}

// x runs xdotool.
func (g *guiSession) x(args ...string) string {
	g.t.Helper()
	c := exec.Command("xdotool", args...)
	c.Env = g.env()
	out, err := c.CombinedOutput()
	if err != nil {
		g.t.Fatalf("xdotool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// click clicks button at (px, py) in window coordinates.
func (g *guiSession) click(px, py int, button string) {
	g.t.Helper()
	g.x("mousemove", "--sync", strconv.Itoa(g.wx+px), strconv.Itoa(g.wy+py))
	g.x("click", button)
}

// shot saves a screenshot of the whole screen in tests/artifacts.
func (g *guiSession) shot(name string) string {
	g.t.Helper()
	dir := filepath.Join(repoRoot(), "tests", "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		g.t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	c := exec.Command("import", "-window", "root", p)
	c.Env = g.env()
	if out, err := c.CombinedOutput(); err != nil {
		g.t.Fatalf("screenshot: %v\n%s", err, out)
	}
	g.t.Logf("screenshot %s", p)
	return p
}

// startXvfb starts an X server on a display it picks itself (-displayfd: no race
// with other servers) and returns the display's name once the server is ready.
func startXvfb(t *testing.T) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	t.Cleanup(func() {
		// SIGTERM, so the server removes its lock file and socket.
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(r)
		s.Scan()
		line <- strings.TrimSpace(s.Text())
	}()
	select {
	case n := <-line:
		if n == "" {
			t.Fatal("Xvfb exited without a display")
		}
		return ":" + n
	case <-time.After(20 * time.Second):
		t.Fatal("Xvfb did not start in 20 s")
	}
	return ""
}

func geomValue(shell, key string) int {
	for _, line := range strings.Split(shell, "\n") {
		if v, ok := strings.CutPrefix(line, key+"="); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}

func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func residentKB(t *testing.T, pid int) int {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.Fields(v)[0])
			return n
		}
	}
	return 0
}

// syncBuffer collects a process's output for several goroutines to read.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
