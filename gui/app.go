// Package gui is Hoard's desktop window, built with Fyne: a search box with tag
// autocomplete, a tag sidebar, a virtualized thumbnail grid, an inspector for the
// selection and a status bar, over package library and its thumbnail service.
//
// It is the only package that imports Fyne. Widgets are touched only on the UI
// goroutine; library calls and thumbnail work run on other goroutines and hand their
// results back with fyne.Do.
package gui

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"hoard/assets"
	"hoard/library"
	"hoard/library/thumbnail"
)

// appID is the reverse-DNS id of FyneApp.toml and the desktop entry; Preferences are
// stored under it.
const appID = "app.hoard.Hoard"

// Preference keys for the window size.
const (
	prefWidth  = "window.width"
	prefHeight = "window.height"
)

// Run opens the library at dbPath and shows the window until it is closed or ctx ends.
// Files or folders in toImport (the desktop entry's %U: a folder opened with Hoard)
// are offered in the import dialog.
func Run(ctx context.Context, dbPath string, toImport []string) error {
	started := time.Now()
	lib, err := library.Open(ctx, dbPath, library.Options{})
	if err != nil {
		return fmt.Errorf("open library: %w", err)
	}
	defer lib.Close()
	thumbs, err := thumbnail.NewService(thumbnail.Options{
		// Decoding is background work: drawing the window comes first, both for
		// the CPU (nice) and while a frame is late (the gate).
		Nice:   thumbnailNice,
		Pause:  newFrameGate(fyne.Do).wait,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		return fmt.Errorf("start thumbnailer: %w", err)
	}
	defer thumbs.Close()

	a := app.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG))
	w := a.NewWindow("Hoard")
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	b := newBrowser(ctx, lib, thumbs, systemOpener{}, w)
	b.started = started
	b.logf = func(format string, args ...any) { fmt.Fprintf(os.Stderr, "hoard-gui: "+format+"\n", args...) }
	if os.Getenv("HOARD_GUI_TRACE") != "" {
		b.tracef = b.logf
		// Log every time the UI goroutine could not run queued work for over 50 ms.
		defer startStallMeter(fyne.Do, b.logf).stop()
	}
	defer logFrames(b.logf)() // HOARD_GUI_FRAMES=path: one line per frame, for scroll measurements
	w.SetContent(b.buildUI())
	restoreSize(a, w)
	w.SetCloseIntercept(func() {
		saveSize(a, w)
		w.Close()
	})
	go func() {
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	b.start()
	if os.Getenv("HOARD_GUI_NO_TRACKER") == "" {
		b.track()
	}
	if len(toImport) > 0 {
		b.showImportDialog(toImport)
	}
	w.ShowAndRun()
	return nil
}

// restoreSize gives the window the size it had when it was last closed.
func restoreSize(a fyne.App, w fyne.Window) {
	p := a.Preferences()
	width := p.FloatWithFallback(prefWidth, 1200)
	height := p.FloatWithFallback(prefHeight, 760)
	w.Resize(fyne.NewSize(float32(width), float32(height)))
}

func saveSize(a fyne.App, w fyne.Window) {
	s := w.Canvas().Size()
	if s.Width < 100 || s.Height < 100 {
		return
	}
	p := a.Preferences()
	p.SetFloat(prefWidth, float64(s.Width))
	p.SetFloat(prefHeight, float64(s.Height))
}
