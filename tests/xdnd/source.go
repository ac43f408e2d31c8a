package xdnd

import (
	"context"
	"fmt"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// source is one drag: the connection, the hidden window that owns
// XdndSelection, the data on offer and the target found for it.
type source struct {
	conn      *xgb.Conn
	events    <-chan event
	root      xproto.Window
	win       xproto.Window
	atoms     atoms
	types     []xproto.Atom
	typeNames []string
	data      []byte
	time      xproto.Timestamp

	target  xproto.Window // the XdndAware window, named in every message
	dest    xproto.Window // where messages go: target, or its XdndProxy
	version byte          // the lower of ours and the target's
	served  bool          // the target fetched the data at least once
}

// event is what the connection delivers: an event or an X error.
type event struct {
	ev  xgb.Event
	err xgb.Error
}

// newSource creates the source window and starts reading events. The
// window stays unmapped: it only owns the selection and receives messages.
func newSource(conn *xgb.Conn, data []byte, typeNames []string) (*source, error) {
	s := &source{conn: conn, root: xproto.Setup(conn).DefaultScreen(conn).Root, data: data, typeNames: typeNames}
	var err error
	if s.atoms, err = internAtoms(conn); err != nil {
		return nil, err
	}
	for _, name := range typeNames {
		a, err := intern(conn, name)
		if err != nil {
			return nil, err
		}
		s.types = append(s.types, a)
	}
	if s.win, err = xproto.NewWindowId(conn); err != nil {
		return nil, fmt.Errorf("allocate the source window id: %w", err)
	}
	err = xproto.CreateWindowChecked(conn, 0, s.win, s.root, -10, -10, 1, 1, 0,
		xproto.WindowClassInputOnly, 0, xproto.CwOverrideRedirect|xproto.CwEventMask,
		[]uint32{1, xproto.EventMaskPropertyChange}).Check()
	if err != nil {
		return nil, fmt.Errorf("create the source window: %w", err)
	}
	s.events = pump(conn)
	return s, nil
}

// pump moves the connection's events onto a channel, so that waits can
// also watch a timer and the context. It stops when the connection closes.
func pump(conn *xgb.Conn) <-chan event {
	ch := make(chan event)
	go func() {
		defer close(ch)
		for {
			ev, err := conn.WaitForEvent()
			if ev == nil && err == nil {
				return
			}
			ch <- event{ev, err}
		}
	}()
	return ch
}

// destroy removes the source window, which also gives up the selection,
// then drains the events so the pump can see the connection close.
func (s *source) destroy() {
	xproto.DestroyWindow(s.conn, s.win)
	s.conn.Close()
	go func() {
		for range s.events {
		}
	}()
}

// own takes XdndSelection with a real server timestamp, which the
// messages carry and the target passes back in ConvertSelection.
func (s *source) own(ctx context.Context) error {
	err := xproto.ChangePropertyChecked(s.conn, xproto.PropModeAppend, s.win, s.atoms.timestamp,
		xproto.AtomInteger, 32, 0, nil).Check()
	if err != nil {
		return fmt.Errorf("touch a property to learn the server time: %w", err)
	}
	err = s.wait(ctx, func(ev xgb.Event) bool {
		p, ok := ev.(xproto.PropertyNotifyEvent)
		if ok && p.Window == s.win && p.Atom == s.atoms.timestamp {
			s.time = p.Time
			return true
		}
		return false
	})
	if err != nil {
		return fmt.Errorf("wait for the server time: %w", err)
	}
	if err := xproto.SetSelectionOwnerChecked(s.conn, s.win, s.atoms.selection, s.time).Check(); err != nil {
		return fmt.Errorf("own XdndSelection: %w", err)
	}
	owner, err := xproto.GetSelectionOwner(s.conn, s.atoms.selection).Reply()
	if err != nil {
		return fmt.Errorf("check the XdndSelection owner: %w", err)
	}
	if owner.Owner != s.win {
		return fmt.Errorf("could not own XdndSelection: window 0x%x kept it", owner.Owner)
	}
	return nil
}

// send delivers a 32-bit XDND client message about s.target to s.dest.
func (s *source) send(typ xproto.Atom, data [5]uint32) error {
	msg := xproto.ClientMessageEvent{
		Format: 32,
		Window: s.target,
		Type:   typ,
		Data:   xproto.ClientMessageDataUnionData32New(data[:]),
	}
	return xproto.SendEventChecked(s.conn, false, s.dest, xproto.EventMaskNoEvent, string(msg.Bytes())).Check()
}

// message returns the words of ev if it is an XDND message of type typ sent
// to the source window by the target.
func (s *source) message(ev xgb.Event, typ xproto.Atom) ([]uint32, bool) {
	m, ok := ev.(xproto.ClientMessageEvent)
	if !ok || m.Type != typ || m.Window != s.win || m.Format != 32 {
		return nil, false
	}
	words := m.Data.Data32
	if len(words) < 5 || xproto.Window(words[0]) != s.target {
		return nil, false
	}
	return words, true
}

// wait reads events until done returns true, serving selection requests on
// the way, since a target may ask for the data at any time once it knows the
// types. It gives up on the context, on stepTimeout, or on an X error.
func (s *source) wait(ctx context.Context, done func(xgb.Event) bool) error {
	timer := time.NewTimer(stepTimeout)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
			return fmt.Errorf("%w after %s", ErrTimeout, stepTimeout)
		case e, ok := <-s.events:
			if !ok {
				return fmt.Errorf("the X connection closed")
			}
			if e.err != nil {
				return fmt.Errorf("the X server reported an error: %w", e.err)
			}
			if req, ok := e.ev.(xproto.SelectionRequestEvent); ok {
				if err := s.serve(req); err != nil {
					return err
				}
			}
			if done(e.ev) {
				return nil
			}
		}
	}
}
