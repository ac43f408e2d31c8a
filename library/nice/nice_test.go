package nice

import "testing"

func TestThread(t *testing.T) {
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
	go func() {
		Thread(0)
		n, _ := Of()
		got <- n
	}()
	if n := <-got; n != base {
		t.Errorf("Thread(0) changed the priority to %d", n)
	}
	// Nothing leaked onto this goroutine's thread.
	if n, _ := Of(); n != base {
		t.Errorf("the test's thread went from nice %d to %d", base, n)
	}
}
