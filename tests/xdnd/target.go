package xdnd

import (
	"fmt"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// maxDepth bounds the walk down the window tree; real trees are a few
// levels deep (root, WM frame, client).
const maxDepth = 32

// findTarget walks down from start along the windows that contain the root
// point (rootX, rootY) and picks the first XdndAware one. GLFW sets
// XdndAware on its top-level client window, which a window manager may have
// put inside a frame; under bare Xvfb it is a child of the root.
func (s *source) findTarget(start xproto.Window, rootX, rootY int16) error {
	w := start
	for range maxDepth {
		v, aware, err := s.awareVersion(w)
		if err != nil {
			return err
		}
		if aware {
			s.target, s.version = w, min(v, version)
			return s.findProxy()
		}
		r, err := xproto.TranslateCoordinates(s.conn, s.root, w, rootX, rootY).Reply()
		if err != nil {
			return fmt.Errorf("look for a child of window 0x%x at root (%d,%d): %w", w, rootX, rootY, err)
		}
		if r.Child == xproto.WindowNone {
			return fmt.Errorf("window 0x%x at root (%d,%d) has no XdndAware window under it (is the app's window mapped there?): %w",
				w, rootX, rootY, ErrNoTarget)
		}
		w = r.Child
	}
	return fmt.Errorf("window tree deeper than %d levels at root (%d,%d): %w", maxDepth, rootX, rootY, ErrNoTarget)
}

// awareVersion reads w's XdndAware property: the highest XDND version the
// window speaks.
func (s *source) awareVersion(w xproto.Window) (byte, bool, error) {
	r, err := xproto.GetProperty(s.conn, false, w, s.atoms.aware, xproto.AtomAtom, 0, 1).Reply()
	if err != nil {
		return 0, false, fmt.Errorf("read XdndAware of window 0x%x: %w", w, err)
	}
	if r.Format != 32 || r.ValueLen < 1 {
		return 0, false, nil
	}
	v := xgb.Get32(r.Value)
	return byte(min(v, 255)), true, nil
}

// findProxy sets where the messages go. A target may name another window
// in XdndProxy; the spec trusts it only if that window names itself,
// else the property is stale and the messages go to the target.
func (s *source) findProxy() error {
	s.dest = s.target
	p, ok, err := s.proxyOf(s.target)
	if err != nil || !ok {
		return err
	}
	self, ok, err := s.proxyOf(p)
	if err != nil {
		return err
	}
	if ok && self == p {
		s.dest = p
	}
	return nil
}

// proxyOf reads w's XdndProxy property.
func (s *source) proxyOf(w xproto.Window) (xproto.Window, bool, error) {
	r, err := xproto.GetProperty(s.conn, false, w, s.atoms.proxy, xproto.AtomWindow, 0, 1).Reply()
	if err != nil {
		// The proxy window may be gone; a stale XdndProxy is no error.
		if _, bad := err.(xproto.WindowError); bad && w != s.target {
			return 0, false, nil
		}
		return 0, false, fmt.Errorf("read XdndProxy of window 0x%x: %w", w, err)
	}
	if r.Format != 32 || r.ValueLen < 1 {
		return 0, false, nil
	}
	return xproto.Window(xgb.Get32(r.Value)), true, nil
}
