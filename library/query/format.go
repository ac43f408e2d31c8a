package query

import (
	"strconv"
	"strings"
)

// FormatTag writes a tag name so that a query finds exactly that tag: bare
// when that is unambiguous (cat, artist:foo), quoted otherwise ("two words",
// "missing", "type:x", "foo*"). Use it to put a tag into a query, as the
// GUI does when a tag is clicked or completed.
func FormatTag(name string) string {
	if name != "" && !strings.Contains(name, "*") {
		q, err := parse(name)
		if err == nil && q.Sort == (Sort{}) && q.Limit == 0 {
			if t, ok := q.Expr.(*Tag); ok && t.Name == name && !t.Wildcard {
				return name
			}
		}
	}
	return quote(name)
}

// FormatValue writes a field's value (after "pool:", "path:" …) bare when it
// can be, quoted otherwise: FormatValue("Summer 2024") is "\"Summer 2024\"".
func FormatValue(v string) string {
	if v == "" || strings.ContainsAny(v, " \t\n\r\v\f\"|()") {
		return quote(v)
	}
	return v
}

// quote writes s in double quotes, escaping \ and ".
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// String prints the query in canonical form; Parse gives back an equal
// query. Sort and limit come last.
func (q *Query) String() string {
	var parts []string
	if q.Expr != nil {
		parts = append(parts, q.Expr.String())
	}
	if q.Sort.Key != "" {
		s := "sort:" + string(q.Sort.Key)
		if q.Sort.Desc {
			s += "-desc"
		}
		parts = append(parts, s)
	}
	if q.Limit > 0 {
		parts = append(parts, "limit:"+strconv.Itoa(q.Limit))
	}
	return strings.Join(parts, " ")
}

// operand prints x, in parentheses if it would otherwise bind more loosely
// than its parent (whose precedence is prec: 1 for OR, 2 for AND, 3 for NOT).
func operand(x Expr, prec int) string {
	switch x.(type) {
	case *Or:
		if prec > 1 {
			return "(" + x.String() + ")"
		}
	case *And:
		if prec > 2 {
			return "(" + x.String() + ")"
		}
	}
	return x.String()
}

func join(terms []Expr, sep string, prec int) string {
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(operand(t, prec))
	}
	return b.String()
}

func (a *And) String() string { return join(a.Terms, " ", 2) }
func (o *Or) String() string  { return join(o.Terms, " | ", 1) }
func (n *Not) String() string { return "-" + operand(n.X, 3) }

func (t *Tag) String() string {
	if t.Wildcard {
		return t.Name
	}
	return FormatTag(t.Name)
}

func (h *Hash) String() string { return "hash:" + h.Hex }
func (p *Path) String() string { return "path:" + FormatValue(p.Glob) }
func (m *MIME) String() string { return "mime:" + FormatValue(m.Pattern) }
func (e *Ext) String() string  { return "ext:" + FormatValue(e.Name) }
func (p *Pool) String() string { return "pool:" + FormatValue(p.Name) }

func (*Missing) String() string    { return keywordMissing }
func (*Duplicates) String() string { return keywordDuplicates }

func (t *Type) String() string {
	names := make([]string, len(t.Kinds))
	for i, k := range t.Kinds {
		names[i] = string(k)
	}
	return "type:" + strings.Join(names, ",")
}

func (c *Compare) String() string {
	var v string
	switch c.Field {
	case FieldSize:
		v = formatSize(c.N)
	case FieldDuration:
		v = formatDuration(c.Duration)
	case FieldAdded, FieldModified:
		v = c.Date.String()
	default:
		v = strconv.FormatInt(c.N, 10)
	}
	return string(c.Field) + string(c.Op) + v
}
