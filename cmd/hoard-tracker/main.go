// Command hoard-tracker is Hoard's privileged rename tracker. Started as root
// (by pkexec, or directly), it reads one line of roots from stdin, attaches the
// eBPF probe, drops to the invoking user with no capabilities, prints
// {"v":1,"type":"ready"} and then one JSON line per rename or unlink under the
// roots. It exits when stdin closes, when stdout's reader goes away, or on
// SIGINT/SIGTERM. Human logs go to stderr. See tracker.Event for the protocol.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"hoard/tracker"
	"hoard/tracker/privdrop"
	"hoard/tracker/probe"
	"hoard/tracker/roots"
)

// rootsTimeout bounds the wait for the roots line: a client that never sends
// it must not keep a root process alive.
const rootsTimeout = 10 * time.Second

func main() {
	log.SetFlags(0)
	log.SetPrefix("hoard-tracker: ")
	// A broken stdout must be a write error we can act on, not a silent death.
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Stdin, os.Stdout)
	stop()
	if err != nil {
		log.Print(err)
		os.Exit(exitCode(err))
	}
}

// exitError carries the exit code for an error.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return tracker.ExitFailure
}

func fail(code int, err error) error { return &exitError{code: code, err: err} }

func run(ctx context.Context, stdin io.Reader, stdout *os.File) error {
	out := bufio.NewWriterSize(stdout, 64<<10)
	enc := tracker.NewEncoder(out)
	err := serve(ctx, stdin, stdout, out, enc)
	if errors.Is(err, errStdinClosed) || err == nil {
		// Hand over what was read before the end.
		if ferr := out.Flush(); ferr != nil {
			log.Printf("flush stdout: %v", ferr)
		}
	} else if !errors.Is(err, errStdoutGone) {
		// Best effort: the client reads the reason on stdout, a person on stderr.
		_ = enc.Encode(tracker.Event{Type: tracker.TypeError, Msg: err.Error()})
		_ = out.Flush()
	}
	if errors.Is(err, errStdoutGone) || errors.Is(err, errStdinClosed) {
		log.Print(err)
		return nil
	}
	return err
}

var (
	errStdinClosed = errors.New("stdin closed: stopping")
	errStdoutGone  = errors.New("stdout reader went away: stopping")
)

func serve(ctx context.Context, stdin io.Reader, stdout *os.File, out *bufio.Writer, enc *tracker.Encoder) error {
	in := bufio.NewReaderSize(stdin, 64<<10)
	req, err := readRoots(in, rootsTimeout)
	if err != nil {
		return fail(tracker.ExitBadInput, err)
	}
	for _, r := range req.Roots {
		if err := roots.Check(r); err != nil {
			return fail(tracker.ExitBadRoots, err)
		}
	}
	if os.Geteuid() != 0 {
		return fail(tracker.ExitNotRoot, errors.New("must run as root: start it with pkexec"))
	}
	user, err := privdrop.Invoking()
	if err != nil {
		return fail(tracker.ExitFailure, err)
	}
	// Root may name any directory; everyone else is checked after the drop,
	// with their own credentials, so that the kernel decides what they may read.
	if user.UID == 0 {
		if err := openAll(req.Roots); err != nil {
			return err
		}
	}

	p, err := probe.Load(req.Roots...)
	if err != nil {
		if errors.Is(err, probe.ErrRefused) {
			return fail(tracker.ExitBPFRefused, err)
		}
		return err
	}
	defer p.Close()

	if err := raisePriority(); err != nil {
		log.Printf("cannot raise the helper's priority (events may be lost on a busy machine): %v", err)
	}
	if err := privdrop.Drop(user.Target()); err != nil {
		return err
	}
	if user.UID != 0 {
		if err := openAll(req.Roots); err != nil {
			return err
		}
	}
	log.Printf("watching %d roots for uid %d as uid %d", len(req.Roots), user.UID, user.Target().UID)
	// Parsing the kernel's BTF while loading left tens of MB of garbage;
	// hand it back now rather than carry it for the session.
	debug.FreeOSMemory()

	o := &output{file: stdout, buf: out, enc: enc}
	if err := o.send(tracker.Event{Type: tracker.TypeReady, V: tracker.Version}); err != nil {
		return err
	}
	if err := o.flush(); err != nil {
		return err
	}
	return stream(ctx, p, newFilter(roots.NewSet(req.Roots), user.UID != 0), in, o)
}

// readRoots reads the first line with a size cap and a deadline. On timeout
// the reading goroutine stays blocked, but the process is about to exit.
func readRoots(in *bufio.Reader, timeout time.Duration) (tracker.Roots, error) {
	type result struct {
		line []byte
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := tracker.ReadLine(in, tracker.MaxRootsLineBytes)
		ch <- result{line, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return tracker.Roots{}, fmt.Errorf("read roots line: %w", r.err)
		}
		req, err := tracker.ParseRoots(r.line)
		if err != nil {
			return tracker.Roots{}, fmt.Errorf("read roots line: %w", err)
		}
		return req, nil
	case <-time.After(timeout):
		return tracker.Roots{}, fmt.Errorf("read roots line: none within %v", timeout)
	}
}

func openAll(list []string) error {
	for _, r := range list {
		if err := roots.Open(r); err != nil {
			return fail(tracker.ExitBadRoots, err)
		}
	}
	return nil
}
