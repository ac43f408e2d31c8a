package gui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFrameLogWritesEveryTick(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frames")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	fl := newFrameLog(f)
	start := time.UnixMicro(1_700_000_000_000_000)
	for i := range 3 {
		fl.tick(start.Add(time.Duration(i) * 16700 * time.Microsecond))
	}
	if err := fl.close(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "1700000000000000\n1700000000016700\n1700000000033400\n"
	if string(got) != want {
		t.Errorf("frame log = %q, want %q", got, want)
	}
}

func TestFrameLogCountsDroppedTicks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frames")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	fl := newFrameLog(f)
	fl.dropped.Add(2) // as if the queue had been full twice
	err = fl.close()
	if err == nil || !strings.Contains(err.Error(), "2 frame times dropped") {
		t.Errorf("close() = %v, want the dropped count", err)
	}
}
