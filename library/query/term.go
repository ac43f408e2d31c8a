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

// compare builds a Compare from field, op and the value text.
func compare(f Field, op Op, v value, span Span) (Expr, *Error) {
	c := &Compare{Span: span, Field: f, Op: op}
	if v.text == "" {
		return nil, errorf(span.Pos, span.End, "nothing to compare %s with — add a value, like %s", f, compareExample(f))
	}
	if strings.ContainsAny(v.text[:1], "<>=!") {
		return nil, errorf(v.span.Pos, v.span.End, "one operator only — write %s", compareExample(f))
	}
	bad := func(msg string) (Expr, *Error) {
		return nil, errorf(v.span.Pos, v.span.End, "%s", msg)
	}
	switch f {
	case FieldSize:
		n, err := parseSize(v.text)
		if err != nil {
			return bad(err.Error())
		}
		c.N = n
	case FieldWidth, FieldHeight, FieldTags:
		n, ok := parseCount(v.text)
		if !ok {
			return bad(string(f) + " needs a whole number, like " + compareExample(f))
		}
		c.N = n
	case FieldDuration:
		d, err := parseDuration(v.text)
		if err != nil {
			return bad(err.Error())
		}
		c.Duration = d
	case FieldAdded, FieldModified:
		d, err := parseDate(v.text)
		if err != nil {
			return bad(err.Error())
		}
		c.Date = d
	}
	return c, nil
}

func compareExample(f Field) string {
	switch f {
	case FieldSize:
		return "size>10MB"
	case FieldWidth:
		return "width>=1920"
	case FieldHeight:
		return "height>=1080"
	case FieldDuration:
		return "duration>90s"
	case FieldTags:
		return "tags=0"
	}
	return string(f) + ">2024-01-31"
}

// field builds the predicate for a field:value word, or records a sort: or
// limit: directive and returns nil.
func (p *parser) field(f valueField, v value, span Span, negated bool) (Expr, *Error) {
	if v.text == "" {
		return nil, errorf(span.Pos, span.End, "nothing after %s: — add a value, like %s", f, fieldExample(f))
	}
	bad := func(format string, args ...any) (Expr, *Error) {
		return nil, errorf(v.span.Pos, v.span.End, format, args...)
	}
	switch f {
	case fieldHash:
		hex := toLowerASCII(v.text)
		if len(hex) < 4 || len(hex) > 64 || strings.Trim(hex, "0123456789abcdef") != "" {
			return bad("hash: needs 4 to 64 hexadecimal digits (a BLAKE3 hash or its start)")
		}
		return &Hash{Span: span, Hex: hex, Prefix: len(hex) < 64}, nil
	case fieldPath:
		if v.text[0] != '/' && v.text[0] != '*' {
			return bad("path: needs an absolute path or a pattern starting with *, like path:/home/me/Pictures/*")
		}
		return &Path{Span: span, Glob: v.text}, nil
	case fieldType:
		return typeOf(v, span)
	case fieldMIME:
		m := toLowerASCII(v.text)
		slash := strings.IndexByte(m, '/')
		if slash <= 0 || slash == len(m)-1 || strings.Count(m, "/") != 1 || strings.Trim(m, "abcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-*/") != "" {
			return bad("mime: needs type/subtype, like mime:image/png or mime:image/*")
		}
		return &MIME{Span: span, Pattern: m}, nil
	case fieldExt:
		ext := toLowerASCII(strings.TrimLeft(v.text, "."))
		if ext == "" || strings.ContainsAny(ext, "/") {
			return bad("ext: needs an extension, like ext:jpg")
		}
		return &Ext{Span: span, Name: ext}, nil
	case fieldPool:
		return &Pool{Span: span, Name: v.text}, nil
	}
	return nil, p.directive(f, v, span, negated)
}

// typeOf parses type:image,video (or image|video).
func typeOf(v value, span Span) (Expr, *Error) {
	t := &Type{Span: span}
	at := v.span.Pos
	rest := v.text
	for {
		i := strings.IndexAny(rest, ",|")
		if i < 0 {
			i = len(rest)
		}
		item := rest[:i]
		k, ok := Kind(""), false
		for _, cand := range kinds {
			if equalFold(item, string(cand)) {
				k, ok = cand, true
			}
		}
		// Point at the item, or at a separator next to an empty one; in
		// quotes, escapes shift offsets, so point at the whole value.
		pos, end := at, at+len(item)
		switch {
		case v.quoted:
			pos, end = v.span.Pos, v.span.End
		case item == "" && i < len(rest):
			end = at + 1
		case item == "":
			pos = at - 1
		}
		switch {
		case item == "":
			return nil, errorf(pos, end, `empty type in the list — remove the extra ","`)
		case !ok:
			return nil, errorf(pos, end, "unknown type %q — use image, video, audio or document", item)
		}
		t.Kinds = append(t.Kinds, k)
		if i == len(rest) {
			return t, nil
		}
		rest = rest[i+1:]
		at += i + 1
	}
}

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

func fieldExample(f valueField) string {
	switch f {
	case fieldHash:
		return "hash:1a2b3c4d"
	case fieldPath:
		return "path:/home/me/Pictures/*"
	case fieldType:
		return "type:image"
	case fieldMIME:
		return "mime:image/png"
	case fieldExt:
		return "ext:jpg"
	case fieldPool:
		return "pool:comic"
	case fieldSort:
		return "sort:added-desc"
	}
	return "limit:100"
}
