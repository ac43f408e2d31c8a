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
}

const stallProbeEvery = 10 * time.Millisecond

func startStallMeter(do func(func())) *stallMeter {
	m := &stallMeter{done: make(chan struct{})}
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
}

// stop ends the measurement and returns the longest wait seen.
func (m *stallMeter) stop() time.Duration {
	close(m.done)
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.worst
}
