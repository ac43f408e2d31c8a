package gui

import (
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"hoard/library"
)

// onImport opens the import dialog.
func (b *browser) onImport() {
	if b.importing != nil {
		return
	}
	b.showImportDialog(nil)
}

// thumbnailNice is how many nice steps below the window the thumbnail generators
// run: decoding is background work, and when it competes with drawing for the CPU
// the window should win (a frame that waits for the CPU is a frozen frame).
const thumbnailNice = 5

// importPaths includes paths (folders recurse) with tags at once, without the dialog
// (files dropped on a tag), reporting progress in the status bar; the grid refreshes
// when it is done.
func (b *browser) importPaths(paths, tags []string) {
	prog := &statusProgress{b: b}
	b.status.showWork("Importing " + filepath.Base(paths[0]) + "…")
	background(b.do, func() (library.IncludeResult, error) {
		return b.lib.Include(b.ctx, paths, library.IncludeOptions{Tags: tags}, prog)
	}, func(res library.IncludeResult, err error) {
		prog.stop()
		if err != nil {
			b.status.showError("Import failed", err)
		} else {
			b.status.showDone(fmt.Sprintf("Imported: %d added, %d already indexed, %d skipped", res.Added, res.Updated+res.Unchanged, len(res.Skipped)))
		}
		b.changed()
		if b.tracker != nil {
			poke(b.tracker.nudge)
		}
	})
}

// statusProgress is a library.Progress that shows the phase and count in the status
// bar, at most ten times a second (the worker calls it for every file).
type statusProgress struct {
	b       *browser
	mu      sync.Mutex
	phase   string
	total   int64
	done    int64
	last    time.Time
	stopped bool
}

func (p *statusProgress) Begin(phase string, total int64) {
	p.mu.Lock()
	p.phase, p.total, p.done = phase, total, 0
	p.mu.Unlock()
	p.post(true)
}

func (p *statusProgress) Advance(n int64, _ string) {
	p.mu.Lock()
	p.done += n
	p.mu.Unlock()
	p.post(false)
}

func (p *statusProgress) End() {}

func (p *statusProgress) stop() {
	p.mu.Lock()
	p.stopped = true
	p.mu.Unlock()
}

func (p *statusProgress) post(force bool) {
	p.mu.Lock()
	if p.stopped || (!force && time.Since(p.last) < 100*time.Millisecond) {
		p.mu.Unlock()
		return
	}
	p.last = time.Now()
	text := fmt.Sprintf("Importing: %s %d", p.phase, p.done)
	if p.total > 0 {
		text = fmt.Sprintf("Importing: %s %d of %d", p.phase, p.done, p.total)
	}
	p.mu.Unlock()
	p.b.do(func() {
		p.mu.Lock()
		stopped := p.stopped
		p.mu.Unlock()
		if !stopped {
			p.b.status.showWork(text)
		}
	})
}
