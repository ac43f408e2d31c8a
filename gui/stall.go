package gui

import (
	"sync"
	"time"
)

// stallMeter measures how long work handed to the UI goroutine waits before it runs:
// every 10 ms it queues a no-op through do and keeps the longest delay. A long wait
// means the UI goroutine was blocked (a frame could not be drawn).
type stallMeter struct {
	mu    sync.Mutex
	worst time.Duration
	done  chan struct{}
	logf  func(format string, args ...any) // each wait over 50 ms, when tracing
	start time.Time
}

const stallProbeEvery = 10 * time.Millisecond

func startStallMeter(do func(func()), logf func(format string, args ...any)) *stallMeter {
	m := &stallMeter{done: make(chan struct{}), logf: logf, start: time.Now()}
	go func() {
		t := time.NewTicker(stallProbeEvery)
		defer t.Stop()
		for {
			select {
			case <-m.done:
				return
			case <-t.C:
			}
			sent := time.Now()
			ran := make(chan struct{})
			do(func() {
				m.note(time.Since(sent))
				close(ran)
			})
			select {
			case <-ran:
			case <-m.done:
				return
			}
		}
	}()
	return m
}

func (m *stallMeter) note(d time.Duration) {
	m.mu.Lock()
	m.worst = max(m.worst, d)
	m.mu.Unlock()
	if d > 50*time.Millisecond {
		m.logf("ui: waited %d ms at %d ms", d.Milliseconds(), time.Since(m.start).Milliseconds())
	}
}

// stop ends the measurement and returns the longest wait seen.
func (m *stallMeter) stop() time.Duration {
	close(m.done)
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.worst
}
