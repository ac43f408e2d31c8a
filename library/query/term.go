package query

import (
	"strings"
)

// valueField is a field written field:value.
type valueField string

const (
	fieldHash  valueField = "hash"
	fieldPath  valueField = "path"
	fieldType  valueField = "type"
	fieldMIME  valueField = "mime"
	fieldExt   valueField = "ext"
	fieldPool  valueField = "pool"
	fieldSort  valueField = "sort"
	fieldLimit valueField = "limit"
)

var valueFields = []valueField{fieldHash, fieldPath, fieldType, fieldMIME, fieldExt, fieldPool, fieldSort, fieldLimit}

var compareFields = []Field{FieldSize, FieldWidth, FieldHeight, FieldDuration, FieldAdded, FieldModified, FieldTags}

// Keywords are the bare words that are predicates rather than tags.
const (
	keywordMissing    = "missing"
	keywordDuplicates = "duplicates"
)

var kinds = []Kind{Image, Video, Audio, Document}

var sortKeys = []SortKey{SortSize, SortName, SortAdded, SortModified, SortRandom}

func lookupValueField(name string) (valueField, bool) {
	for _, f := range valueFields {
		if equalFold(name, string(f)) {
			return f, true
		}
	}
	return "", false
}

func lookupCompareField(name string) (Field, bool) {
	for _, f := range compareFields {
		if equalFold(name, string(f)) {
			return f, true
		}
	}
	return "", false
}

// value is a field's value with the span it was written at (quotes included).
type value struct {
	text   string
	span   Span
	quoted bool // so text's offsets are not the source's
}

// term turns a word token into a predicate, a tag, or (returning nil) a
// sort: or limit: directive.
func (p *parser) term(t token, negated bool) (Expr, *Error) {
	span := Span{t.pos, t.end}
	if t.quoted {
		prefix := t.text[:len(t.text)-1] // without the colon
		v := value{t.value, Span{t.pos + len(t.text), t.end}, true}
		if f, ok := lookupValueField(prefix); ok {
			return p.field(f, v, span, negated)
		}
		if f, ok := lookupCompareField(prefix); ok {
			return compare(f, OpEq, v, span)
		}
		// artist:"john smith" is the tag artist:john smith.
		return &Tag{Span: span, Name: t.text + t.value}, nil
	}
	w := t.text
	switch {
	case equalFold(w, keywordMissing):
		return &Missing{Span: span}, nil
	case equalFold(w, keywordDuplicates):
		return &Duplicates{Span: span}, nil
	case isOperator(w):
		return nil, errorf(t.pos, t.end, `lone %q — write comparisons without spaces, like size>10MB, or quote it to search a tag`, w)
	}
	colon := strings.IndexByte(w, ':')
	if at, n := findOperator(w); at > 0 && (colon < 0 || at < colon) && isIdent(w[:at]) {
		name := w[:at]
		v := value{text: w[at+n:], span: Span{t.pos + at + n, t.end}}
		f, ok := lookupCompareField(name)
		if !ok {
			if _, ok := lookupValueField(name); ok {
				return nil, errorf(t.pos, t.end, "%s takes a value after a colon, not a comparison — write %s:…", toLowerASCII(name), toLowerASCII(name))
			}
			return nil, errorf(t.pos, t.pos+at, "unknown field %q — compare size, width, height, duration, added, modified or tags, or quote it to search a tag: %s", name, quote(w))
		}
		return compare(f, Op(w[at:at+n]), v, span)
	}
	if colon > 0 {
		v := value{text: w[colon+1:], span: Span{t.pos + colon + 1, t.end}}
		if f, ok := lookupValueField(w[:colon]); ok {
			return p.field(f, v, span, negated)
		}
		if f, ok := lookupCompareField(w[:colon]); ok {
			return compare(f, OpEq, v, span)
		}
	}
	if colon > 0 && colon == len(w)-1 {
		return nil, errorf(t.pos, t.end, "nothing after %q — add a name, or write %s* for any tag in that namespace", w, w)
	}
	return &Tag{Span: span, Name: w, Wildcard: strings.Contains(w, "*")}, nil
}

// isIdent reports whether s looks like a field name: a letter or _, then
// letters, digits or _.
func isIdent(s string) bool {
	for i := 0; i < len(s); i++ {
		c := lowerASCII(s[i])
		if !('a' <= c && c <= 'z' || c == '_' || i > 0 && isDigit(c)) {
			return false
		}
	}
	return s != ""
}

// findOperator returns the index and length of the first comparison
// operator in w, or -1.
func findOperator(w string) (at, n int) {
	for i := 0; i < len(w); i++ {
		switch w[i] {
		case '<', '>', '=':
			if i+1 < len(w) && w[i+1] == '=' && w[i] != '=' {
				return i, 2
			}
			return i, 1
		case '!':
			if i+1 < len(w) && w[i+1] == '=' {
				return i, 2
			}
		}
	}
	return -1, 0
}

// isOperator reports whether w is only an operator, as in "size > 10MB".
func isOperator(w string) bool {
	switch w {
	case "=", "!=", "<", "<=", ">", ">=", "==":
		return true
	}
	return false
}
