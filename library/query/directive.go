package query

import (
	"strings"
)

// directive records sort: or limit:, which must be at the top level, once.
func (p *parser) directive(f valueField, v value, span Span, negated bool) *Error {
	switch {
	case negated:
		return errorf(span.Pos, span.End, "%s: cannot be negated — remove the \"-\"", f)
	case p.depth > 0:
		return errorf(span.Pos, span.End, "%s: works only outside parentheses — move it to the top level", f)
	}
	if f == fieldLimit {
		if p.limitSet {
			return errorf(span.Pos, span.End, "limit: given twice — keep one")
		}
		n, ok := parseCount(v.text)
		if !ok || n < 1 || n > 1<<31-1 {
			return errorf(v.span.Pos, v.span.End, "limit: needs a whole number from 1 up, like limit:100")
		}
		p.limit, p.limitSet = int(n), true
		return nil
	}
	if p.sortSet {
		return errorf(span.Pos, span.End, "sort: given twice — keep one")
	}
	key, dir, hasDir := strings.Cut(v.text, "-")
	s := Sort{}
	for _, k := range sortKeys {
		if equalFold(key, string(k)) {
			s.Key = k
		}
	}
	switch {
	case s.Key == "":
		return errorf(v.span.Pos, v.span.End, "unknown sort %q — use size, name, added, modified or random, with -desc to reverse", v.text)
	case hasDir && equalFold(dir, "desc"):
		s.Desc = true
	case hasDir && !equalFold(dir, "asc"):
		return errorf(v.span.Pos, v.span.End, "unknown sort direction %q — add -desc to reverse, or nothing", dir)
	}
	if s.Desc && s.Key == SortRandom {
		return errorf(v.span.Pos, v.span.End, "sort:random has no direction — remove -desc")
	}
	p.sort, p.sortSet = s, true
	return nil
}
