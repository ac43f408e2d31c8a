package gui

import "time"

// pollInterval is how often the window checks whether another process (the CLI, the
// tracker) changed the library.
const pollInterval = time.Second

// watch polls the library's DataVersion and refreshes the window when it moves. It
// runs on its own goroutine until the window's context ends.
func (b *browser) watch() {
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	last, err := b.lib.DataVersion(b.ctx)
	if err != nil {
		last = -1
	}
	for {
		select {
		case <-b.ctx.Done():
			return
		case <-t.C:
		}
		v, err := b.lib.DataVersion(b.ctx)
		if err != nil || v == last {
			continue
		}
		last = v
		if b.importBusy.Load() > 0 {
			continue // the import refreshes at its own pace, and once at its end
		}
		b.do(b.refresh)
	}
}
