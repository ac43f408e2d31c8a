package query

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is a query that cannot be parsed. Pos and End are byte offsets of the
// offending text in the source (End > Pos, except at the end of the query).
type Error struct {
	Pos, End int
	Msg      string
}

// Error says where (as a 0-based byte offset) and what to do, on one line:
//
//	query: at 7: unclosed "(" — add ")"
func (e *Error) Error() string {
	return fmt.Sprintf("query: at %d: %s", e.Pos, e.Msg)
}

// Caret returns src and, under it, a line of carets marking the error's span,
// for a terminal (it counts runes, not bytes).
func (e *Error) Caret(src string) string {
	pos := min(max(e.Pos, 0), len(src))
	end := min(max(e.End, pos), len(src))
	pad := utf8.RuneCountInString(src[:pos])
	n := max(utf8.RuneCountInString(src[pos:end]), 1)
	return src + "\n" + strings.Repeat(" ", pad) + strings.Repeat("^", n)
}

func errorf(pos, end int, format string, args ...any) *Error {
	return &Error{Pos: pos, End: end, Msg: fmt.Sprintf(format, args...)}
}
