package thumbnail

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestRequestPriorityAndCancel(t *testing.T) {
	dir := t.TempDir()
	small := encodeWith(t, func(b *bytes.Buffer) error { return png.Encode(b, halves(40, 20)) })
	path := func(name string) string { return writeFile(t, dir, name+".png", small) }
	s := newTestService(t, Options{Workers: 1})

	// Hold the only worker inside the first callback while the rest queue up.
	hold, held := make(chan struct{}), make(chan struct{})
	s.Request(path("first"), Normal, 0, func(Result, error) {
		close(held)
		<-hold
	})
	<-held

	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	request := func(name string, prio int) *Ticket {
		wg.Add(1)
		return s.Request(path(name), Normal, prio, func(r Result, err error) {
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			if err != nil || r.Kind != KindThumbnail {
				t.Errorf("%s: %v %v", name, err, r.Kind)
			}
			wg.Done()
		})
	}
	request("low", 1)
	request("high", 10)
	request("raised", 0).SetPriority(7)
	gone := request("scrolled-away", 5)
	request("mid-a", 5)
	request("mid-b", 5)
	if n := s.Pending(); n != 6 {
		t.Errorf("Pending = %d, want 6", n)
	}
	gone.Cancel()
	wg.Done() // the cancelled request will not call back
	close(hold)
	wg.Wait()
	if got, want := fmt.Sprint(order), "[high raised mid-a mid-b low]"; got != want {
		t.Errorf("callbacks ran in order %s, want %s", got, want)
	}
}

func TestCloseWithQueuedWork(t *testing.T) {
	dir := t.TempDir()
	s, err := NewService(Options{CacheDir: filepath.Join(t.TempDir(), "thumbnails"), Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	data := encodeJPEG(t, photo(200, 100, 1), 80)
	for i := range 50 {
		s.Request(writeFile(t, dir, fmt.Sprintf("%d.jpg", i), data), Normal, 0, func(Result, error) {})
	}
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close hung")
	}
}

func TestMemCacheBoundedByBytes(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 100, 100)) // 40 KB
	c := newMemCache(100_000)
	for i := range 5 {
		c.put(memKey{fmt.Sprint(i), Normal}, img, "image/png", stamp{})
	}
	if c.used > c.max {
		t.Errorf("using %d bytes, cap %d", c.used, c.max)
	}
	if _, ok := c.get(memKey{"0", Normal}); ok {
		t.Error("oldest entry not evicted")
	}
	if _, ok := c.get(memKey{"4", Normal}); !ok {
		t.Error("newest entry evicted")
	}
	c.get(memKey{"3", Normal}) // now most recent
	c.put(memKey{"5", Normal}, img, "image/png", stamp{})
	if _, ok := c.get(memKey{"3", Normal}); !ok {
		t.Error("recently used entry evicted before an older one")
	}
}
