package xdnd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// Errors a caller may test for with errors.Is.
var (
	// ErrNoTarget means no window at the drop point has the XdndAware property.
	ErrNoTarget = errors.New("no XdndAware window at the drop point")
	// ErrRejected means the target answered, but refused the drop.
	ErrRejected = errors.New("the target refused the drop")
	// ErrTimeout means the target did not answer within the step's time limit.
	ErrTimeout = errors.New("timed out")
)

// version is the XDND protocol version this source speaks.
const version = 5

// stepTimeout bounds each wait for the target, so that a test fails with the
// name of the step that hung rather than at the test binary's deadline. A
// Fyne window on a loaded 2-core machine answers in well under a second.
const stepTimeout = 10 * time.Second

// Drop drags uris onto an X11 window and drops them at one point, as a file
// manager would, and returns once the target has said it finished.
//
// display is an X display name such as ":99"; "" means $DISPLAY. When target
// is 0, (x, y) are root-window coordinates and the drop goes to the window
// under that point. Otherwise (x, y) are relative to the window target, and
// the drop goes to target if it is XdndAware, else to its XdndAware
// descendant under that point (so a window manager's frame works too).
//
// Build file URIs with [FileURI]. Every wait is bounded by the context and by
// a per-step limit; an error names the step and what to check.
func Drop(ctx context.Context, display string, target uint32, x, y int, uris []string) error {
	return drop(ctx, display, target, x, y, uris, []string{"text/uri-list"})
}

// drop is Drop offering the given MIME types, each served with the same URI
// list. Tests use it to exercise the XdndTypeList path for more than 3 types.
func drop(ctx context.Context, display string, target uint32, x, y int, uris, types []string) error {
	data, err := uriList(uris)
	if err != nil {
		return fmt.Errorf("xdnd: %w", err)
	}
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		return fmt.Errorf("xdnd: connect to X display %q: %w", display, err)
	}
	defer conn.Close()
	s, err := newSource(conn, data, types)
	if err != nil {
		return fmt.Errorf("xdnd: %w", err)
	}
	defer s.destroy()
	if err := s.run(ctx, xproto.Window(target), x, y); err != nil {
		return fmt.Errorf("xdnd: %w", err)
	}
	return nil
}

// run finds the target and walks the protocol from XdndEnter to XdndFinished.
func (s *source) run(ctx context.Context, start xproto.Window, x, y int) error {
	rootX, rootY, err := s.rootPoint(start, x, y)
	if err != nil {
		return err
	}
	if start == xproto.WindowNone {
		start = s.root
	}
	if err := s.findTarget(start, rootX, rootY); err != nil {
		return err
	}
	if err := s.own(ctx); err != nil {
		return err
	}
	if err := s.enter(); err != nil {
		return err
	}
	if err := s.position(ctx, rootX, rootY); err != nil {
		return errors.Join(err, s.leave())
	}
	if err := s.dropAndFinish(ctx); err != nil {
		return errors.Join(err, s.leave())
	}
	return nil
}

// rootPoint turns the caller's (x, y) into root coordinates: they already are
// when no window was named, else they are relative to that window.
func (s *source) rootPoint(w xproto.Window, x, y int) (int16, int16, error) {
	if x < 0 || y < 0 || x > 0x7fff || y > 0x7fff {
		return 0, 0, fmt.Errorf("drop point (%d,%d) is outside the screen", x, y)
	}
	if w == xproto.WindowNone {
		return int16(x), int16(y), nil
	}
	r, err := xproto.TranslateCoordinates(s.conn, w, s.root, int16(x), int16(y)).Reply()
	if err != nil {
		return 0, 0, fmt.Errorf("window 0x%x: translate (%d,%d) to root coordinates: %w (does the window exist?)", w, x, y, err)
	}
	if r.DstX < 0 || r.DstY < 0 {
		return 0, 0, fmt.Errorf("drop point (%d,%d) of window 0x%x is off screen at root (%d,%d)", x, y, w, r.DstX, r.DstY)
	}
	return r.DstX, r.DstY, nil
}

