// Command xdnd-drop drops files onto an X11 window through XDND, as a file
// manager would; it is for trying the e2e tests' drops by hand:
//
//	xdnd-drop -display :99 -window 0x400001 -x 100 -y 200 /tmp/a.jpg file:///tmp/b.png
//	xdnd-drop -display :99 -title Hoard -x 100 -y 200 /tmp/a.jpg
//
// Arguments with a scheme ("file://...") are sent as they are; anything else
// is a path, made absolute and turned into a file URI.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"hoard/tests/xdnd"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "xdnd-drop:", err)
		os.Exit(1)
	}
}

func run() error {
	display := flag.String("display", "", "X display (default $DISPLAY)")
	window := flag.String("window", "0", "target window id, hex 0x... or decimal; 0 = the window under -x,-y on the root")
	title := flag.String("title", "", "target the mapped window with this exact title, waiting for it to appear (instead of -window)")
	x := flag.Int("x", 0, "drop point, relative to -window (or to the root when -window is 0)")
	y := flag.Int("y", 0, "drop point, relative to -window (or to the root when -window is 0)")
	timeout := flag.Duration("timeout", 30*time.Second, "give up after this long")
	flag.Parse()
	if flag.NArg() == 0 {
		return fmt.Errorf("name at least one file or URI to drop")
	}
	win, err := strconv.ParseUint(*window, 0, 32)
	if err != nil {
		return fmt.Errorf("-window %q is not a window id: %w", *window, err)
	}
	uris, err := toURIs(flag.Args())
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	if *title != "" {
		w, err := xdnd.FindWindow(ctx, *display, *title)
		if err != nil {
			return err
		}
		win = uint64(w)
	}
	return xdnd.Drop(ctx, *display, uint32(win), *x, *y, uris)
}

// toURIs keeps URIs and turns paths into file URIs.
func toURIs(args []string) ([]string, error) {
	uris := make([]string, len(args))
	for i, a := range args {
		if strings.Contains(a, "://") {
			uris[i] = a
			continue
		}
		abs, err := filepath.Abs(a)
		if err != nil {
			return nil, fmt.Errorf("make %q absolute: %w", a, err)
		}
		uris[i] = xdnd.FileURI(abs)
	}
	return uris, nil
}
