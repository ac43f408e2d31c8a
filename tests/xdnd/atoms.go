package xdnd

import (
	"fmt"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// atoms are the interned names the protocol uses.
type atoms struct {
	aware, proxy, typeList, selection            xproto.Atom
	enter, position, status, leave, drop, finish xproto.Atom
	actionCopy, targets, timestamp               xproto.Atom
}

// internAtoms interns every name in one round of requests.
func internAtoms(conn *xgb.Conn) (atoms, error) {
	var a atoms
	fields := []struct {
		name string
		dst  *xproto.Atom
	}{
		{"XdndAware", &a.aware},
		{"XdndProxy", &a.proxy},
		{"XdndTypeList", &a.typeList},
		{"XdndSelection", &a.selection},
		{"XdndEnter", &a.enter},
		{"XdndPosition", &a.position},
		{"XdndStatus", &a.status},
		{"XdndLeave", &a.leave},
		{"XdndDrop", &a.drop},
		{"XdndFinished", &a.finish},
		{"XdndActionCopy", &a.actionCopy},
		{"TARGETS", &a.targets},
		// A private property the source touches to learn the server time.
		{"_HOARD_XDND_TIME", &a.timestamp},
	}
	cookies := make([]xproto.InternAtomCookie, len(fields))
	for i, f := range fields {
		cookies[i] = xproto.InternAtom(conn, false, uint16(len(f.name)), f.name)
	}
	for i, f := range fields {
		r, err := cookies[i].Reply()
		if err != nil {
			return atoms{}, fmt.Errorf("intern atom %s: %w", f.name, err)
		}
		*f.dst = r.Atom
	}
	return a, nil
}

// intern returns the atom for name, creating it if needed.
func intern(conn *xgb.Conn, name string) (xproto.Atom, error) {
	r, err := xproto.InternAtom(conn, false, uint16(len(name)), name).Reply()
	if err != nil {
		return 0, fmt.Errorf("intern atom %s: %w", name, err)
	}
	return r.Atom, nil
}
