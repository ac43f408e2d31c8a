package gui

import (
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"hoard/library"
	"hoard/library/thumbnail"
)

// harness is a browser over a real library of real PNG files, in Fyne's test driver.
// The test goroutine is the UI goroutine: the browser's do queues work that settle
// runs, so widgets are never touched from two goroutines.
type harness struct {
	t      *testing.T
	b      *browser
	w      fyne.Window
	lib    *library.Library
	dir    string
	opener *recordingOpener
	ui     chan func()
	paths  map[string]string // file name -> absolute path
}

// testFile is a file the harness creates and includes with tags.
type testFile struct {
	name string
	tags []string
	rgb  color.NRGBA
}

func newHarness(t *testing.T, files []testFile) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	dir := t.TempDir()
	lib, err := library.Open(ctx, filepath.Join(dir, "library.db"), library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	h := &harness{t: t, lib: lib, dir: dir, opener: &recordingOpener{}, ui: make(chan func(), 4096), paths: map[string]string{}}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		writePNG(t, p, f.rgb)
		h.paths[f.name] = p
		if _, err := lib.Include(ctx, []string{p}, library.IncludeOptions{Tags: f.tags}, nil); err != nil {
			t.Fatalf("include %s: %v", p, err)
		}
	}
	thumbs, err := thumbnail.NewService(thumbnail.Options{CacheDir: filepath.Join(dir, "thumbs"), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(thumbs.Close)

	test.NewTempApp(t)
	h.w = test.NewTempWindow(t, nil)
	h.b = newBrowser(ctx, lib, thumbs, h.opener, h.w)
	h.b.do = func(f func()) { h.ui <- f }
	h.w.SetContent(h.b.buildUI())
	h.w.Resize(fyne.NewSize(1200, 800))
	h.b.start()
	h.waitFor("first results", func() bool { return h.b.results != nil })
	return h
}

func writePNG(t *testing.T, path string, c color.NRGBA) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.SetNRGBA(x, y, color.NRGBA{R: c.R, G: uint8(int(c.G) + x), B: uint8(int(c.B) + y), A: 0xff})
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// settle runs the UI work queued so far.
func (h *harness) settle() {
	for {
		select {
		case f := <-h.ui:
			f()
		default:
			return
		}
	}
}

// waitFor runs queued UI work until cond holds, failing after a while.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		h.settle()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// count runs a query against the library itself, for checking what the UI changed.
func (h *harness) count(q string) int {
	h.t.Helper()
	res, err := h.lib.Search(context.Background(), q, library.SearchOptions{})
	var unknown *library.UnknownTagError
	if errors.As(err, &unknown) {
		return 0
	}
	if err != nil {
		h.t.Fatalf("search %q: %v", q, err)
	}
	return res.Count()
}

// waitQuery waits until the grid shows the answer to q.
func (h *harness) waitQuery(q string, want int) {
	h.t.Helper()
	h.waitFor("results of "+q, func() bool {
		return h.b.results != nil && h.b.results.query == q && h.b.results.count == want
	})
}

// indexOf is the grid index of the file with the given name.
func (h *harness) indexOf(name string) int {
	h.t.Helper()
	rs := h.b.results
	for i := range rs.count {
		h.waitFor("row", func() bool {
			_, ok := rs.file(i)
			if !ok {
				h.b.ensurePage(i / pageSize)
			}
			return ok
		})
		if f, _ := rs.file(i); f.Name() == name {
			return i
		}
	}
	h.t.Fatalf("%s is not in the grid", name)
	return -1
}

// cell finds the grid cell bound to index i.
func (h *harness) cell(i int) *thumbCell {
	h.t.Helper()
	h.b.grid.view.Refresh()
	for _, o := range test.LaidOutObjects(h.b.grid.view) {
		if c, ok := o.(*thumbCell); ok && c.index == i && c.file.ID != 0 {
			return c
		}
	}
	h.t.Fatalf("no cell shows index %d", i)
	return nil
}

// recordingOpener records what the browser asked the desktop to do.
type recordingOpener struct {
	mu     sync.Mutex
	opened []string
	shown  [][]string
}

func (r *recordingOpener) Open(path string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.opened = append(r.opened, path)
	return nil
}

func (r *recordingOpener) ShowInFolder(paths []string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.shown = append(r.shown, paths)
	return nil
}

func (r *recordingOpener) calls() ([]string, [][]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.opened...), append([][]string(nil), r.shown...)
}

func openOther(h *harness) (*library.Library, error) {
	return library.Open(context.Background(), h.lib.Path(), library.Options{})
}

func libraryOptions() library.SearchOptions { return library.SearchOptions{} }

func tagOptions() library.TagOptions { return library.TagOptions{Source: library.SourceManual} }
