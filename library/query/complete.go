package query

import (
	"strings"
	"unicode/utf8"
)

// CompletionKind tells what the word under the cursor is.
type CompletionKind uint8

const (
	// CompleteTag: a tag name (or a keyword, or a field name) is being
	// typed, or nothing yet. Offer tag names from the index.
	CompleteTag CompletionKind = iota
	// CompleteValue: the value of CompletionContext.Field is being typed,
	// after "type:", "pool:", "size>" and so on.
	CompleteValue
)

// CompletionContext describes the word being typed at a cursor, for the GUI's
// search box and the CLI's shell completion.
type CompletionContext struct {
	Kind CompletionKind
	// Field is the field whose value is typed ("type", "sort", "pool",
	// "size", …), lower-case; "" when Kind is CompleteTag.
	Field string
	// Pos and End are the byte span a chosen suggestion replaces: the whole
	// word (not only up to the cursor), quotes included, a leading "-"
	// excluded; for a value, the part after the colon or operator (one item
	// of a type: list). Pos == End == cursor when nothing is typed yet.
	Pos, End int
	// Prefix is what was typed from Pos up to the cursor, without quotes or
	// escapes: filter suggestions by it.
	Prefix string
	// Quoted is set when the word is in quotes (an exact tag name, or a
	// quoted value). Insert tag names with FormatTag, values with
	// FormatValue, and they are quoted as needed.
	Quoted bool
	// Suggestions are the built-in candidates that start with Prefix
	// (ignoring ASCII case), each the full text for Pos..End: keywords and
	// field names ("missing", "type:", "size>") in a tag position once
	// something is typed, and the closed value sets of type:, sort:,
	// added: and modified:. Tag and pool names come from the index; the
	// caller adds them.
	Suggestions []string
}

// tagPositionWords are offered while a tag is typed.
var tagPositionWords = []string{
	keywordMissing, keywordDuplicates,
	"type:", "mime:", "ext:", "hash:", "path:", "pool:", "sort:", "limit:",
	"size>", "width>", "height>", "duration>", "added>", "modified>", "tags=",
}

// Completion reports what is being typed at byte offset cursor of src. It
// never fails: a half-typed query (an open quote, a dangling "-") is read as
// far as it goes.
func Completion(src string, cursor int) CompletionContext {
	cursor = min(max(cursor, 0), len(src))
	for cursor > 0 && cursor < len(src) && !utf8.RuneStart(src[cursor]) {
		cursor--
	}
	t, ok := tokenAt(src, cursor)
	if !ok {
		return CompletionContext{Kind: CompleteTag, Pos: cursor, End: cursor}
	}
	if t.kind == tokString {
		return CompletionContext{Kind: CompleteTag, Pos: t.pos, End: t.end, Prefix: unquotePrefix(src[t.pos:cursor]), Quoted: true}
	}
	if c, ok := completeValue(src, t, cursor); ok {
		c.Suggestions = filterPrefix(valueWords(c.Field), c.Prefix)
		return c
	}
	c := CompletionContext{Kind: CompleteTag, Pos: t.pos, End: t.end, Prefix: src[t.pos:cursor]}
	if t.quoted {
		// artist:"john sm| is a quoted tag name.
		c.Quoted = true
		if valueAt := t.pos + len(t.text); cursor > valueAt {
			c.Prefix = t.text + unquotePrefix(src[valueAt:cursor])
		}
	}
	if c.Prefix != "" && !c.Quoted {
		c.Suggestions = filterPrefix(tagPositionWords, c.Prefix)
	}
	return c
}

// tokenAt finds the word or quoted string that the cursor is in or just
// after; a word ending at the cursor wins over one starting there.
func tokenAt(src string, cursor int) (token, bool) {
	l := lexer{src: src, lenient: true}
	var found token
	ok := false
	for {
		t, _ := l.next()
		if t.kind == tokEOF || t.pos > cursor {
			return found, ok
		}
		if (t.kind == tokWord || t.kind == tokString) && t.pos <= cursor && cursor <= t.end {
			if !ok || t.pos < cursor {
				found, ok = t, true
			}
		}
	}
}

// completeValue reports the value context of a field word, if the cursor is
// in its value.
func completeValue(src string, t token, cursor int) (CompletionContext, bool) {
	w := t.text
	if t.quoted {
		name := w[:len(w)-1]
		f, ok := fieldName(name)
		start := t.pos + len(w)
		if !ok || cursor < start {
			return CompletionContext{}, false
		}
		return CompletionContext{Kind: CompleteValue, Field: f, Pos: start, End: t.end, Quoted: true, Prefix: unquotePrefix(src[start:cursor])}, true
	}
	colon := strings.IndexByte(w, ':')
	var f string
	start := -1
	if at, n := findOperator(w); at > 0 && (colon < 0 || at < colon) && isIdent(w[:at]) {
		if cf, ok := lookupCompareField(w[:at]); ok {
			f, start = string(cf), t.pos+at+n
		}
	} else if colon > 0 {
		if name, ok := fieldName(w[:colon]); ok {
			f, start = name, t.pos+colon+1
		}
	}
	if start < 0 || cursor < start {
		return CompletionContext{}, false
	}
	end := t.end
	if f == string(fieldType) {
		// Complete one item of type:image,vid|eo.
		if i := strings.LastIndexAny(src[start:cursor], ",|"); i >= 0 {
			start += i + 1
		}
		if i := strings.IndexAny(src[cursor:end], ",|"); i >= 0 {
			end = cursor + i
		}
	}
	return CompletionContext{Kind: CompleteValue, Field: f, Pos: start, End: end, Prefix: src[start:cursor]}, true
}

// fieldName returns the lower-case name of a reserved field prefix.
func fieldName(name string) (string, bool) {
	if f, ok := lookupValueField(name); ok {
		return string(f), true
	}
	if f, ok := lookupCompareField(name); ok {
		return string(f), true
	}
	return "", false
}

// valueWords lists the values a field takes, where there are few.
func valueWords(field string) []string {
	switch field {
	case string(fieldType):
		return []string{string(Image), string(Video), string(Audio), string(Document)}
	case string(fieldSort):
		var words []string
		for _, k := range sortKeys {
			words = append(words, string(k))
			if k != SortRandom {
				words = append(words, string(k)+"-desc")
			}
		}
		return words
	case string(FieldAdded), string(FieldModified):
		return []string{"today", "yesterday"}
	}
	return nil
}

func filterPrefix(words []string, prefix string) []string {
	var out []string
	for _, w := range words {
		if hasPrefixFold(w, prefix) {
			out = append(out, w)
		}
	}
	return out
}

// unquotePrefix decodes the start of a quoted string, "ab\"c → ab"c.
func unquotePrefix(s string) string {
	if s == "" {
		return ""
	}
	l := lexer{src: s, lenient: true}
	v, _, _ := l.quoted()
	return v
}
