package query

import (
	"reflect"
	"strings"
	"testing"
)

func TestCompletion(t *testing.T) {
	// In src, "|" marks the cursor; the query itself uses "¦" for OR.
	cases := []struct {
		name string
		src  string
		want CompletionContext
	}{
		{"empty", "|", CompletionContext{Kind: CompleteTag}},
		{"after space", "cat |", CompletionContext{Kind: CompleteTag, Pos: 4, End: 4}},
		{"typing a tag", "cat do|", CompletionContext{Kind: CompleteTag, Pos: 4, End: 6, Prefix: "do"}},
		{"middle of a tag", "ca|t dog", CompletionContext{Kind: CompleteTag, Pos: 0, End: 3, Prefix: "ca"}},
		{"start of a tag", "cat |dog", CompletionContext{Kind: CompleteTag, Pos: 4, End: 7}},
		{"keywords offered", "mi|", CompletionContext{Kind: CompleteTag, Pos: 0, End: 2, Prefix: "mi", Suggestions: []string{"missing", "mime:"}}},
		{"field names ignore case", "Si|", CompletionContext{Kind: CompleteTag, Pos: 0, End: 2, Prefix: "Si", Suggestions: []string{"size>"}}},
		{"negated tag", "-ca|", CompletionContext{Kind: CompleteTag, Pos: 1, End: 3, Prefix: "ca"}},
		{"after open paren", "(ca|", CompletionContext{Kind: CompleteTag, Pos: 1, End: 3, Prefix: "ca"}},
		{"after or", "a ¦ca|", CompletionContext{Kind: CompleteTag, Pos: 3, End: 5, Prefix: "ca"}},
		{"after a closed word", "cat) |", CompletionContext{Kind: CompleteTag, Pos: 5, End: 5}},
		{"namespaced tag", "artist:jo|", CompletionContext{Kind: CompleteTag, Pos: 0, End: 9, Prefix: "artist:jo"}},
		{"open quote", `"foo b|`, CompletionContext{Kind: CompleteTag, Pos: 0, End: 6, Prefix: "foo b", Quoted: true}},
		{"quote with escape", `"a\"b|`, CompletionContext{Kind: CompleteTag, Pos: 0, End: 5, Prefix: `a"b`, Quoted: true}},
		{"closed quote", `"foo"| x`, CompletionContext{Kind: CompleteTag, Pos: 0, End: 5, Prefix: "foo", Quoted: true}},
		{"quoted namespace", `artist:"john s|`, CompletionContext{Kind: CompleteTag, Pos: 0, End: 14, Prefix: "artist:john s", Quoted: true}},
		{"type value", "type:im|", CompletionContext{Kind: CompleteValue, Field: "type", Pos: 5, End: 7, Prefix: "im", Suggestions: []string{"image"}}},
		{"type empty value", "type:|", CompletionContext{Kind: CompleteValue, Field: "type", Pos: 5, End: 5, Suggestions: []string{"image", "video", "audio", "document"}}},
		{"type list item", "type:image,v|id", CompletionContext{Kind: CompleteValue, Field: "type", Pos: 11, End: 14, Prefix: "v", Suggestions: []string{"video"}}},
		{"type bar item", "type:video¦au|,image", CompletionContext{Kind: CompleteValue, Field: "type", Pos: 11, End: 13, Prefix: "au", Suggestions: []string{"audio"}}},
		{"sort value", "x sort:s|", CompletionContext{Kind: CompleteValue, Field: "sort", Pos: 7, End: 8, Prefix: "s", Suggestions: []string{"size", "size-desc"}}},
		{"pool value", "POOL:co|", CompletionContext{Kind: CompleteValue, Field: "pool", Pos: 5, End: 7, Prefix: "co"}},
		{"quoted pool value", `pool:"My c|`, CompletionContext{Kind: CompleteValue, Field: "pool", Pos: 5, End: 10, Prefix: "My c", Quoted: true}},
		{"field name part", "poo|l:x", CompletionContext{Kind: CompleteTag, Pos: 0, End: 6, Prefix: "poo", Suggestions: []string{"pool:"}}},
		{"comparison value", "size>1|0MB", CompletionContext{Kind: CompleteValue, Field: "size", Pos: 5, End: 9, Prefix: "1"}},
		{"date value", "added>=y|", CompletionContext{Kind: CompleteValue, Field: "added", Pos: 7, End: 8, Prefix: "y", Suggestions: []string{"yesterday"}}},
		{"dangling minus", "a -|", CompletionContext{Kind: CompleteTag, Pos: 3, End: 3}},
		{"multibyte", "猫 犬|", CompletionContext{Kind: CompleteTag, Pos: 4, End: 7, Prefix: "犬"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cursor := strings.Index(tc.src, "|")
			src := strings.ReplaceAll(tc.src[:cursor]+tc.src[cursor+1:], "¦", "|")
			cursor -= strings.Count(tc.src[:cursor], "¦") * (len("¦") - 1)
			got := Completion(src, cursor)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Completion(%q, %d)\n got %+v\nwant %+v", src, cursor, got, tc.want)
			}
		})
	}
}

func TestCompletionClampsCursor(t *testing.T) {
	for _, cursor := range []int{-5, 100} {
		got := Completion("cat", cursor)
		if got.Pos < 0 || got.End > 3 || got.Pos > got.End {
			t.Errorf("Completion(cat, %d) = %+v, outside the query", cursor, got)
		}
	}
	// Inside a multi-byte rune: back to its start.
	if got := Completion("猫", 1); got.Prefix != "" || got.Pos != 0 {
		t.Errorf("Completion(猫, 1) = %+v, want an empty prefix at 0", got)
	}
}
