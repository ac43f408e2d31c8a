package xdnd

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startXvfb starts a private X server and returns its display name. Xvfb
// picks a free display number itself (-displayfd), so parallel test runs
// and other engineers' servers never collide. -noreset keeps it from
// resetting, and refusing connections, each time its last client leaves.
func startXvfb(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("Xvfb")
	if err != nil {
		t.Skip("Xvfb is not installed (apt-get install xvfb): no X server to drop onto")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatalf("pipe for Xvfb's display number: %v", err)
	}
	defer r.Close()
	cmd := exec.Command(bin, "-displayfd", "3", "-nolisten", "tcp", "-noreset", "-screen", "0", "800x600x24")
	cmd.ExtraFiles = []*os.File{w}
	// Should the test binary die without running its cleanups, the kernel
	// still stops the server.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		w.Close()
		t.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	stop := func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	t.Cleanup(stop)

	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if n == "" {
			stop()
			t.Fatalf("Xvfb exited without a display number: %s", stderr.String())
		}
		return ":" + n
	case <-time.After(30 * time.Second):
		stop()
		t.Fatalf("Xvfb gave no display number within 30s: %s", stderr.String())
	}
	return ""
}
