package xdnd

import (
	"context"
	"fmt"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// pollInterval is how often FindWindow looks at the window tree again.
const pollInterval = 50 * time.Millisecond

// FindWindow waits until a mapped window titled title (its _NET_WM_NAME or
// WM_NAME) exists on display and returns its id, ready for [Drop]. GLFW
// titles its top-level window, the one that is XdndAware, so for a Fyne
// app this is the window to drop onto. It replaces `xdotool search --name`
// and also waits for the app to start; the context bounds the wait.
func FindWindow(ctx context.Context, display, title string) (uint32, error) {
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return 0, fmt.Errorf("xdnd: connect to X display %q: %w", display, err)
	}
	defer conn.Close()
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	netName, err := intern(conn, "_NET_WM_NAME")
	if err != nil {
		return 0, fmt.Errorf("xdnd: %w", err)
	}
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		w, err := findTitled(conn, root, title, netName, 0)
		if err != nil {
			return 0, fmt.Errorf("xdnd: look for a window titled %q: %w", title, err)
		}
		if w != xproto.WindowNone {
			return uint32(w), nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("xdnd: no mapped window titled %q appeared on display %q (did the app start? see its stderr): %w",
				title, display, ctx.Err())
		case <-tick.C:
		}
	}
}

// findTitled searches the tree under w, depth first, for a viewable window
// titled title. Windows may vanish while it looks; those are skipped.
func findTitled(conn *xgb.Conn, w xproto.Window, title string, netName xproto.Atom, depth int) (xproto.Window, error) {
	if depth > maxDepth {
		return xproto.WindowNone, nil
	}
	tree, err := xproto.QueryTree(conn, w).Reply()
	if err != nil {
		if _, gone := err.(xproto.WindowError); gone {
			return xproto.WindowNone, nil
		}
		return xproto.WindowNone, fmt.Errorf("list the children of window 0x%x: %w", w, err)
	}
	for _, child := range tree.Children {
		if titled(conn, child, title, netName) {
			return child, nil
		}
		found, err := findTitled(conn, child, title, netName, depth+1)
		if err != nil || found != xproto.WindowNone {
			return found, err
		}
	}
	return xproto.WindowNone, nil
}

// titled reports whether w is viewable and named title. Any error means
// the window went away, which makes it no match.
func titled(conn *xgb.Conn, w xproto.Window, title string, netName xproto.Atom) bool {
	attrs, err := xproto.GetWindowAttributes(conn, w).Reply()
	if err != nil || attrs.MapState != xproto.MapStateViewable {
		return false
	}
	for _, prop := range []xproto.Atom{netName, xproto.AtomWmName} {
		r, err := xproto.GetProperty(conn, false, w, prop, xproto.GetPropertyTypeAny, 0, 1024).Reply()
		if err == nil && r.Format == 8 && string(r.Value) == title {
			return true
		}
	}
	return false
}
