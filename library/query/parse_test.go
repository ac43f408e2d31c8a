package query

import (
	"errors"
	"strings"
	"testing"
)

var parseCases = []struct {
	name  string
	src   string
	want  string // dump of Expr
	sort  Sort
	limit int
}{
	{name: "empty", src: "", want: "<all>"},
	{name: "only spaces", src: " \t\n ", want: "<all>"},
	{name: "one tag", src: "cat", want: `tag:"cat"`},
	{name: "and", src: "cat dog", want: `(and tag:"cat" tag:"dog")`},
	{name: "and of three", src: "a b c", want: `(and tag:"a" tag:"b" tag:"c")`},
	{name: "or", src: "cat | dog", want: `(or tag:"cat" tag:"dog")`},
	{name: "or without spaces", src: "cat|dog", want: `(or tag:"cat" tag:"dog")`},
	{name: "or of three", src: "a | b | c", want: `(or tag:"a" tag:"b" tag:"c")`},
	{name: "not", src: "-cat", want: `(not tag:"cat")`},
	{name: "double not", src: "--cat", want: `(not (not tag:"cat"))`},
	{name: "and binds tighter than or", src: "a b | c d", want: `(or (and tag:"a" tag:"b") (and tag:"c" tag:"d"))`},
	{name: "not binds tighter than and", src: "-a b", want: `(and (not tag:"a") tag:"b")`},
	{name: "not binds tighter than or", src: "a | -b", want: `(or tag:"a" (not tag:"b"))`},
	{name: "group", src: "(a | b) c", want: `(and (or tag:"a" tag:"b") tag:"c")`},
	{name: "not group", src: "-(a | b)", want: `(not (or tag:"a" tag:"b"))`},
	{name: "nested groups flatten", src: "((a b) c) | (d | e)", want: `(or (and tag:"a" tag:"b" tag:"c") tag:"d" tag:"e")`},
	{name: "group of one", src: "(a)", want: `tag:"a"`},
	{name: "tabs and newlines separate", src: "a\tb\r\nc", want: `(and tag:"a" tag:"b" tag:"c")`},
	{name: "group right after word", src: "a(b)(c)", want: `tag:"a(b)(c)"`},
	{name: "groups side by side", src: "(a)(b)", want: `(and tag:"a" tag:"b")`},
	{name: "hyphen inside word", src: "foo-bar", want: `tag:"foo-bar"`},
	{name: "quoted", src: `"two words"`, want: `tag:"two words"`},
	{name: "quoted escapes", src: `"say \"hi\" \\o/"`, want: `tag:"say \"hi\" \\o/"`},
	{name: "quoted colon and star", src: `"type:foo*"`, want: `tag:"type:foo*"`},
	{name: "quoted empty", src: `""`, want: `tag:""`},
	{name: "not quoted", src: `-"a b"`, want: `(not tag:"a b")`},
	{name: "quoted keyword is a tag", src: `"missing" "duplicates"`, want: `(and tag:"missing" tag:"duplicates")`},
	{name: "namespaced tag", src: "artist:foo", want: `tag:"artist:foo"`},
	{name: "namespaced quoted value", src: `artist:"john smith"`, want: `tag:"artist:john smith"`},
	{name: "namespace wildcard", src: "artist:*", want: `wild:"artist:*"`},
	{name: "suffix wildcard", src: "foo*", want: `wild:"foo*"`},
	{name: "prefix wildcard", src: "*foo", want: `wild:"*foo"`},
	{name: "inner wildcard", src: "f*o", want: `wild:"f*o"`},
	{name: "lone star", src: "*", want: `wild:"*"`},
	{name: "parens inside word", src: "fate_(series)", want: `tag:"fate_(series)"`},
	{name: "parens inside word in group", src: "(a fate_(series))", want: `(and tag:"a" tag:"fate_(series)")`},
	{name: "emoticon tags", src: ">_< <3 ^_^", want: `(and tag:">_<" tag:"<3" tag:"^_^")`},
	{name: "exclamation", src: "wow!", want: `tag:"wow!"`},
	{name: "unicode tag", src: "猫 -çà", want: `(and tag:"猫" (not tag:"çà"))`},
	{name: "backslash in bare word", src: `a\b`, want: `tag:"a\\b"`},
	{name: "hash", src: "hash:" + strings.Repeat("AB", 32), want: "hash:" + strings.Repeat("ab", 32) + "/false"},
	{name: "hash prefix", src: "hash:1a2b", want: "hash:1a2b/true"},
	{name: "path", src: "path:/pics/*", want: `path:"/pics/*"`},
	{name: "path quoted", src: `path:"/my pics/*.jpg"`, want: `path:"/my pics/*.jpg"`},
	{name: "path star first", src: "path:*.jpg", want: `path:"*.jpg"`},
	{name: "type", src: "type:image", want: "type:[image]"},
	{name: "type list comma", src: "type:image,VIDEO", want: "type:[image video]"},
	{name: "type list bar", src: "type:image|video|audio|document", want: "type:[image video audio document]"},
	{name: "type bar with spaces is or", src: "type:image | video", want: `(or type:[image] tag:"video")`},
	{name: "type bar then minus is or", src: "type:image|-x", want: `(or type:[image] (not tag:"x"))`},
	{name: "type quoted list", src: `type:"image|audio"`, want: "type:[image audio]"},
	{name: "type or", src: "type:image | type:video", want: `(or type:[image] type:[video])`},
	{name: "type bar then group is or", src: "type:image|(a b)", want: `(or type:[image] (and tag:"a" tag:"b"))`},
	{name: "field names ignore case", src: "TYPE:Image Ext:JPG", want: `(and type:[image] ext:"jpg")`},
	{name: "mime", src: "mime:image/png", want: `mime:"image/png"`},
	{name: "mime wildcard", src: "mime:IMAGE/*", want: `mime:"image/*"`},
	{name: "ext", src: "ext:jpg", want: `ext:"jpg"`},
	{name: "ext with dot", src: "ext:.JPG", want: `ext:"jpg"`},
	{name: "pool", src: "pool:comic", want: `pool:"comic"`},
	{name: "pool quoted", src: `pool:"Summer 2024"`, want: `pool:"Summer 2024"`},
	{name: "missing", src: "missing", want: "missing"},
	{name: "missing any case", src: "MISSING", want: "missing"},
	{name: "not missing", src: "-missing", want: "(not missing)"},
	{name: "duplicates", src: "duplicates", want: "duplicates"},
	{name: "size", src: "size>10MB", want: "size>10000000"},
	{name: "size binary", src: "size<=1.5KiB", want: "size<=1536"},
	{name: "size lower case unit", src: "size>=2gib", want: "size>=2147483648"},
	{name: "size bytes", src: "size=512", want: "size=512"},
	{name: "size B", src: "size!=512b", want: "size!=512"},
	{name: "size colon", src: "size:1TB", want: "size=1000000000000"},
	{name: "size rounds", src: "size>0.0005KB", want: "size>1"},
	{name: "width", src: "width>=1920", want: "width>=1920"},
	{name: "height", src: "height<1080", want: "height<1080"},
	{name: "duration seconds", src: "duration>60s", want: "duration>1m0s"},
	{name: "duration ms", src: "duration<500ms", want: "duration<500ms"},
	{name: "duration minutes", src: "duration>=1.5m", want: "duration>=1m30s"},
	{name: "duration hours", src: "duration<2H", want: "duration<2h0m0s"},
	{name: "duration bare seconds", src: "duration>90", want: "duration>1m30s"},
	{name: "duration m:ss", src: "duration>1:30", want: "duration>1m30s"},
	{name: "duration h:mm:ss", src: "duration<=1:02:03", want: "duration<=1h2m3s"},
	{name: "duration fraction", src: "duration>0:01.5", want: "duration>1.5s"},
	{name: "added day", src: "added>2024-01-01", want: "added>{Unit: Ago:0 Year:2024 Month:1 Day:1 Hour:0 Minute:0 Second:0 Precision:day}"},
	{name: "added colon is that day", src: "added:2024-02-29", want: "added={Unit: Ago:0 Year:2024 Month:2 Day:29 Hour:0 Minute:0 Second:0 Precision:day}"},
	{name: "modified minute", src: "modified<2024-01-01T10:30", want: "modified<{Unit: Ago:0 Year:2024 Month:1 Day:1 Hour:10 Minute:30 Second:0 Precision:minute}"},
	{name: "modified second", src: "modified>=2024-01-01t23:59:59", want: "modified>={Unit: Ago:0 Year:2024 Month:1 Day:1 Hour:23 Minute:59 Second:59 Precision:second}"},
	{name: "added days ago", src: "added>7d", want: "added>{Unit:d Ago:7 Year:0 Month:0 Day:0 Hour:0 Minute:0 Second:0 Precision:}"},
	{name: "added weeks ago", src: "added>2w", want: "added>{Unit:w Ago:2 Year:0 Month:0 Day:0 Hour:0 Minute:0 Second:0 Precision:}"},
	{name: "added months ago", src: "added>3MO", want: "added>{Unit:mo Ago:3 Year:0 Month:0 Day:0 Hour:0 Minute:0 Second:0 Precision:}"},
	{name: "added years ago", src: "added>1y", want: "added>{Unit:y Ago:1 Year:0 Month:0 Day:0 Hour:0 Minute:0 Second:0 Precision:}"},
	{name: "added today", src: "added=today", want: "added={Unit:d Ago:0 Year:0 Month:0 Day:0 Hour:0 Minute:0 Second:0 Precision:}"},
	{name: "added yesterday", src: "added:Yesterday", want: "added={Unit:d Ago:1 Year:0 Month:0 Day:0 Hour:0 Minute:0 Second:0 Precision:}"},
	{name: "untagged", src: "tags=0", want: "tags=0"},
	{name: "many tags", src: "tags>=5", want: "tags>=5"},
	{name: "negated compare", src: "-size>1GB", want: "(not size>1000000000)"},
	{name: "sort", src: "sort:size", want: "<all>", sort: Sort{Key: SortSize}},
	{name: "sort desc", src: "cat sort:added-desc", want: `tag:"cat"`, sort: Sort{Key: SortAdded, Desc: true}},
	{name: "sort asc", src: "sort:NAME-asc", want: "<all>", sort: Sort{Key: SortName}},
	{name: "sort random", src: "sort:random", want: "<all>", sort: Sort{Key: SortRandom}},
	{name: "limit", src: "limit:50", want: "<all>", limit: 50},
	{name: "sort and limit anywhere at top", src: "a limit:3 b | c sort:modified", want: `(or (and tag:"a" tag:"b") tag:"c")`, sort: Sort{Key: SortModified}, limit: 3},
	{name: "sort and limit only", src: "sort:name limit:1", want: "<all>", sort: Sort{Key: SortName}, limit: 1},
	{name: "reserved word alone is a tag", src: "size sort type", want: `(and tag:"size" tag:"sort" tag:"type")`},
	{name: "everything", src: `(artist:* | "my tag") -missing type:image,video size>1MiB added>=7d sort:size-desc limit:10`,
		want: `(and (or wild:"artist:*" tag:"my tag") (not missing) type:[image video] size>1048576 added>={Unit:d Ago:7 Year:0 Month:0 Day:0 Hour:0 Minute:0 Second:0 Precision:})`,
		sort: Sort{Key: SortSize, Desc: true}, limit: 10},
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse(tc.src)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.src, err)
			}
			if got := dump(q.Expr); got != tc.want {
				t.Errorf("Parse(%q)\n got %s\nwant %s", tc.src, got, tc.want)
			}
			if q.Sort != tc.sort || q.Limit != tc.limit {
				t.Errorf("Parse(%q): sort %+v limit %d, want %+v %d", tc.src, q.Sort, q.Limit, tc.sort, tc.limit)
			}
			if err := checkSpans(q.Expr, tc.src); err != nil {
				t.Errorf("Parse(%q): %v", tc.src, err)
			}
		})
	}
}

