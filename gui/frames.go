package gui

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
)

// logFrames writes the time of every pass of Fyne's render loop to the file named by
// HOARD_GUI_FRAMES (one Unix time in microseconds a line), to measure frame pacing
// from outside, e.g. while a test scrolls the grid. Fyne has no frame callback, but
// its loop ticks running animations once a pass, right before it draws; an endless
// animation that changes nothing is a frame clock that causes no repaint. The gaps
// between lines are the frame times (≈16.7 ms when the loop keeps up).
//
// The returned stop ends the log; call it after the window's loop has returned.
func logFrames(logf func(format string, args ...any)) (stop func()) {
	path := os.Getenv("HOARD_GUI_FRAMES")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		logf("frame log: %v", err)
		return func() {}
	}
	fl := newFrameLog(f)
	clock := &fyne.Animation{
		Duration:    time.Second,
		RepeatCount: fyne.AnimationRepeatForever,
		Tick:        func(float32) { fl.tick(time.Now()) },
	}
	clock.Start()
	return func() {
		clock.Stop()
		if err := fl.close(); err != nil {
			logf("frame log %s: %v", path, err)
		}
	}
}

// frameLog hands frame times from the UI goroutine to a writer goroutine, so a frame
// never waits for the disk; when the writer falls behind, times are dropped and counted.
type frameLog struct {
	ticks   chan time.Time
	dropped atomic.Int64
	done    chan error
}

func newFrameLog(w io.WriteCloser) *frameLog {
	fl := &frameLog{ticks: make(chan time.Time, 4096), done: make(chan error, 1)}
	go func() {
		bw := bufio.NewWriter(w)
		var err error
		for t := range fl.ticks {
			if err == nil {
				_, err = bw.WriteString(strconv.FormatInt(t.UnixMicro(), 10) + "\n")
			}
		}
		if err == nil {
			err = bw.Flush()
		}
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		fl.done <- err
	}()
	return fl
}

func (fl *frameLog) tick(t time.Time) {
	select {
	case fl.ticks <- t:
	default:
		fl.dropped.Add(1)
	}
}

// close writes what is queued and closes the file; no tick may come after it.
func (fl *frameLog) close() error {
	close(fl.ticks)
	err := <-fl.done
	if n := fl.dropped.Load(); n > 0 && err == nil {
		err = fmt.Errorf("%d frame times dropped (the writer fell behind)", n)
	}
	return err
}
