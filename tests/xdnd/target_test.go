package xdnd

import (
	"bytes"
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// testTarget is a minimal XDND drop target, an xgb window that behaves like
// GLFW's (and so Fyne's): it accepts text/uri-list, fetches it on drop into
// the XdndSelection property and answers XdndFinished. Its knobs make it
// misbehave in the ways a source must survive.
type testTarget struct {
	X, Y, Width, Height int16
	Title               string // WM_NAME and _NET_WM_NAME of the aware window, as GLFW sets them
	Frame               bool   // put the aware window inside a plain parent, like a WM frame
	NotAware            bool   // no XdndAware property at all
	Refuse              bool   // answer XdndStatus without the accept bit
	Silent              bool   // never answer XdndStatus
	NoFinish            bool   // fetch the data but never send XdndFinished
	AwareVersion        uint32 // the XdndAware version; 0 means 5
	// Proxy, if set, gets an XdndProxy window created on its own connection;
	// the XDND messages go there and the target itself hears nothing.
	Proxy *proxyWindow
	// FinishFlag computes XdndFinished's second word from the bytes read;
	// nil means 1, the spec's "accepted". GLFW sends the byte count.
	FinishFlag func(n int) uint32

	conn   *xgb.Conn
	Win    xproto.Window // the XdndAware window
	Outer  xproto.Window // the frame, or Win
	result chan targetResult
}

// targetResult is what the target saw of one drag.
type targetResult struct {
	Version      uint32
	Types        []string
	WinX, WinY   int // drop point in the target window's coordinates
	DropTime     uint32
	PropertyType string
	Data         []byte
	Left         bool // the source sent XdndLeave
	SentFinished bool
	Errs         []string // what went wrong on the target's side
}

// targetAtoms are the atoms the target's loop needs, interned up front so
// the loop never touches the test's *testing.T.
type targetAtoms struct {
	enter, position, drop, leave, status, finish xproto.Atom
	selection, typeList, uriList, actionCopy     xproto.Atom
}

// start creates and maps the target's windows on display and runs its
// event loop until the test ends.
func (tt *testTarget) start(t *testing.T, display string) {
	t.Helper()
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatalf("target: connect to %s: %v", display, err)
	}
	tt.conn = conn
	tt.result = make(chan targetResult, 4)
	root := xproto.Setup(conn).DefaultScreen(conn).Root

	newWindow := func(parent xproto.Window, x, y, w, h int16) xproto.Window {
		id, err := xproto.NewWindowId(conn)
		if err != nil {
			t.Fatalf("target: window id: %v", err)
		}
		err = xproto.CreateWindowChecked(conn, 0, id, parent, x, y, uint16(w), uint16(h), 0,
			xproto.WindowClassInputOutput, 0, xproto.CwEventMask,
			[]uint32{xproto.EventMaskPropertyChange}).Check()
		if err != nil {
			t.Fatalf("target: create window: %v", err)
		}
		return id
	}
	if tt.Frame {
		tt.Outer = newWindow(root, tt.X, tt.Y, tt.Width+10, tt.Height+30)
		tt.Win = newWindow(tt.Outer, 5, 25, tt.Width, tt.Height)
		xproto.MapWindow(conn, tt.Win)
	} else {
		tt.Win = newWindow(root, tt.X, tt.Y, tt.Width, tt.Height)
		tt.Outer = tt.Win
	}
	atom := func(name string) xproto.Atom {
		a, err := intern(conn, name)
		if err != nil {
			t.Fatalf("target: %v", err)
		}
		return a
	}
	if !tt.NotAware {
		v := make([]byte, 4)
		xgb.Put32(v, cmp.Or(tt.AwareVersion, 5))
		xproto.ChangeProperty(conn, xproto.PropModeReplace, tt.Win, atom("XdndAware"), xproto.AtomAtom, 32, 1, v)
	}
	if tt.Proxy != nil {
		tt.Proxy.start(t, display)
		v := make([]byte, 4)
		xgb.Put32(v, uint32(tt.Proxy.Win))
		xproto.ChangeProperty(conn, xproto.PropModeReplace, tt.Win, atom("XdndProxy"), xproto.AtomWindow, 32, 1, v)
	}
	if tt.Title != "" {
		xproto.ChangeProperty(conn, xproto.PropModeReplace, tt.Win, xproto.AtomWmName, xproto.AtomString,
			8, uint32(len(tt.Title)), []byte(tt.Title))
		xproto.ChangeProperty(conn, xproto.PropModeReplace, tt.Win, atom("_NET_WM_NAME"), atom("UTF8_STRING"),
			8, uint32(len(tt.Title)), []byte(tt.Title))
	}
	if err := xproto.MapWindowChecked(conn, tt.Outer).Check(); err != nil {
		t.Fatalf("target: map window: %v", err)
	}
	a := targetAtoms{
		enter: atom("XdndEnter"), position: atom("XdndPosition"),
		drop: atom("XdndDrop"), leave: atom("XdndLeave"),
		status: atom("XdndStatus"), finish: atom("XdndFinished"),
		selection: atom("XdndSelection"), typeList: atom("XdndTypeList"),
		uriList: atom("text/uri-list"), actionCopy: atom("XdndActionCopy"),
	}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tt.loop(a)
	}()
	t.Cleanup(func() {
		conn.Close()
		<-stopped
	})
}