// enter announces the drag and the offered types. Up to three types travel
// in the message itself; more go in the XdndTypeList property, flagged by
// bit 0 of the second word.
func (s *source) enter() error {
	flags := uint32(s.version) << 24
	if len(s.types) > 3 {
		flags |= 1
		list := make([]byte, 4*len(s.types))
		for i, t := range s.types {
			xgb.Put32(list[4*i:], uint32(t))
		}
		err := xproto.ChangePropertyChecked(s.conn, xproto.PropModeReplace, s.win, s.atoms.typeList,
			xproto.AtomAtom, 32, uint32(len(s.types)), list).Check()
		if err != nil {
			return fmt.Errorf("set XdndTypeList on the source window: %w", err)
		}
	}
	msg := [5]uint32{uint32(s.win), flags}
	for i := 0; i < 3 && i < len(s.types); i++ {
		msg[2+i] = uint32(s.types[i])
	}
	if err := s.send(s.atoms.enter, msg); err != nil {
		return fmt.Errorf("send XdndEnter to window 0x%x: %w", s.target, err)
	}
	return nil
}

// position tells the target where the pointer is and waits for its
// XdndStatus; a status without the accept bit means the target wants none of
// the offered types.
func (s *source) position(ctx context.Context, rootX, rootY int16) error {
	msg := [5]uint32{uint32(s.win), 0, uint32(rootX)<<16 | uint32(rootY), uint32(s.time), uint32(s.atoms.actionCopy)}
	if err := s.send(s.atoms.position, msg); err != nil {
		return fmt.Errorf("send XdndPosition to window 0x%x: %w", s.target, err)
	}
	accepted := false
	err := s.wait(ctx, func(ev xgb.Event) bool {
		m, ok := s.message(ev, s.atoms.status)
		if ok {
			accepted = m[1]&1 != 0
		}
		return ok
	})
	if err != nil {
		return fmt.Errorf("target 0x%x never answered XdndStatus (is the window XdndAware, is its event loop running?): %w", s.target, err)
	}
	if !accepted {
		return fmt.Errorf("window 0x%x answered XdndStatus without accepting %s: %w", s.target, s.typeNames, ErrRejected)
	}
	return nil
}

// dropAndFinish drops, serves the target's request for the data (in wait),
// and waits for XdndFinished. Targets older than version 2 never send it, so
// for them serving the data is the end.
func (s *source) dropAndFinish(ctx context.Context) error {
	if err := s.send(s.atoms.drop, [5]uint32{uint32(s.win), 0, uint32(s.time)}); err != nil {
		return fmt.Errorf("send XdndDrop to window 0x%x: %w", s.target, err)
	}
	success := false
	err := s.wait(ctx, func(ev xgb.Event) bool {
		if s.version < 2 {
			success = s.served
			return s.served
		}
		m, ok := s.message(ev, s.atoms.finish)
		if ok {
			// Version 5 defines only bit 0 as "accepted and done". GLFW
			// (and so Fyne) puts the byte count of the data it read here,
			// which is even half the time, so any non-zero value counts.
			success = m[1] != 0
		}
		return ok
	})
	if err != nil {
		asked := "it never asked for the data"
		if s.served {
			asked = "it did fetch the data"
		}
		return fmt.Errorf("target 0x%x never sent XdndFinished after XdndDrop (%s): %w", s.target, asked, err)
	}
	if !success {
		return fmt.Errorf("window 0x%x finished without taking the drop: %w", s.target, ErrRejected)
	}
	return nil
}

// leave tells the target the drag is over, after a failure. The source
// window goes away right after, so the target must not wait for more.
func (s *source) leave() error {
	if err := s.send(s.atoms.leave, [5]uint32{uint32(s.win)}); err != nil {
		return fmt.Errorf("send XdndLeave to window 0x%x: %w", s.target, err)
	}
	return nil
}
