package tracker

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// script writes an executable shell script standing in for a helper or pkexec
// whose failure the real ones cannot be made to produce here.
func script(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fake")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFindHelper(t *testing.T) {
	p := script(t, "exit 0")
	t.Setenv("HOARD_TRACKER", p)
	if got, err := FindHelper(); err != nil || got != p {
		t.Fatalf("FindHelper with HOARD_TRACKER = %q, %v; want %q", got, err, p)
	}
	t.Setenv("HOARD_TRACKER", filepath.Join(t.TempDir(), "missing"))
	if _, err := FindHelper(); !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("FindHelper with a missing HOARD_TRACKER = %v, want ErrNotInstalled", err)
	}
	t.Setenv("HOARD_TRACKER", "")
	_, err := FindHelper()
	if _, serr := os.Stat(SystemHelper); serr != nil && !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("FindHelper with nothing installed = %v, want ErrNotInstalled", err)
	}
}

func TestStartErrors(t *testing.T) {
	cases := []struct {
		name   string
		helper string // script body
		pkexec bool   // run the script as pkexec instead (only when not root)
		want   error
	}{
		{"bpf refused", `read line; echo '{"type":"error","msg":"kernel refused BPF: EPERM"}'; exit 3`, false, ErrBPFRefused},
		{"roots refused", `read line; echo '{"type":"error","msg":"root refused: /etc"}'; exit 4`, false, ErrRootsRefused},
		{"bad input", `exit 2`, false, ErrBadInput},
		{"garbage first line", `read line; echo hello; exit 0`, false, ErrHelperFailed},
		{"silent exit", `exit 0`, false, ErrHelperFailed},
		{"wrong version", `read line; echo '{"v":2,"type":"ready"}'; exit 0`, false, ErrHelperFailed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := Options{Helper: script(t, c.helper)}
			if os.Geteuid() != 0 {
				// Not root: the client goes through pkexec; let the script be
				// pkexec and run the helper script body itself.
				opts.Pkexec = opts.Helper
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			cl, err := Start(ctx, []string{"/tmp"}, opts)
			if err == nil {
				cl.Stop()
				t.Fatal("Start succeeded")
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("Start = %v, want %v", err, c.want)
			}
		})
	}
}

func TestStartPkexecCodes(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("as root the client runs the helper directly, never pkexec")
	}
	for code, want := range map[string]error{"126": ErrDismissed, "127": ErrNotAuthorized} {
		pk := script(t, "exit "+code)
		_, err := Start(context.Background(), []string{"/tmp"}, Options{Helper: "/nonexistent", Pkexec: pk})
		if !errors.Is(err, want) {
			t.Errorf("pkexec exit %s: %v, want %v", code, err, want)
		}
	}
}

func TestStartAndStop(t *testing.T) {
	// A helper that says ready, sends one event, then waits for stdin to close.
	h := script(t, `read line; echo '{"v":1,"type":"ready"}'; echo '{"type":"lost","count":2}'; cat >/dev/null`)
	opts := Options{Helper: h}
	if os.Geteuid() != 0 {
		t.Skip("as non-root the client would go through pkexec")
	}
	cl, err := Start(context.Background(), []string{"/tmp"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	ev := <-cl.Events()
	if ev.Type != TypeLost || ev.Count != 2 {
		t.Fatalf("first event %+v, want lost 2", ev)
	}
	if err := cl.Stop(); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	if _, ok := <-cl.Events(); ok {
		t.Fatal("Events still open after Stop")
	}
}

// TestStopWithUnreadEvents: a consumer that stopped reading must not keep Stop
// (and the helper, blocked on a full pipe) waiting.
func TestStopWithUnreadEvents(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("as non-root the client would go through pkexec")
	}
	// Floods far more than the channel and the pipe hold, then waits for stdin.
	h := script(t, `read line; echo '{"v":1,"type":"ready"}'; yes '{"type":"lost","count":1}' | head -n 200000; cat >/dev/null`)
	cl, err := Start(context.Background(), []string{"/tmp"}, Options{Helper: h})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	if err := cl.Stop(); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Stop took %v", d)
	}
}

func TestDrain(t *testing.T) {
	ch := make(chan Event, 10)
	for i := range 5 {
		ch <- Event{Type: TypeRename, Pid: uint32(i + 1)}
	}
	got := Drain(Event{Type: TypeRename}, ch, 4)
	if len(got) != 4 || got[1].Pid != 1 || got[3].Pid != 3 {
		t.Fatalf("Drain took %+v, want the first and three queued", got)
	}
	if got := Drain(Event{}, ch, 10); len(got) != 3 {
		t.Fatalf("Drain took %d, want the first and the two left", len(got))
	}
	close(ch)
	if got := Drain(Event{}, ch, 10); len(got) != 1 {
		t.Fatalf("Drain of a closed channel took %d, want just the first", len(got))
	}
}
