package tracker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Why the helper could not start or stopped. Returned wrapped; test with errors.Is.
var (
	ErrNotInstalled  = errors.New("hoard-tracker is not installed")
	ErrDismissed     = errors.New("authentication dialog dismissed")
	ErrNotAuthorized = errors.New("not authorized to start hoard-tracker (no polkit agent, or policy denies it)")
	ErrBPFRefused    = errors.New("the kernel refused the eBPF programs")
	ErrRootsRefused  = errors.New("hoard-tracker refused a root")
	ErrBadInput      = errors.New("hoard-tracker rejected its input")
	ErrHelperFailed  = errors.New("hoard-tracker failed")
)

// SystemHelper is where make install puts the helper.
const SystemHelper = "/usr/libexec/hoard-tracker"

// FindHelper returns the helper's path: $HOARD_TRACKER, else hoard-tracker
// beside the running executable, else SystemHelper.
func FindHelper() (string, error) {
	if p := os.Getenv("HOARD_TRACKER"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%w: HOARD_TRACKER=%s: %w", ErrNotInstalled, p, err)
		}
		return p, nil
	}
	var tried []string
	if exe, err := os.Executable(); err == nil {
		// Beside the executable (a build tree), then PREFIX/libexec for PREFIX/bin
		// (make install with another PREFIX).
		dir := filepath.Dir(exe)
		for _, p := range []string{filepath.Join(dir, "hoard-tracker"), filepath.Join(filepath.Dir(dir), "libexec", "hoard-tracker")} {
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
				return p, nil
			}
			tried = append(tried, p)
		}
	}
	if _, err := os.Stat(SystemHelper); err == nil {
		return SystemHelper, nil
	}
	tried = append(tried, SystemHelper)
	return "", fmt.Errorf("%w: looked at $HOARD_TRACKER, %s; run make install", ErrNotInstalled, strings.Join(tried, ", "))
}

// Options tune Start. The zero value is fine.
type Options struct {
	Helper string    // path of hoard-tracker; empty: FindHelper
	Stderr io.Writer // the helper's log lines; nil: discarded
	Pkexec string    // path of pkexec; empty: looked up in PATH
}

// Client runs one hoard-tracker process.
type Client struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	events chan Event

	stopOnce sync.Once
	done     chan struct{} // closed when the helper has exited
	err      error         // why it exited; read after done
}

// Start launches the helper (directly when running as root, else through
// pkexec, which may show an authentication dialog: ctx bounds that wait),
// sends it the roots, and returns once it reports ready. Events then arrive on
// Events until the helper exits; Stop ends it. Cancelling ctx later stops it too.
func Start(ctx context.Context, roots []string, opts Options) (*Client, error) {
	helper := opts.Helper
	if helper == "" {
		var err error
		if helper, err = FindHelper(); err != nil {
			return nil, err
		}
	}
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.Command(helper)
	} else {
		pkexec := opts.Pkexec
		if pkexec == "" {
			var err error
			if pkexec, err = exec.LookPath("pkexec"); err != nil {
				return nil, fmt.Errorf("%w: pkexec not found (install polkitd and pkexec): %w", ErrNotAuthorized, err)
			}
		}
		cmd = exec.Command(pkexec, helper)
	}
	cmd.Stderr = opts.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("start hoard-tracker: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start hoard-tracker: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start hoard-tracker %s: %w", helper, err)
	}
	c := &Client{cmd: cmd, stdin: stdin, events: make(chan Event, 4096), done: make(chan struct{})}

	if err := NewEncoder(stdin).Encode(Roots{V: Version, Roots: roots}); err != nil {
		// The helper may already have exited; its exit code says more.
		c.abort()
		return nil, c.exitError(cmd.Wait(), err)
	}

	dec := NewDecoder(stdout)
	type first struct {
		ev  Event
		err error
	}
	ready := make(chan first, 1)
	go func() {
		ev, err := dec.Next()
		ready <- first{ev, err}
	}()
	select {
	case f := <-ready:
		switch {
		case f.err == nil && f.ev.Type == TypeReady:
		case f.err == nil && f.ev.Type == TypeError:
			c.abort()
			return nil, c.exitError(cmd.Wait(), errors.New(f.ev.Msg))
		default:
			c.abort()
			werr := cmd.Wait()
			switch {
			case f.err == nil:
				f.err = fmt.Errorf("first line is %q, want ready", f.ev.Type)
			case errors.Is(f.err, io.EOF):
				f.err = errors.New("it exited before saying ready")
			}
			return nil, c.exitError(werr, f.err)
		}
	case <-ctx.Done():
		c.abort()
		go cmd.Wait()
		return nil, fmt.Errorf("start hoard-tracker: %w", ctx.Err())
	}

	go c.read(dec)
	go func() {
		select {
		case <-ctx.Done():
			c.Stop()
		case <-c.done:
		}
	}()
	return c, nil
}

