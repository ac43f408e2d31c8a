package query

import (
	"slices"
	"testing"
)

func TestWalk(t *testing.T) {
	q, err := Parse(`a (b | -"c d") size>1 -(e f*)`)
	if err != nil {
		t.Fatal(err)
	}
	var tags []string
	Walk(q.Expr, func(e Expr) bool {
		if tag, ok := e.(*Tag); ok {
			tags = append(tags, tag.Name)
		}
		return true
	})
	if want := []string{"a", "b", "c d", "e", "f*"}; !slices.Equal(tags, want) {
		t.Errorf("Walk found tags %q, want %q", tags, want)
	}
	visited := 0
	Walk(q.Expr, func(Expr) bool { visited++; return false })
	if visited != 1 {
		t.Errorf("Walk visited %d nodes after fn returned false, want 1", visited)
	}
	Walk(nil, func(Expr) bool { t.Error("Walk visited a nil Expr"); return true })
}
