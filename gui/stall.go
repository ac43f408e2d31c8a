package gui

import (
	"context"
	"sync"
	"time"
)

// stallMeter measures how long work handed to the UI goroutine waits before it runs:
// every 10 ms it queues a no-op through do and keeps the longest delay. A long wait
// means the UI goroutine was blocked (a frame could not be drawn).
//
// It is also a gate for background work that competes with drawing: while a probe
// has waited longer than holdAfter, wait blocks, so an import's workers step aside
// until the window has drawn its frame, instead of the frame waiting for them.
type stallMeter struct {
	mu    sync.Mutex
	worst time.Duration
	held  chan struct{} // non-nil while the UI is late; closed when it catches up
	done  chan struct{}
	logf  func(format string, args ...any) // each wait over 50 ms, when tracing
	start time.Time
}

const (
	stallProbeEvery = 10 * time.Millisecond
	// holdAfter is how late the UI goroutine may be before background work waits
	// for it: well inside the 50 ms a frame may take.
	holdAfter = 15 * time.Millisecond
)

func startStallMeter(do func(func()), logf func(format string, args ...any)) *stallMeter {
	m := &stallMeter{done: make(chan struct{}), logf: logf, start: time.Now()}
	go func() {
		t := time.NewTicker(stallProbeEvery)
		defer t.Stop()
		late := time.NewTimer(time.Hour)
		defer late.Stop()
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
			late.Reset(holdAfter)
			select {
			case <-ran:
				continue
			case <-late.C:
				m.hold()
			case <-m.done:
				return
			}
			select {
			case <-ran:
				m.release()
			case <-m.done:
				m.release()
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

func (m *stallMeter) hold() {
	select {
	case <-m.done:
		return
	default:
	}
	m.mu.Lock()
	if m.held == nil {
		m.held = make(chan struct{})
	}
	m.mu.Unlock()
}

func (m *stallMeter) release() {
	m.mu.Lock()
	if m.held != nil {
		close(m.held)
		m.held = nil
	}
	m.mu.Unlock()
}

// wait returns at once unless the UI goroutine is late; then it returns when the UI
// has caught up (or ctx ends).
func (m *stallMeter) wait(ctx context.Context) {
	m.mu.Lock()
	h := m.held
	m.mu.Unlock()
	if h == nil {
		return
	}
	select {
	case <-h:
	case <-ctx.Done():
	}
}

// stop ends the measurement and returns the longest wait seen.
func (m *stallMeter) stop() time.Duration {
	close(m.done)
	m.release()
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.worst
}

// frameGate is a stall meter that runs only while background work uses it: the
// thumbnail generators wait on it before each thumbnail, so decoding steps aside
// while a frame is late, and an idle window is not woken a hundred times a second
// by the probe. The meter starts on the first wait and stops after a second
// without one.
type frameGate struct {
	do func(func())

	mu    sync.Mutex
	meter *stallMeter
	last  time.Time
}

// gateIdle is how long the gate's meter runs after the last wait.
const gateIdle = time.Second

func newFrameGate(do func(func())) *frameGate { return &frameGate{do: do} }

func (g *frameGate) wait(ctx context.Context) {
	g.mu.Lock()
	g.last = time.Now()
	m := g.meter
	if m == nil {
		m = startStallMeter(g.do, func(string, ...any) {})
		g.meter = m
		go g.stopWhenIdle(m)
	}
	g.mu.Unlock()
	m.wait(ctx)
}

func (g *frameGate) stopWhenIdle(m *stallMeter) {
	for {
		time.Sleep(gateIdle / 4)
		g.mu.Lock()
		if time.Since(g.last) > gateIdle {
			g.meter = nil
			g.mu.Unlock()
			m.stop()
			return
		}
		g.mu.Unlock()
	}
}
