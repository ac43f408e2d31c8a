package xdnd

import (
	"fmt"
	"slices"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// changePropertyHeader is the size of a ChangeProperty request before its
// data, in bytes.
const changePropertyHeader = 24

// serve answers a SelectionRequest for XdndSelection: it writes the URI list
// (or, for TARGETS, the offered types) onto the requestor's property and
// tells the requestor with SelectionNotify. A request it cannot serve gets
// a SelectionNotify with no property, which is how X says no.
func (s *source) serve(req xproto.SelectionRequestEvent) error {
	reply := xproto.SelectionNotifyEvent{
		Time:      req.Time,
		Requestor: req.Requestor,
		Selection: req.Selection,
		Target:    req.Target,
		Property:  req.Property,
	}
	if reply.Property == xproto.AtomNone {
		reply.Property = req.Target // an obsolete requestor, per ICCCM
	}
	switch {
	case req.Owner != s.win || req.Selection != s.atoms.selection:
		reply.Property = xproto.AtomNone
	case req.Target == s.atoms.targets:
		list := make([]byte, 4*(len(s.types)+1))
		for i, t := range append([]xproto.Atom{s.atoms.targets}, s.types...) {
			xgb.Put32(list[4*i:], uint32(t))
		}
		if err := s.write(req.Requestor, reply.Property, xproto.AtomAtom, 32, list); err != nil {
			return err
		}
	case slices.Contains(s.types, req.Target):
		if err := s.write(req.Requestor, reply.Property, req.Target, 8, s.data); err != nil {
			return err
		}
		s.served = true
	default:
		reply.Property = xproto.AtomNone
	}
	err := xproto.SendEventChecked(s.conn, false, req.Requestor, xproto.EventMaskNoEvent, string(reply.Bytes())).Check()
	if err != nil {
		return fmt.Errorf("send SelectionNotify to window 0x%x: %w", req.Requestor, err)
	}
	return nil
}

// write sets a property in pieces that fit the server's request size. The
// pieces are appended before SelectionNotify, so the requestor reads the
// whole value at once; the INCR protocol, which GLFW does not speak, is
// never needed.
func (s *source) write(w xproto.Window, prop, typ xproto.Atom, format byte, data []byte) error {
	maxBytes := int(xproto.Setup(s.conn).MaximumRequestLength)*4 - changePropertyHeader
	maxBytes -= maxBytes % 4
	mode := byte(xproto.PropModeReplace)
	for first := true; first || len(data) > 0; first = false {
		n := min(len(data), maxBytes)
		err := xproto.ChangePropertyChecked(s.conn, mode, w, prop, typ, format,
			uint32(n/(int(format)/8)), data[:n]).Check()
		if err != nil {
			return fmt.Errorf("write the dropped data onto window 0x%x: %w", w, err)
		}
		data = data[n:]
		mode = xproto.PropModeAppend
	}
	return nil
}
