package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDesktopEntryLaunches does what a double-click on the launcher does: `make
// install` into a prefix that exists (so the entry's Exec and TryExec paths are real),
// then `gtk-launch app.hoard.Hoard` with that prefix's share folder on
// XDG_DATA_DIRS, and checks that the installed program opens its window on the
// default library, with the window class the entry names and, as root, the installed
// tracker helper running.
func TestDesktopEntryLaunches(t *testing.T) {
	needX(t)
	launch, err := exec.LookPath("gtk-launch")
	if err != nil {
		t.Skip("gtk-launch is not installed (apt-get install libgtk-3-bin; make test installs it)")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	tmp := t.TempDir()
	prefix := filepath.Join(tmp, "prefix")
	// DESTDIR=/ keeps the Makefile's system-wide steps (the hoard group, the desktop
	// database) off this machine; POLKITDIR keeps polkit's folders untouched.
	install := exec.Command("make", "install", "DESTDIR=/", "PREFIX="+prefix, "POLKITDIR="+filepath.Join(prefix, "share/polkit-1"))
	install.Dir = repoRoot()
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("make install PREFIX=%s: %v\n%s", prefix, err, out)
	}
	entry, err := os.ReadFile(filepath.Join(prefix, "share/applications/app.hoard.Hoard.desktop"))
	if err != nil {
		t.Fatal(err)
	}
	gui := filepath.Join(prefix, "bin/hoard-gui")
	if !strings.Contains(string(entry), "Exec="+gui+" ") {
		t.Fatalf("the installed entry does not start %s:\n%s", gui, entry)
	}

	display := startXvfb(t)
	home := filepath.Join(tmp, "home")
	// The default library, with a folder in it (so there is something to track),
	// made with the installed CLI.
	photos := filepath.Join(tmp, "photos")
	writePhotos(t, photos, 3)
	defaultDB := filepath.Join(home, ".local/share/hoard/library.db")
	includeWithCLI(t, filepath.Join(prefix, "bin/hoard"), defaultDB, photos, "launched")
	logPath := filepath.Join(tmp, "hoard-gui.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(launch, "app.hoard.Hoard")
	// The launched app inherits this environment (and gtk-launch's stdout, which is
	// how its trace lines reach the log).
	cmd.Env = append(os.Environ(),
		"DISPLAY="+display,
		"LIBGL_ALWAYS_SOFTWARE=1",
		"HOME="+home,
		"XDG_DATA_DIRS="+filepath.Join(prefix, "share"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local/share"),
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"HOARD_DB=",
		"HOARD_GUI_TRACE=1",
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	started := time.Now()
	if err := cmd.Run(); err != nil {
		body, _ := os.ReadFile(logPath)
		t.Fatalf("gtk-launch app.hoard.Hoard: %v\n%s", err, body)
	}
	logText := func() string { b, _ := os.ReadFile(logPath); return string(b) }
	var pid int
	t.Cleanup(func() {
		if pid > 0 {
			syscall.Kill(pid, syscall.SIGTERM)
			for i := 0; i < 100 && syscall.Kill(pid, 0) == nil; i++ {
				time.Sleep(50 * time.Millisecond)
			}
			syscall.Kill(pid, syscall.SIGKILL)
		}
		t.Logf("hoard-gui output:\n%s", logText())
	})
	// gtk-launch returns once the program is spawned; find it by its executable.
	waitUntil(t, 30*time.Second, "the installed hoard-gui process", func() bool {
		pid = processByExe(gui)
		return pid > 0
	})
	xdo := func(args ...string) (string, error) {
		c := exec.Command("xdotool", args...)
		c.Env = append(os.Environ(), "DISPLAY="+display)
		out, err := c.Output()
		return strings.TrimSpace(string(out)), err
	}
	var win string
	waitUntil(t, 60*time.Second, "the Hoard window", func() bool {
		out, err := xdo("search", "--name", "^Hoard$")
		if err != nil || out == "" {
			return false
		}
		win = strings.Fields(out)[0]
		return true
	})
	waitUntil(t, 120*time.Second, "the first grid page", func() bool {
		return strings.Contains(logText(), "first grid page shown")
	})
	t.Logf("gtk-launch to the first grid page: %v", time.Since(started).Round(time.Millisecond))

	// The window belongs to the launched program and carries the entry's class.
	if out, err := xdo("getwindowpid", win); err == nil {
		if got, _ := strconv.Atoi(out); got != pid {
			t.Errorf("the Hoard window belongs to pid %d, the launched hoard-gui is %d", got, pid)
		}
	}
	out, err := exec.Command("xprop", "-display", display, "-id", win, "WM_CLASS").CombinedOutput()
	if err != nil {
		t.Fatalf("xprop: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), `"Hoard"`) || !strings.Contains(string(entry), "StartupWMClass=Hoard") {
		t.Errorf("window class %s; the entry says %q", strings.TrimSpace(string(out)), "StartupWMClass=Hoard")
	}
	// No --db: the launcher opened the default library (its 3 photos).
	if !strings.Contains(logText(), "(3 results)") {
		t.Errorf("the launched window does not show the default library's 3 files")
	}
	if os.Geteuid() == 0 {
		// As root the app runs the helper installed beside it, in PREFIX/libexec.
		helper := filepath.Join(prefix, "libexec/hoard-tracker")
		waitUntil(t, 30*time.Second, "the installed tracker helper", func() bool {
			return strings.Contains(logText(), "tracker: tracking") && processByExe(helper) > 0
		})
	}
	shot := filepath.Join(repoRoot(), "tests", "artifacts", "launch-gtk-launch.png")
	os.MkdirAll(filepath.Dir(shot), 0o755)
	c := exec.Command("import", "-window", "root", shot)
	c.Env = append(os.Environ(), "DISPLAY="+display)
	if out, err := c.CombinedOutput(); err != nil {
		t.Errorf("screenshot: %v\n%s", err, out)
	} else {
		t.Logf("screenshot %s", shot)
	}
}

// processByExe is the pid of a running process whose executable is exe, or 0.
func processByExe(exe string) int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err == nil && p == exe {
			return pid
		}
	}
	return 0
}
