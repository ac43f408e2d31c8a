package query

import (
	"strings"
)

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