// Events delivers the helper's events after ready. It is closed when the
// helper exits; Err then says why.
func (c *Client) Events() <-chan Event { return c.events }

// Err returns why the helper stopped: nil after Stop or a clean exit. Call it
// after Events is closed.
func (c *Client) Err() error {
	<-c.done
	return c.err
}

// Pid is the helper's process id (pkexec execs it, so it is the helper's too).
func (c *Client) Pid() int { return c.cmd.Process.Pid }

// Stop closes the helper's stdin, which makes it exit, and waits for it. After
// a grace period it kills the helper (which by then runs as the invoking user).
// Events not yet received are discarded, so that a full channel cannot keep
// the helper blocked on its stdout.
func (c *Client) Stop() error {
	c.stopOnce.Do(func() {
		c.stdin.Close()
		go func() {
			for range c.events {
			}
		}()
	})
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
	return c.err
}

func (c *Client) abort() {
	c.stopOnce.Do(func() { c.stdin.Close() })
}

func (c *Client) read(dec *Decoder) {
	defer close(c.events)
	var readErr error
	for {
		ev, err := dec.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				readErr = err
			}
			break
		}
		if ev.Type == TypeError {
			readErr = errors.New(ev.Msg)
		}
		c.events <- ev
	}
	werr := c.cmd.Wait()
	if werr != nil || readErr != nil {
		c.err = c.exitError(werr, readErr)
	}
	close(c.done)
}

// exitError maps the helper's (or pkexec's) exit status to a typed error,
// keeping detail (the helper's error line, or a read error) as context.
func (c *Client) exitError(waitErr, detail error) error {
	msg := ""
	if detail != nil {
		msg = ": " + detail.Error()
	}
	var ee *exec.ExitError
	if !errors.As(waitErr, &ee) {
		if waitErr != nil {
			return fmt.Errorf("%w%s: %w", ErrHelperFailed, msg, waitErr)
		}
		return fmt.Errorf("%w%s", ErrHelperFailed, msg)
	}
	viaPkexec := len(c.cmd.Args) > 1
	var kind error
	switch code := ee.ExitCode(); {
	case viaPkexec && code == 126:
		return fmt.Errorf("%w (%v)", ErrDismissed, waitErr)
	case viaPkexec && code == 127:
		return fmt.Errorf("%w (%v)", ErrNotAuthorized, waitErr)
	case code == ExitBPFRefused:
		kind = ErrBPFRefused
	case code == ExitBadRoots:
		kind = ErrRootsRefused
	case code == ExitBadInput:
		kind = ErrBadInput
	default:
		kind = ErrHelperFailed
	}
	return fmt.Errorf("%w%s (%v)", kind, msg, waitErr)
}

// Drain returns first followed by the events already queued on events, up to max in
// all, without waiting: the consumer applies them in one transaction.
func Drain(first Event, events <-chan Event, max int) []Event {
	batch := []Event{first}
	for len(batch) < max {
		select {
		case ev, ok := <-events:
			if !ok {
				return batch
			}
			batch = append(batch, ev)
		default:
			return batch
		}
	}
	return batch
}
