package thumbnail

import (
	"bytes"
	"context"
	"image/png"
	"testing"
	"time"

	"hoard/library/nice"
)

// Options.Pause is called before each thumbnail is made, and holding it holds the
// work; Options.Nice lowers the workers' priority.
func TestServicePauseAndNice(t *testing.T) {
	release := make(chan struct{})
	paused := make(chan int, 4)
	s := newTestService(t, Options{Workers: 1, Nice: 3, Pause: func(ctx context.Context) {
		n, _ := nice.Of()
		paused <- n
		select {
		case <-release:
		case <-ctx.Done():
		}
	}})
	var buf bytes.Buffer
	if err := png.Encode(&buf, photo(64, 48, 1)); err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, t.TempDir(), "a.png", buf.Bytes())
	done := make(chan error, 1)
	s.Request(p, Normal, 0, func(r Result, err error) { done <- err })
	base, _ := nice.Of()
	select {
	case n := <-paused:
		if n != min(base+3, 19) {
			t.Errorf("the worker runs at nice %d, want %d", n, min(base+3, 19))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Pause was not called")
	}
	select {
	case <-done:
		t.Fatal("the thumbnail was made while Pause held the worker")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no thumbnail after Pause let go")
	}
}
