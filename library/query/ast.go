package query

import "time"

// Query is a parsed search: a predicate plus how to order and cut the results.
type Query struct {
	// Expr selects files; nil means every file.
	Expr Expr
	// Sort is the requested order; Sort.Key is "" when the query gave none
	// and the caller picks its default.
	Sort Sort
	// Limit is the maximum number of results; 0 means no limit.
	Limit int
}

// Span is the byte range [Pos, End) of a node in the query source. A node
// written inside parentheses spans its parentheses too.
type Span struct{ Pos, End int }

// Bounds returns the span; it lets every node satisfy [Expr].
func (s Span) Bounds() Span { return s }

// Expr is a node of the predicate tree: *And, *Or, *Not, *Tag, *Hash, *Path,
// *Type, *MIME, *Ext, *Compare, *Missing, *Duplicates or *Pool.
type Expr interface {
	Bounds() Span
	// String prints the node in canonical query syntax; parsing it gives
	// back an equal tree (spans aside).
	String() string
	isExpr()
}

// And matches files that every term matches. It has two or more terms, none
// of them an *And (nested ANDs are flattened).
type And struct {
	Span
	Terms []Expr
}

// Or matches files that any term matches. It has two or more terms, none of
// them an *Or.
type Or struct {
	Span
	Terms []Expr
}

// Not matches files that X does not match.
type Not struct {
	Span
	X Expr
}

// Tag matches files that carry a tag (directly or by implication).
type Tag struct {
	Span
	// Name is the tag name as written, namespace included ("artist:foo").
	// When Wildcard is set it is a pattern in which each * matches any run
	// of characters; otherwise it is an exact (case-insensitive) name.
	Name     string
	Wildcard bool
}

// Hash matches files by content hash.
type Hash struct {
	Span
	// Hex is lower-case hexadecimal, 4 to 64 digits.
	Hex string
	// Prefix is set when Hex has fewer than 64 digits: match hashes that
	// start with it.
	Prefix bool
}

// Path matches files whose absolute path matches Glob. Only * is special in
// the glob, and it matches any run of characters including "/":
// /pics/* is everything under /pics. A glob without * is one exact path.
// Glob starts with "/" or "*".
type Path struct {
	Span
	Glob string
}

// Kind is a broad file type for type:.
type Kind string

// The kinds type: accepts.
const (
	Image    Kind = "image"
	Video    Kind = "video"
	Audio    Kind = "audio"
	Document Kind = "document"
)

// Type matches files of any of Kinds (one or more, in the order written).
type Type struct {
	Span
	Kinds []Kind
}

// MIME matches files by MIME type.
type MIME struct {
	Span
	// Pattern is lower-case "type/subtype"; each * matches any run of
	// characters (image/*).
	Pattern string
}

// Ext matches files by the extension of their name.
type Ext struct {
	Span
	// Name is lower-case, without the dot: "jpg".
	Name string
}

// Missing matches files whose path no longer exists (state missing).
type Missing struct{ Span }

// Duplicates matches files whose hash another entry shares.
type Duplicates struct{ Span }

// Pool matches files in the pool called Name.
type Pool struct {
	Span
	Name string
}

// Field is what a [Compare] compares.
type Field string

// The comparable fields.
const (
	FieldSize     Field = "size"     // bytes, in Compare.N
	FieldWidth    Field = "width"    // pixels, in Compare.N
	FieldHeight   Field = "height"   // pixels, in Compare.N
	FieldDuration Field = "duration" // in Compare.Duration
	FieldAdded    Field = "added"    // in Compare.Date
	FieldModified Field = "modified" // in Compare.Date
	FieldTags     Field = "tags"     // number of tags, in Compare.N
)

// Op is a comparison operator. Its value is also valid SQL.
type Op string

// The comparison operators; field:value means OpEq.
const (
	OpEq Op = "="
	OpNe Op = "!="
	OpLt Op = "<"
	OpLe Op = "<="
	OpGt Op = ">"
	OpGe Op = ">="
)

// Compare matches files whose Field compares to a value with Op. Which value
// field is set depends on Field; the others are zero.
//
// For dates, the value is a span of time (a day, a minute, a second) and the
// operators compare against that span: with start, end := Date.Range(now),
//
//	=  start <= t < end     != t < start || t >= end
//	<  t < start            <= t < end
//	>  t >= end             >= t >= start
type Compare struct {
	Span
	Field    Field
	Op       Op
	N        int64         // size, width, height, tags; never negative
	Duration time.Duration // duration, whole milliseconds, never negative
	Date     Date          // added, modified
}

// SortKey is an order for results.
type SortKey string

// The sort keys.
const (
	SortSize     SortKey = "size"
	SortName     SortKey = "name"
	SortAdded    SortKey = "added"
	SortModified SortKey = "modified"
	SortRandom   SortKey = "random"
)

// Sort is a requested order. The zero Sort means none was requested.
type Sort struct {
	Key  SortKey
	Desc bool // never set with SortRandom
}

func (*And) isExpr()        {}
func (*Or) isExpr()         {}
func (*Not) isExpr()        {}
func (*Tag) isExpr()        {}
func (*Hash) isExpr()       {}
func (*Path) isExpr()       {}
func (*Type) isExpr()       {}
func (*MIME) isExpr()       {}
func (*Ext) isExpr()        {}
func (*Missing) isExpr()    {}
func (*Duplicates) isExpr() {}
func (*Pool) isExpr()       {}
func (*Compare) isExpr()    {}