func (tt *testTarget) atomName(a xproto.Atom) string {
	r, err := xproto.GetAtomName(tt.conn, a).Reply()
	if err != nil {
		return "atom " + strconv.Itoa(int(a))
	}
	return r.Name
}

// wait returns what the target saw, once the drag ended for it.
func (tt *testTarget) wait(t *testing.T) targetResult {
	t.Helper()
	select {
	case r := <-tt.result:
		for _, e := range r.Errs {
			t.Errorf("target: %s", e)
		}
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("target: the drag did not end for the target (no XdndFinished sent, no XdndLeave seen)")
	}
	return targetResult{}
}

// loop is the target's event loop, written after GLFW's x11_window.c.
func (tt *testTarget) loop(a targetAtoms) {
	var (
		res    targetResult
		source xproto.Window
		accept bool
	)
	reply := func(typ xproto.Atom, words ...uint32) {
		data := make([]uint32, 5)
		data[0] = uint32(tt.Win)
		copy(data[1:], words)
		msg := xproto.ClientMessageEvent{Format: 32, Window: source, Type: typ,
			Data: xproto.ClientMessageDataUnionData32New(data)}
		xproto.SendEvent(tt.conn, false, source, xproto.EventMaskNoEvent, string(msg.Bytes()))
	}
	fail := func(format string, args ...any) {
		res.Errs = append(res.Errs, fmt.Sprintf(format, args...))
	}
	done := func() {
		select {
		case tt.result <- res:
		default: // a test reads one result; never block the loop on more
		}
		res = targetResult{}
	}
	for {
		ev, xerr := tt.conn.WaitForEvent()
		if ev == nil && xerr == nil {
			return
		}
		if xerr != nil {
			fail("X error: %v", xerr)
			continue
		}
		switch ev := ev.(type) {
		case xproto.ClientMessageEvent:
			l := ev.Data.Data32
			switch ev.Type {
			case a.enter:
				source = xproto.Window(l[0])
				res.Version = l[1] >> 24
				atoms := l[2:5]
				if l[1]&1 != 0 {
					atoms = nil
					r, err := xproto.GetProperty(tt.conn, false, source, a.typeList, xproto.AtomAtom, 0, 100).Reply()
					if err != nil {
						fail("read XdndTypeList: %v", err)
						break
					}
					for i := 0; i+4 <= len(r.Value); i += 4 {
						atoms = append(atoms, xgb.Get32(r.Value[i:]))
					}
				}
				accept = false
				for _, at := range atoms {
					if at == 0 {
						continue
					}
					res.Types = append(res.Types, tt.atomName(xproto.Atom(at)))
					accept = accept || xproto.Atom(at) == a.uriList
				}
			case a.position:
				tr, err := xproto.TranslateCoordinates(tt.conn, xproto.Setup(tt.conn).DefaultScreen(tt.conn).Root,
					tt.Win, int16(l[2]>>16), int16(l[2]&0xffff)).Reply()
				if err != nil {
					fail("translate the drop point: %v", err)
					break
				}
				res.WinX, res.WinY = int(tr.DstX), int(tr.DstY)
				if tt.Silent {
					break
				}
				if accept && !tt.Refuse {
					reply(a.status, 1, 0, 0, uint32(a.actionCopy))
				} else {
					reply(a.status, 0, 0, 0, 0)
				}
			case a.leave:
				res.Left = true
				done()
			case a.drop:
				res.DropTime = l[2]
				xproto.ConvertSelection(tt.conn, tt.Win, a.selection, a.uriList, a.selection, xproto.Timestamp(l[2]))
			}
		case xproto.SelectionNotifyEvent:
			if ev.Property != a.selection {
				fail("the source refused the selection request (property %d)", ev.Property)
				reply(a.finish, 0, 0)
				res.SentFinished = true
				done()
				break
			}
			r, err := xproto.GetProperty(tt.conn, true, tt.Win, a.selection, a.uriList, 0, 1<<28).Reply()
			if err != nil {
				fail("read the dropped data: %v", err)
				break
			}
			res.PropertyType, res.Data = tt.atomName(r.Type), r.Value
			if tt.NoFinish || res.Version < 2 { // before version 2 there was no XdndFinished
				done()
				break
			}
			flag := uint32(1)
			if tt.FinishFlag != nil {
				flag = tt.FinishFlag(len(r.Value))
			}
			reply(a.finish, flag, uint32(a.actionCopy))
			res.SentFinished = true
			done()
		}
	}
}

