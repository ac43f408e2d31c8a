package query

import (
	"fmt"
	"strings"
)

// rawDate is a Date without its String method, for dump.
type rawDate Date

// dump prints a tree as an s-expression that shows every field but spans,
// so tests can compare trees as strings.
func dump(e Expr) string {
	switch n := e.(type) {
	case nil:
		return "<all>"
	case *And:
		return "(and " + dumpAll(n.Terms) + ")"
	case *Or:
		return "(or " + dumpAll(n.Terms) + ")"
	case *Not:
		return "(not " + dump(n.X) + ")"
	case *Tag:
		if n.Wildcard {
			return fmt.Sprintf("wild:%q", n.Name)
		}
		return fmt.Sprintf("tag:%q", n.Name)
	case *Hash:
		return fmt.Sprintf("hash:%s/%v", n.Hex, n.Prefix)
	case *Path:
		return fmt.Sprintf("path:%q", n.Glob)
	case *Type:
		return fmt.Sprintf("type:%v", n.Kinds)
	case *MIME:
		return fmt.Sprintf("mime:%q", n.Pattern)
	case *Ext:
		return fmt.Sprintf("ext:%q", n.Name)
	case *Pool:
		return fmt.Sprintf("pool:%q", n.Name)
	case *Missing:
		return "missing"
	case *Duplicates:
		return "duplicates"
	case *Compare:
		v := fmt.Sprint(n.N)
		switch n.Field {
		case FieldDuration:
			v = n.Duration.String()
		case FieldAdded, FieldModified:
			v = fmt.Sprintf("%+v", rawDate(n.Date))
		}
		if n.Field != FieldDuration && n.Duration != 0 || n.Field != FieldAdded && n.Field != FieldModified && n.Date != (Date{}) {
			v += "!stray"
		}
		return fmt.Sprintf("%s%s%s", n.Field, n.Op, v)
	}
	return fmt.Sprintf("?%T", e)
}

func dumpAll(es []Expr) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = dump(e)
	}
	return strings.Join(s, " ")
}

// spans lists every node's span, parents first: "and@0-7 tag@0-3 tag@4-7".
func spans(e Expr) string {
	var out []string
	var walk func(Expr)
	walk = func(e Expr) {
		b := e.Bounds()
		name := strings.ToLower(strings.TrimPrefix(fmt.Sprintf("%T", e), "*query."))
		out = append(out, fmt.Sprintf("%s@%d-%d", name, b.Pos, b.End))
		switch n := e.(type) {
		case *And:
			for _, t := range n.Terms {
				walk(t)
			}
		case *Or:
			for _, t := range n.Terms {
				walk(t)
			}
		case *Not:
			walk(n.X)
		}
	}
	if e != nil {
		walk(e)
	}
	return strings.Join(out, " ")
}

// checkSpans reports a node whose span is outside src or inside-out, or a
// child outside its parent.
func checkSpans(e Expr, src string) error {
	var check func(e Expr, lo, hi int) error
	check = func(e Expr, lo, hi int) error {
		b := e.Bounds()
		if b.Pos < lo || b.End > hi || b.Pos >= b.End {
			return fmt.Errorf("%T span %d-%d outside %d-%d", e, b.Pos, b.End, lo, hi)
		}
		var kids []Expr
		switch n := e.(type) {
		case *And:
			kids = n.Terms
		case *Or:
			kids = n.Terms
		case *Not:
			kids = []Expr{n.X}
		}
		for _, k := range kids {
			if err := check(k, b.Pos, b.End); err != nil {
				return err
			}
		}
		return nil
	}
	if e == nil {
		return nil
	}
	return check(e, 0, len(src))
}
