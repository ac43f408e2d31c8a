package query

import (
	"strings"
)

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
