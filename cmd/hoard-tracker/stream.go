package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"

	"golang.org/x/sys/unix"

	"hoard/tracker"
	"hoard/tracker/probe"
)

// output is the helper's stdout: buffered, flushed whenever the probe runs dry.
type output struct {
	file *os.File
	buf  *bufio.Writer
	enc  *tracker.Encoder
}

func (o *output) send(ev tracker.Event) error {
	if err := o.enc.Encode(ev); err != nil {
		return fmt.Errorf("%w: %w", errStdoutGone, err)
	}
	return nil
}

// flush writes out what is buffered, and notices a reader that went away even
// when there was nothing to write.
func (o *output) flush() error {
	if err := o.buf.Flush(); err != nil {
		return fmt.Errorf("%w: %w", errStdoutGone, err)
	}
	if hungUp(o.file) {
		return errStdoutGone
	}
	return nil
}

// hungUp reports whether the reading end of f is gone: a pipe's writer sees
// POLLERR then.
func hungUp(f *os.File) bool {
	fds := []unix.PollFd{{Fd: int32(f.Fd()), Events: unix.POLLOUT}}
	n, err := unix.Poll(fds, 0)
	return err == nil && n > 0 && fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0
}

// stream sends the probe's events through the filter to o until stdin ends,
// ctx is cancelled, or stdout's reader goes away.
func stream(ctx context.Context, p *probe.Probe, f *filter, stdin io.Reader, o *output) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		// Nothing more is expected on stdin; its end is the signal to stop.
		_, _ = io.Copy(io.Discard, stdin)
		cancel(errStdinClosed)
	}()

	emit := func(e probe.Event) error {
		if ev, ok := f.convert(e); ok {
			return o.send(ev)
		}
		return nil
	}
	idle := func(lost uint64) error {
		if n := lost + f.takeLost(); n > 0 {
			log.Printf("%d events lost", n)
			if err := o.send(tracker.Event{Type: tracker.TypeLost, Count: n}); err != nil {
				return err
			}
		}
		return o.flush()
	}
	if err := p.Run(ctx, emit, idle); err != nil {
		return err
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return nil
}
