package privdrop

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestReadStatusSelf(t *testing.T) {
	s, err := ReadStatus("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	if s.UID[0] != uint32(os.Getuid()) {
		t.Fatalf("Uid %v, want real uid %d", s.UID, os.Getuid())
	}
	if os.Geteuid() == 0 && s.Unprivileged(User{UID: 0, GID: 0}) == nil {
		t.Fatal("a root test process counts as unprivileged")
	}
}

func TestInvoking(t *testing.T) {
	cases := []struct {
		name      string
		env       map[string]string
		uid, gid  uint32
		targetUID uint32
	}{
		{"pkexec", map[string]string{"PKEXEC_UID": "4001234"}, 4001234, Nobody, 4001234},
		{"sudo", map[string]string{"SUDO_UID": "1000", "SUDO_GID": "1001"}, 1000, 1001, 1000},
		{"pkexec wins", map[string]string{"PKEXEC_UID": "4000007", "SUDO_UID": "8"}, 4000007, Nobody, 4000007},
		{"pkexec by root", map[string]string{"PKEXEC_UID": "0"}, 0, 0, Nobody},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("PKEXEC_UID", "")
			t.Setenv("SUDO_UID", "")
			os.Unsetenv("PKEXEC_UID")
			os.Unsetenv("SUDO_UID")
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			u, err := Invoking()
			if err != nil {
				t.Fatal(err)
			}
			if u.UID != c.uid || u.GID != c.gid || u.Target().UID != c.targetUID {
				t.Fatalf("Invoking() = %+v target %+v, want uid %d gid %d target %d", u, u.Target(), c.uid, c.gid, c.targetUID)
			}
		})
	}
	t.Setenv("PKEXEC_UID", "abc")
	if _, err := Invoking(); err == nil {
		t.Fatal("PKEXEC_UID=abc accepted")
	}
}

// TestDrop re-runs this test binary as a child that drops to nobody, then
// reads the child's /proc status from outside while it waits.
func TestDrop(t *testing.T) {
	if os.Getenv("PRIVDROP_CHILD") == "1" {
		if err := Drop(User{UID: Nobody, GID: Nobody}); err != nil {
			os.Stdout.WriteString("error: " + err.Error() + "\n")
			os.Exit(1)
		}
		if d, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0); err != nil || d != 0 {
			os.Stdout.WriteString("error: still dumpable\n")
			os.Exit(1)
		}
		os.Stdout.WriteString("dropped\n")
		buf := make([]byte, 1)
		os.Stdin.Read(buf) // hold still until the parent has looked
		os.Exit(0)
	}
	if os.Geteuid() != 0 {
		t.Skip("dropping privileges needs root")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDrop$")
	cmd.Env = append(os.Environ(), "PRIVDROP_CHILD=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	line := make([]byte, 256)
	n, _ := stdout.Read(line)
	if got := strings.TrimSpace(string(line[:n])); got != "dropped" {
		t.Fatalf("child said %q", got)
	}
	tasks, _ := filepath.Glob("/proc/" + itoa(cmd.Process.Pid) + "/task/*/status")
	if len(tasks) < 2 {
		t.Fatalf("child has %d threads; the test wants a multi-threaded process", len(tasks))
	}
	if err := Verify(cmd.Process.Pid, User{UID: Nobody, GID: Nobody}); err != nil {
		t.Fatal(err)
	}
	s, err := ReadStatus("/proc/" + itoa(cmd.Process.Pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	if s.CapEff != 0 || s.CapPrm != 0 || s.CapBnd != 0 || s.UID[1] == 0 {
		t.Fatalf("child status after drop: %+v", s)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
