package query

import (
	"unicode/utf8"
)

// maxDepth bounds nesting of parentheses and "-", so that a hostile query
// cannot exhaust the stack.
const maxDepth = 100

// Parse parses a query. An empty query, or one with only sort: and limit:,
// has a nil Expr and matches every file. Errors are *Error.
func Parse(src string) (*Query, error) {
	q, err := parse(src)
	if err != nil {
		return nil, err
	}
	return q, nil
}

// parse is Parse with a concrete error type, so a nil *Error never becomes a
// non-nil error.
func parse(src string) (*Query, *Error) {
	if !utf8.ValidString(src) {
		i := 0
		for i < len(src) {
			r, n := utf8.DecodeRuneInString(src[i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			i += n
		}
		return nil, errorf(i, i+1, "the query is not valid UTF-8 — retype this character")
	}
	p := &parser{lex: lexer{src: src}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	expr, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.tok.kind == tokRParen {
		return nil, errorf(p.tok.pos, p.tok.end, `unmatched ")" — remove it, or add "(" before it`)
	}
	return &Query{Expr: expr, Sort: p.sort, Limit: p.limit}, nil
}

// parser is a recursive-descent parser over the lexer's tokens, one token of
// lookahead. Precedence, loosest first: | (OR), juxtaposition (AND), - (NOT).
type parser struct {
	lex   lexer
	tok   token
	depth int // open parentheses and "-" around the current token

	sort              Sort
	limit             int
	sortSet, limitSet bool
}

func (p *parser) advance() *Error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

// or parses and { "|" and }. It returns nil for an empty expression (only
// allowed where the caller allows it).
func (p *parser) or() (Expr, *Error) {
	first, err := p.and()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokOr {
		return first, nil
	}
	if first == nil {
		return nil, errorf(p.tok.pos, p.tok.end, `nothing before "|" — put a term on both sides of "|"`)
	}
	terms := []Expr{first}
	for p.tok.kind == tokOr {
		bar := p.tok
		if err := p.advance(); err != nil {
			return nil, err
		}
		next, err := p.and()
		if err != nil {
			return nil, err
		}
		if next == nil {
			return nil, errorf(bar.pos, bar.end, `nothing after "|" — add a term after it, or remove it`)
		}
		terms = append(terms, next)
	}
	return flatOr(terms), nil
}

// and parses a run of unary terms. sort: and limit: are taken out of the run
// (they are not predicates); an empty run returns nil.
func (p *parser) and() (Expr, *Error) {
	var terms []Expr
	for {
		switch p.tok.kind {
		case tokEOF, tokOr, tokRParen:
			return flatAnd(terms), nil
		}
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		if e != nil {
			terms = append(terms, e)
		}
	}
}

// unary parses { "-" } primary. It returns nil for a sort: or limit:
// directive, which it records.
func (p *parser) unary() (Expr, *Error) {
	if p.tok.kind != tokNot {
		return p.primary(false)
	}
	minus := p.tok
	if err := p.enter(minus); err != nil {
		return nil, err
	}
	defer p.leave()
	if err := p.advance(); err != nil {
		return nil, err
	}
	var x Expr
	var err *Error
	if p.tok.kind == tokNot {
		x, err = p.unary()
	} else {
		x, err = p.primary(true)
	}
	if err != nil {
		return nil, err
	}
	return &Not{Span: Span{minus.pos, x.Bounds().End}, X: x}, nil
}

func (p *parser) enter(t token) *Error {
	p.depth++
	if p.depth > maxDepth {
		return errorf(t.pos, t.end, "nested too deeply (over %d levels) — simplify the query", maxDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// primary parses a parenthesized expression, a quoted tag or a word.
func (p *parser) primary(negated bool) (Expr, *Error) {
	t := p.tok
	switch t.kind {
	case tokLParen:
		return p.group(negated)
	case tokString:
		if err := p.advance(); err != nil {
			return nil, err
		}
		return &Tag{Span: Span{t.pos, t.end}, Name: t.text}, nil
	case tokWord:
		if err := p.advance(); err != nil {
			return nil, err
		}
		return p.term(t, negated)
	}
	// The lexer refuses a "-" followed by nothing, so only "-" can get here.
	return nil, errorf(t.pos, t.end, "expected a term here — write a tag, a field like type:image, or ( … )")
}

// group parses "(" or ")".
func (p *parser) group(negated bool) (Expr, *Error) {
	open := p.tok
	if err := p.enter(open); err != nil {
		return nil, err
	}
	defer p.leave()
	if err := p.advance(); err != nil {
		return nil, err
	}
	x, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokRParen {
		return nil, errorf(open.pos, open.end, `unclosed "(" — add ")"`)
	}
	closing := p.tok
	if x == nil {
		return nil, errorf(open.pos, closing.end, `empty "( )" — put a term inside, or remove the parentheses`)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	setSpan(x, Span{open.pos, closing.end})
	return x, nil
}

// flatAnd makes an And of terms, or returns the only term, or nil. Nested
// Ands are merged, parenthesized or not: (a b) c is a b c.
func flatAnd(terms []Expr) Expr {
	switch len(terms) {
	case 0:
		return nil
	case 1:
		return terms[0]
	}
	var flat []Expr
	for _, t := range terms {
		if a, ok := t.(*And); ok {
			flat = append(flat, a.Terms...)
		} else {
			flat = append(flat, t)
		}
	}
	return &And{Span: Span{terms[0].Bounds().Pos, terms[len(terms)-1].Bounds().End}, Terms: flat}
}

// flatOr makes an Or of two or more terms, merging nested Ors.
func flatOr(terms []Expr) Expr {
	var flat []Expr
	for _, t := range terms {
		if o, ok := t.(*Or); ok {
			flat = append(flat, o.Terms...)
		} else {
			flat = append(flat, t)
		}
	}
	return &Or{Span: Span{terms[0].Bounds().Pos, terms[len(terms)-1].Bounds().End}, Terms: flat}
}

// setSpan widens a node's span to its enclosing parentheses.
func setSpan(x Expr, s Span) { x.(interface{ setBounds(Span) }).setBounds(s) }

func (s *Span) setBounds(v Span) { *s = v }
