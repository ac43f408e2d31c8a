package nice

import (
	"errors"
	"testing"
)

func TestThreadAndRun(t *testing.T) {
	base, err := Of()
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan int)
	go func() {
		Thread(3)
		n, _ := Of()
		got <- n
	}()
	if n := <-got; n != min(base+3, 19) {
		t.Errorf("Thread(3): nice %d, want %d", n, min(base+3, 19))
	}
	n, err := Run(4, func() (int, error) { return Of() })
	if err != nil || n != min(base+4, 19) {
		t.Errorf("Run(4): ran at nice %d (%v), want %d", n, err, min(base+4, 19))
	}
	want := errors.New("boom")
	if _, err := Run(1, func() (int, error) { return 0, want }); err != want {
		t.Errorf("Run's error: %v", err)
	}
	// Nothing leaked onto the caller's thread.
	if n, _ := Of(); n != base {
		t.Errorf("the caller's thread went from nice %d to %d", base, n)
	}
	if n, _ := Run(0, func() (int, error) { return Of() }); n != base {
		t.Errorf("Run(0) changed the priority to %d", n)
	}
}
