package query

import (
	"errors"
	"testing"
)

// FuzzParse checks that Parse never panics, that errors and spans stay
// inside the query, that String round-trips, and that Completion never
// panics and stays inside the query.
func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.src)
	}
	for _, s := range []string{`"a\"b`, "a (b | -c) d", "type:image|-x", "path:\"/a b\"c", "((", "a|", "-", `pool:"x`, "x:y:\"z\"", "size>1.5", "f(o)o)", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		// Every cursor of a short query; a sample of a long one, since each
		// call lexes the whole query.
		step := max(1, len(src)/64)
		for cursor := 0; cursor <= len(src); cursor += step {
			c := Completion(src, cursor)
			if c.Pos < 0 || c.Pos > c.End || c.End > len(src) {
				t.Fatalf("Completion(%q, %d) = %+v, outside the query", src, cursor, c)
			}
		}
		if err != nil {
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("Parse(%q): error %T, want *Error", src, err)
			}
			if qe.Pos < 0 || qe.Pos > qe.End || qe.End > len(src) || qe.Msg == "" {
				t.Fatalf("Parse(%q): error span %d-%d outside the query: %v", src, qe.Pos, qe.End, qe)
			}
			return
		}
		if err := checkSpans(q.Expr, src); err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		checkRoundTrip(t, src)
	})
}