// glfwPaths decodes a text/uri-list the way GLFW's _glfwParseUriList does:
// split on CR and LF, skip comments, drop "file://host", decode each %XX.
func glfwPaths(list []byte) []string {
	var paths []string
	for _, line := range bytes.FieldsFunc(list, func(r rune) bool { return r == '\r' || r == '\n' }) {
		if line[0] == '#' {
			continue
		}
		if rest, ok := bytes.CutPrefix(line, []byte("file://")); ok {
			line = rest[bytes.IndexByte(rest, '/'):]
		}
		var p strings.Builder
		for i := 0; i < len(line); i++ {
			if line[i] == '%' && i+2 < len(line) {
				n, _ := strconv.ParseUint(string(line[i+1:i+3]), 16, 8)
				p.WriteByte(byte(n))
				i += 2
				continue
			}
			p.WriteByte(line[i])
		}
		paths = append(paths, p.String())
	}
	return paths
}

// proxyWindow is an XdndProxy window: unmapped, on its own connection,
// naming itself in XdndProxy as the spec asks. It records the first XDND
// message it receives.
type proxyWindow struct {
	Win      xproto.Window
	received chan xproto.ClientMessageEvent
}

func (p *proxyWindow) start(t *testing.T, display string) {
	t.Helper()
	conn, err := xgb.NewConnDisplay(display)
	if err != nil {
		t.Fatalf("proxy: connect to %s: %v", display, err)
	}
	root := xproto.Setup(conn).DefaultScreen(conn).Root
	if p.Win, err = xproto.NewWindowId(conn); err != nil {
		t.Fatalf("proxy: window id: %v", err)
	}
	err = xproto.CreateWindowChecked(conn, 0, p.Win, root, 0, 0, 1, 1, 0,
		xproto.WindowClassInputOnly, 0, 0, nil).Check()
	if err != nil {
		t.Fatalf("proxy: create window: %v", err)
	}
	proxy, err := intern(conn, "XdndProxy")
	if err != nil {
		t.Fatalf("proxy: %v", err)
	}
	v := make([]byte, 4)
	xgb.Put32(v, uint32(p.Win))
	if err := xproto.ChangePropertyChecked(conn, xproto.PropModeReplace, p.Win, proxy, xproto.AtomWindow, 32, 1, v).Check(); err != nil {
		t.Fatalf("proxy: set XdndProxy: %v", err)
	}
	p.received = make(chan xproto.ClientMessageEvent, 1)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			ev, xerr := conn.WaitForEvent()
			if ev == nil && xerr == nil {
				return
			}
			if m, ok := ev.(xproto.ClientMessageEvent); ok {
				select {
				case p.received <- m:
				default:
				}
			}
		}
	}()
	t.Cleanup(func() {
		conn.Close()
		<-stopped
	})
}
