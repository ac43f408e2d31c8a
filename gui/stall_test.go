package gui

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// The gate: while the UI goroutine is late (here: a "do" that runs its function
// 60 ms later), wait blocks; once the UI keeps up, it returns at once.
func TestStallMeterGate(t *testing.T) {
	var delay atomic.Int64 // how late the fake UI goroutine runs queued work
	do := func(f func()) {
		d := time.Duration(delay.Load())
		go func() {
			time.Sleep(d)
			f()
		}()
	}
	m := startStallMeter(do, t.Logf)
	ctx := context.Background()

	// A UI that keeps up: wait does not block.
	time.Sleep(50 * time.Millisecond)
	var inWait time.Duration
	for range 20 {
		start := time.Now()
		m.wait(ctx)
		inWait += time.Since(start)
		time.Sleep(2 * time.Millisecond)
	}
	if inWait > 100*time.Millisecond {
		t.Errorf("wait blocked %v in all with the UI keeping up", inWait)
	}

	// A late UI: once a probe has waited holdAfter, wait blocks until it runs.
	delay.Store(int64(60 * time.Millisecond))
	var longest time.Duration
	for range 20 {
		start := time.Now()
		m.wait(ctx)
		longest = max(longest, time.Since(start))
		time.Sleep(5 * time.Millisecond)
	}
	if longest < 10*time.Millisecond {
		t.Errorf("wait never blocked more than %v while the UI was 60 ms late", longest)
	}
	// A cancelled context ends the wait.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	start := time.Now()
	m.wait(cctx)
	if el := time.Since(start); el > 20*time.Millisecond {
		t.Errorf("wait with a cancelled context took %v", el)
	}
	if w := m.stop(); w < 50*time.Millisecond {
		t.Errorf("worst wait %v, want the 60 ms delays", w)
	}
	// After stop nothing blocks.
	m.wait(ctx)
}

// The frame gate probes the UI only while someone waits on it.
func TestFrameGateStopsWhenIdle(t *testing.T) {
	var probes atomic.Int64
	g := newFrameGate(func(f func()) { probes.Add(1); go f() })
	running := func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		return g.meter != nil
	}
	if running() {
		t.Fatal("the meter runs before any wait")
	}
	g.wait(context.Background())
	if !running() {
		t.Fatal("no meter after a wait")
	}
	time.Sleep(gateIdle + gateIdle/2 + 100*time.Millisecond)
	if running() {
		t.Fatal("the meter still runs a second after the last wait")
	}
	n := probes.Load()
	time.Sleep(100 * time.Millisecond)
	if probes.Load() != n {
		t.Errorf("the UI is still probed while nothing waits")
	}
	if n == 0 {
		t.Errorf("the UI was never probed while the gate was in use")
	}
}
