package query

import (
	"strings"
)

// tokenKind tells what a token is.
type tokenKind uint8

const (
	tokEOF    tokenKind = iota
	tokWord             // a bare word: cat, artist:*, size>10MB, path:"/a b/*"
	tokString           // a quoted tag: "two words"
	tokLParen           // ( at the start of a word
	tokRParen           // ) not closing a parenthesis opened inside a word
	tokOr               // |
	tokNot              // - at the start of a word
)

// token is one lexical unit of a query.
type token struct {
	kind     tokenKind
	pos, end int
	// text is the raw source of a tokWord, up to and including the colon
	// when quoted is set; for a tokString it is the decoded content.
	text string
	// quoted is set on a tokWord written field:"value"; value is the
	// decoded value.
	quoted bool
	value  string
	// open is set (lenient mode only) on a string whose closing quote is
	// missing.
	open bool
}

// lexer splits a query into tokens. In lenient mode (autocomplete) it never
// fails: it makes the best tokens it can of a half-typed query.
type lexer struct {
	src     string
	pos     int
	lenient bool
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// atTermEnd reports whether a term ends at byte i: at a space, ")", "|" or
// the end of the query. A closing quote must be followed by one, and "-" must
// not.
func (l *lexer) atTermEnd(i int) bool {
	if i >= len(l.src) {
		return true
	}
	c := l.src[i]
	return isSpace(c) || c == ')' || c == '|'
}

// next returns the next token, or an error in strict mode.
func (l *lexer) next() (token, *Error) {
	for l.pos < len(l.src) && isSpace(l.src[l.pos]) {
		l.pos++
	}
	start := l.pos
	if start >= len(l.src) {
		return token{kind: tokEOF, pos: start, end: start}, nil
	}
	switch l.src[start] {
	case '(':
		l.pos++
		return token{kind: tokLParen, pos: start, end: l.pos}, nil
	case ')':
		l.pos++
		return token{kind: tokRParen, pos: start, end: l.pos}, nil
	case '|':
		l.pos++
		return token{kind: tokOr, pos: start, end: l.pos}, nil
	case '-':
		l.pos++
		if l.atTermEnd(l.pos) && !l.lenient {
			return token{}, errorf(start, l.pos, `nothing after "-" — write -tag, with no space, to leave a tag out`)
		}
		return token{kind: tokNot, pos: start, end: l.pos}, nil
	case '"':
		s, open, err := l.quoted()
		if err != nil {
			return token{}, err
		}
		return token{kind: tokString, pos: start, end: l.pos, text: s, open: open}, l.afterQuote()
	}
	return l.word(start)
}

// word scans a bare word starting at start.
func (l *lexer) word(start int) (token, *Error) {
	typeValue := hasPrefixFold(l.src[start:], "type:")
	depth := 0     // parentheses opened inside this word
	firstOpen := 0 // where the outermost of them is
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case isSpace(c):
			return l.endWord(start, depth, firstOpen)
		case c == '(':
			if depth == 0 {
				firstOpen = l.pos
			}
			depth++
		case c == ')':
			if depth == 0 {
				return l.endWord(start, depth, firstOpen)
			}
			depth--
		case c == '|':
			// In type:image|video the | lists kinds; elsewhere it is OR.
			if !typeValue || l.atTermEnd(l.pos+1) || l.src[l.pos+1] == '(' || l.src[l.pos+1] == '-' {
				return l.endWord(start, depth, firstOpen)
			}
		case c == '"':
			if depth == 0 && l.pos > start && l.src[l.pos-1] == ':' && !strings.Contains(l.src[start:l.pos-1], ":") {
				text := l.src[start:l.pos]
				value, open, err := l.quoted()
				if err != nil {
					return token{}, err
				}
				t := token{kind: tokWord, pos: start, end: l.pos, text: text, quoted: true, value: value, open: open}
				return t, l.afterQuote()
			}
			if l.lenient {
				return l.endWord(start, 0, 0)
			}
			return token{}, errorf(l.pos, l.pos+1, `quote inside a word — put a space before it, or quote the whole tag: "a b"`)
		}
		l.pos++
	}
	return l.endWord(start, depth, firstOpen)
}

// endWord makes the word token that ends at l.pos. Parentheses inside a word
// must balance: a word that leaves one open would swallow the ")" of an
// enclosing group, so (a fate_(x) reads as nothing sensible.
func (l *lexer) endWord(start, depth, firstOpen int) (token, *Error) {
	if depth > 0 && !l.lenient {
		return token{}, errorf(firstOpen, firstOpen+1, `unclosed "(" inside a word — add ")", put a space after "(", or quote the tag`)
	}
	return token{kind: tokWord, pos: start, end: l.pos, text: l.src[start:l.pos]}, nil
}

// quoted scans a quoted string at l.pos and returns its decoded content.
// Only \" and \\ are escapes, so that any tag name can be written.
func (l *lexer) quoted() (s string, open bool, err *Error) {
	start := l.pos
	l.pos++ // opening quote
	var b strings.Builder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch c {
		case '"':
			l.pos++
			return b.String(), false, nil
		case '\\':
			if l.pos+1 < len(l.src) && (l.src[l.pos+1] == '"' || l.src[l.pos+1] == '\\') {
				b.WriteByte(l.src[l.pos+1])
				l.pos += 2
				continue
			}
			if l.pos+1 >= len(l.src) {
				if l.lenient {
					l.pos++
					continue
				}
				return "", false, errorf(start, len(l.src), `unclosed quote — add " at the end`)
			}
			if !l.lenient {
				return "", false, errorf(l.pos, l.pos+2, `unknown escape in quotes — write \\ for a backslash and \" for a quote`)
			}
		}
		b.WriteByte(c)
		l.pos++
	}
	if l.lenient {
		return b.String(), true, nil
	}
	return "", false, errorf(start, len(l.src), `unclosed quote — add " at the end`)
}

// afterQuote checks that a closing quote ends the word.
func (l *lexer) afterQuote() *Error {
	if l.lenient || l.atTermEnd(l.pos) {
		return nil
	}
	return errorf(l.pos, l.pos+1, "text right after a closing quote — put a space after the quote")
}

// hasPrefixFold reports whether s starts with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && equalFold(s[:len(prefix)], prefix)
}

// equalFold compares ASCII case-insensitively. strings.EqualFold would also
// fold Unicode (ſ to s), letting odd spellings of field names through.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// toLowerASCII lower-cases the ASCII letters of s.
func toLowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lowerASCII(c)
	}
	return string(b)
}
