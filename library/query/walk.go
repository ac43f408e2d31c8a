package query

// Walk calls fn for e and, while fn returns true, for its operands, depth
// first in source order. The evaluator uses it to check every tag name before
// it runs a query. A nil e is not visited.
func Walk(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch n := e.(type) {
	case *And:
		for _, t := range n.Terms {
			Walk(t, fn)
		}
	case *Or:
		for _, t := range n.Terms {
			Walk(t, fn)
		}
	case *Not:
		Walk(n.X, fn)
	}
}
