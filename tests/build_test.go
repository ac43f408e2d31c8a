// Package tests holds end-to-end tests that build and run Hoard's real binaries:
// CLI scenarios on real files, the eBPF tracker as root, and the window under Xvfb.
package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var (
	binDir     string
	binDirErr  error
	binDirOnce sync.Once
	builds     sync.Map // name -> *buildResult
	cleanups   []string // temporary folders removed after the tests
)

type buildResult struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// binary builds ./cmd/<name> once per test process and returns the executable's path.
func binary(t testing.TB, name string) string {
	t.Helper()
	binDirOnce.Do(func() {
		binDir, binDirErr = os.MkdirTemp("", "hoard-e2e-bin-")
	})
	if binDirErr != nil {
		t.Fatalf("temp bin dir: %v", binDirErr)
	}
	v, _ := builds.LoadOrStore(name, &buildResult{})
	b := v.(*buildResult)
	b.once.Do(func() {
		b.path = filepath.Join(binDir, name)
		cmd := exec.Command("go", "build", "-o", b.path, "./cmd/"+name)
		cmd.Dir = repoRoot()
		b.out, b.err = cmd.CombinedOutput()
	})
	if b.err != nil {
		t.Fatalf("go build ./cmd/%s: %v\n%s", name, b.err, b.out)
	}
	return b.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	for _, dir := range cleanups {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}