func TestParseSpans(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"and", "cat dog", "and@0-7 tag@0-3 tag@4-7"},
		{"leading space", "  cat", "tag@2-5"},
		{"or and not", "a | -b c", "or@0-8 tag@0-1 and@4-8 not@4-6 tag@5-6 tag@7-8"},
		{"group includes parens", "(a | b) c", "and@0-9 or@0-7 tag@1-2 tag@5-6 tag@8-9"},
		{"leaf in parens", "x (a)", "and@0-5 tag@0-1 tag@2-5"},
		{"field", "-size>1MB", "not@0-9 compare@1-9"},
		{"quoted field", `pool:"a b" x`, "and@0-12 pool@0-10 tag@11-12"},
		{"sort is not a node", "sort:size cat", "tag@10-13"},
		{"multibyte", "猫 犬", "and@0-7 tag@0-3 tag@4-7"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			if got := spans(q.Expr); got != tc.want {
				t.Errorf("spans of %q\n got %s\nwant %s", tc.src, got, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name     string
		src      string
		pos, end int
		msg      string // a part of the message
	}{
		{"unclosed paren", "cat (dog", 4, 5, `unclosed "(" — add ")"`},
		{"unclosed inner paren", "((a) b", 0, 1, `unclosed "("`},
		{"stray close paren", "cat) dog", 3, 4, `unmatched ")"`},
		{"empty parens", "a ( ) b", 2, 5, `empty "( )"`},
		{"dangling or at end", "cat |", 4, 5, `nothing after "|"`},
		{"dangling or at start", "| cat", 0, 1, `nothing before "|"`},
		{"double or", "a || b", 2, 3, `nothing after "|"`},
		{"or before close paren", "(a |) b", 3, 4, `nothing after "|"`},
		{"or then only sort", "a | sort:size", 2, 3, `nothing after "|"`},
		{"minus alone", "cat -", 4, 5, `nothing after "-"`},
		{"minus space", "cat - dog", 4, 5, `nothing after "-"`},
		{"minus before close", "(a -)", 3, 4, `nothing after "-"`},
		{"unclosed quote", `cat "dog`, 4, 8, `unclosed quote — add " at the end`},
		{"unclosed quote after escape", `"dog\"`, 0, 6, "unclosed quote"},
		{"trailing backslash", `"dog\`, 0, 5, "unclosed quote"},
		{"bad escape", `"a\nb"`, 2, 4, "unknown escape"},
		{"quote inside word", `ab"c"`, 2, 3, "quote inside a word"},
		{"text after quote", `"a"b`, 3, 4, "put a space after the quote"},
		{"text after quoted value", `pool:"a"b`, 8, 9, "put a space after the quote"},
		{"unclosed paren in word", "x a(b", 3, 4, `unclosed "(" inside a word`},
		{"unclosed nested paren in word", "a(b(c) d", 1, 2, `unclosed "(" inside a word`},
		{"unclosed paren in word in group", "(x | a(b) y", 0, 1, `unclosed "(" — add ")"`},
		{"unknown comparison field", "x foo>3", 2, 5, `unknown field "foo"`},
		{"value field with operator", "type=image", 0, 10, "type takes a value after a colon"},
		{"lone operator", "size > 3", 5, 6, `lone ">"`},
		{"bad size unit", "size>10XB", 5, 9, `unknown size unit "XB"`},
		{"size without number", "size>MB", 5, 7, "size needs a number"},
		{"size too large", "size>99999999TiB", 5, 16, "too large"},
		{"size nothing", "size>", 0, 5, "nothing to compare size with"},
		{"double operator", "size>>3", 5, 7, "one operator only"},
		{"double equals", "tags==0", 5, 7, "one operator only"},
		{"width fraction", "width>1.5", 6, 9, "width needs a whole number"},
		{"negative tags", "tags>-1", 5, 7, "tags needs a whole number"},
		{"bad duration unit", "duration>3d", 9, 11, `unknown duration unit "d"`},
		{"bad clock", "duration>1:70", 9, 13, "bad duration"},
		{"bad clock parts", "duration>1:2:3:4", 9, 16, "bad duration"},
		{"bad date", "added>2024-13-01", 6, 16, "bad date"},
		{"no such day", "added>2023-02-29", 6, 16, "has no day 29"},
		{"bad time", "modified<2024-01-01T25:00", 9, 25, "bad date"},
		{"bad relative unit", "added>3x", 6, 8, "unknown date unit"},
		{"bare number date", "added>7", 6, 7, "bad date"},
		{"empty type", "type:", 0, 5, "nothing after type:"},
		{"unknown type", "type:image,movie", 11, 16, `unknown type "movie" — use image, video, audio or document`},
		{"empty type item", "type:image,,video", 11, 12, "empty type"},
		{"empty type item at end", "type:image,", 10, 11, "empty type"},
		{"empty type item at start", "type:,image", 5, 6, "empty type"},
		{"quoted type list", `type:"image,x"`, 5, 14, `unknown type "x"`},
		{"bad hash", "hash:xyz1", 5, 9, "hexadecimal"},
		{"short hash", "hash:abc", 5, 8, "4 to 64"},
		{"relative path", "path:pics/*", 5, 11, "absolute path"},
		{"bad mime", "mime:image", 5, 10, "type/subtype"},
		{"empty ext", "ext:.", 4, 5, "ext: needs an extension"},
		{"empty pool", `pool:""`, 0, 7, "nothing after pool:"},
		{"empty namespace name", "artist:", 0, 7, "artist:* for any tag"},
		{"sort in parens", "(a sort:size)", 3, 12, "sort: works only outside parentheses"},
		{"sort negated", "a -sort:size", 3, 12, "sort: cannot be negated"},
		{"limit in negated group", "-(limit:3 a)", 2, 9, "limit: works only outside parentheses"},
		{"sort twice", "sort:size a sort:name", 12, 21, "sort: given twice"},
		{"limit twice", "limit:1 limit:2", 8, 15, "limit: given twice"},
		{"limit zero", "limit:0", 6, 7, "limit: needs a whole number from 1"},
		{"limit word", "limit:all", 6, 9, "limit: needs a whole number"},
		{"unknown sort", "sort:colour", 5, 11, `unknown sort "colour"`},
		{"unknown sort direction", "sort:size-up", 5, 12, `unknown sort direction "up"`},
		{"random desc", "sort:random-desc", 5, 16, "sort:random has no direction"},
		{"invalid utf8", "cat \xff", 4, 5, "not valid UTF-8"},
		{"too deep", strings.Repeat("(", 101) + "a" + strings.Repeat(")", 101), 100, 101, "nested too deeply"},
		{"too many minus", strings.Repeat("-", 101) + "a", 100, 101, "nested too deeply"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse(tc.src)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want an error", tc.src, q)
			}
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("Parse(%q): error %T, want *Error", tc.src, err)
			}
			if qe.Pos != tc.pos || qe.End != tc.end || !strings.Contains(qe.Msg, tc.msg) {
				t.Errorf("Parse(%q):\n got %d-%d %s\nwant %d-%d …%s…", tc.src, qe.Pos, qe.End, qe.Msg, tc.pos, tc.end, tc.msg)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	_, err := Parse("cat (dog")
	if got, want := err.Error(), `query: at 4: unclosed "(" — add ")"`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	var qe *Error
	errors.As(err, &qe)
	if got, want := qe.Caret("cat (dog"), "cat (dog\n    ^"; got != want {
		t.Errorf("Caret = %q, want %q", got, want)
	}
	_, err = Parse("猫 foo>3")
	errors.As(err, &qe)
	if got, want := qe.Caret("猫 foo>3"), "猫 foo>3\n  ^^^"; got != want {
		t.Errorf("Caret = %q, want %q", got, want)
	}
}

// TestRoundTrip checks that String prints a query that parses back to the
// same tree, and that printing is stable.
func TestRoundTrip(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			checkRoundTrip(t, tc.src)
		})
	}
}

func checkRoundTrip(t *testing.T, src string) {
	t.Helper()
	q, err := Parse(src)
	if err != nil {
		return
	}
	text := q.String()
	q2, err := Parse(text)
	if err != nil {
		t.Fatalf("Parse(%q) printed %q, which does not parse: %v", src, text, err)
	}
	if a, b := dump(q.Expr), dump(q2.Expr); a != b || q.Sort != q2.Sort || q.Limit != q2.Limit {
		t.Fatalf("Parse(%q) printed %q, which parses differently:\n%s %+v %d\n%s %+v %d", src, text, a, q.Sort, q.Limit, b, q2.Sort, q2.Limit)
	}
	if again := q2.String(); again != text {
		t.Fatalf("printing is not stable: %q, then %q", text, again)
	}
}

func TestString(t *testing.T) {
	cases := []struct{ src, want string }{
		{"cat  dog", "cat dog"},
		{"(a | b) (c | d)", "(a | b) (c | d)"},
		{"a | (b | c)", "a | b | c"},
		{"-(a b)", "-(a b)"},
		{"-(-a)", "--a"},
		{`"missing" missing`, `"missing" missing`},
		{`"cat"`, "cat"},
		{`"a b" "x*" "-y" "(z" "type:q" "size>3" ""`, `"a b" "x*" "-y" "(z" "type:q" "size>3" ""`},
		{`artist:"foo"`, "artist:foo"},
		{"type:IMAGE|video", "type:image,video"},
		{"size:1024 size>1000 size>1.5MB", "size=1KiB size>1KB size>1500KB"},
		{"duration>1:00:00 duration>0.25s", "duration>1h duration>250ms"},
		{"added:1d added:0D", "added=yesterday added=today"},
		{"limit:5 sort:size-DESC x", "x sort:size-desc limit:5"},
		{`path:"/a b/*" pool:"x\"y"`, `path:"/a b/*" pool:"x\"y"`},
	}
	for _, tc := range cases {
		t.Run(tc.src, func(t *testing.T) {
			q, err := Parse(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
			checkRoundTrip(t, tc.src)
		})
	}
}

func TestFormatValue(t *testing.T) {
	cases := []struct{ value, want string }{
		{"comic", "comic"},
		{"/pics/*", "/pics/*"},
		{`a\b`, `a\b`},
		{"Summer 2024", `"Summer 2024"`},
		{"a|b", `"a|b"`},
		{"f(x)", `"f(x)"`},
		{`say "hi"`, `"say \"hi\""`},
		{"", `""`},
	}
	for _, tc := range cases {
		t.Run(tc.value, func(t *testing.T) {
			got := FormatValue(tc.value)
			if got != tc.want {
				t.Errorf("FormatValue(%q) = %s, want %s", tc.value, got, tc.want)
			}
			q, err := Parse("pool:" + got)
			if tc.value == "" {
				if err == nil {
					t.Errorf("pool:%s parsed, want an error for an empty pool name", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p, ok := q.Expr.(*Pool); !ok || p.Name != tc.value {
				t.Errorf("Parse(pool:%s) = %s, want the pool %q", got, dump(q.Expr), tc.value)
			}
		})
	}
}

func TestFormatTag(t *testing.T) {
	cases := []struct{ name, want string }{
		{"cat", "cat"},
		{"artist:john", "artist:john"},
		{"fate_(series)", "fate_(series)"},
		{"two words", `"two words"`},
		{"missing", `"missing"`},
		{"Duplicates", `"Duplicates"`},
		{"type:x", `"type:x"`},
		{"SORT:size", `"SORT:size"`},
		{"foo*", `"foo*"`},
		{"-foo", `"-foo"`},
		{"(foo)", `"(foo)"`},
		{"a)b", `"a)b"`},
		{"a(b", `"a(b"`},
		{":", ":"},
		{"a|b", `"a|b"`},
		{`a"b`, `"a\"b"`},
		{`a\b`, `a\b`},
		{"width>3", `"width>3"`},
		{"x>3", `"x>3"`},
		{">_<", ">_<"},
		{"artist:", `"artist:"`},
		{"", `""`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := FormatTag(tc.name)
			if got != tc.want {
				t.Errorf("FormatTag(%q) = %s, want %s", tc.name, got, tc.want)
			}
			q, err := Parse(got)
			if err != nil {
				t.Fatal(err)
			}
			if tag, ok := q.Expr.(*Tag); !ok || tag.Name != tc.name || tag.Wildcard {
				t.Errorf("Parse(%s) = %s, want the tag %q", got, dump(q.Expr), tc.name)
			}
		})
	}
}
