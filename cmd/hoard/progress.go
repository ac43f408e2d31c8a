package main

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"hoard/library"
)

// isTerminal reports whether w is a terminal, so long work draws a bar there and stays
// quiet in a pipe or a log.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newProgress returns a progress bar on w when w is a terminal, else a no-op.
func newProgress(w io.Writer) library.Progress {
	if !isTerminal(w) {
		return library.NoProgress{}
	}
	return &terminalProgress{w: w}
}

// terminalProgress draws one bar per phase (a spinner when the total is unknown).
type terminalProgress struct {
	w   io.Writer
	bar *progressbar.ProgressBar
}

func (p *terminalProgress) Begin(phase string, total int64) {
	p.End()
	p.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(phase),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("files"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionFullWidth(),
	)
}

func (p *terminalProgress) Advance(n int64, _ string) {
	if p.bar != nil {
		p.bar.Add64(n)
	}
}

func (p *terminalProgress) End() {
	if p.bar != nil {
		p.bar.Finish()
		p.bar = nil
	}
}
