package library

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"hoard/library/query"
)

// Results is the answer to a query: a set of file ids in an order. Counting is free;
// ids and files are fetched page by page, so a million results cost little until read.
type Results struct {
	l     *Library
	set   *roaring.Bitmap
	sort  query.Sort
	limit int
	ids   []int64 // materialized order, for sorts other than added
	// countOnly: the order was never computed (SearchOptions.CountOnly).
	countOnly bool
	// stream: the order is computed by Each as it goes (SearchOptions.Stream).
	stream bool
}

// SearchOptions tune Search.
type SearchOptions struct {
	// DefaultSort applies when the query has no sort: (the CLI uses name, the GUI
	// added-desc).
	DefaultSort query.Sort
	// Now resolves relative dates; zero means time.Now().
	Now time.Time
	// CountOnly skips ordering the results: only Count and Set may be used.
	CountOnly bool
	// Stream is for callers that read the results once, in order, with Each (the
	// CLI): big results are then ordered by walking the sort column's index while
	// printing, so the first lines come at once. IDs and Files may not be used.
	Stream bool
}

// Search parses and evaluates a query. A parse error is a *query.Error (with its
// position); an unknown tag is an *UnknownTagError naming the nearest known tags.
func (l *Library) Search(ctx context.Context, src string, opts SearchOptions) (*Results, error) {
	q, err := query.Parse(src)
	if err != nil {
		return nil, err
	}
	return l.Evaluate(ctx, q, opts)
}

// Evaluate runs a parsed query.
func (l *Library) Evaluate(ctx context.Context, q *query.Query, opts SearchOptions) (*Results, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	// One read transaction, so every posting list and row comes from one snapshot.
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN DEFERRED"); err != nil {
		return nil, err
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK")
	e := &evaluator{ctx: ctx, q: conn, now: now, l: l}
	var set *roaring.Bitmap
	if q.Expr == nil {
		set, err = e.all()
	} else {
		set, err = e.eval(q.Expr)
	}
	if err != nil {
		return nil, err
	}
	r := &Results{l: l, set: set, sort: q.Sort, limit: q.Limit}
	if r.sort.Key == "" {
		r.sort = opts.DefaultSort
	}
	if r.sort.Key == "" {
		r.sort = query.Sort{Key: query.SortAdded}
	}
	if opts.CountOnly {
		r.countOnly = true
		return r, nil
	}
	if opts.Stream && r.walkable() {
		r.stream = true
		return r, nil
	}
	if err := r.materialize(ctx, conn); err != nil {
		return nil, err
	}
	return r, nil
}

// Count is the number of results (after limit:).
func (r *Results) Count() int {
	n := int(r.set.GetCardinality())
	if r.limit > 0 && n > r.limit {
		return r.limit
	}
	return n
}

// Set is the unordered result set; callers must not modify it.
func (r *Results) Set() *roaring.Bitmap { return r.set }

// IDs returns up to n ids starting at offset, in the result order.
func (r *Results) IDs(offset, n int) []int64 {
	if r.countOnly || r.stream {
		panic("bug: IDs of a CountOnly or Stream search")
	}
	total := r.Count()
	if offset >= total || n <= 0 {
		return nil
	}
	n = min(n, total-offset)
	out := make([]int64, 0, n)
	if r.ids != nil {
		return append(out, r.ids[offset:offset+n]...)
	}
	card := int(r.set.GetCardinality())
	if r.sort.Desc {
		for i := offset; i < offset+n; i++ {
			v, err := r.set.Select(uint32(card - 1 - i))
			if err != nil {
				break
			}
			out = append(out, int64(v))
		}
		return out
	}
	first, err := r.set.Select(uint32(offset))
	if err != nil {
		return nil
	}
	it := r.set.Iterator()
	it.AdvanceIfNeeded(first)
	for len(out) < n && it.HasNext() {
		out = append(out, int64(it.Next()))
	}
	return out
}

// Files returns up to n entries starting at offset, in the result order.
func (r *Results) Files(ctx context.Context, offset, n int) ([]File, error) {
	return r.l.FilesByIDs(ctx, r.IDs(offset, n))
}

// Each calls fn for every result in order, fetching rows in pages, and stops at the
// first error (fn's own, or ctx's).
func (r *Results) Each(ctx context.Context, fn func(File) error) error {
	if r.stream {
		return r.walk(ctx, fn)
	}
	const page = 512
	for off := 0; off < r.Count(); off += page {
		if err := ctx.Err(); err != nil {
			return err
		}
		files, err := r.Files(ctx, off, page)
		if err != nil {
			return err
		}
		for _, f := range files {
			if err := fn(f); err != nil {
				return err
			}
		}
	}
	return nil
}

// walkMin is the result size from which walking the sort column's index (and keeping
// the members) beats looking every result up and sorting: with N entries the walk
// reaches the first 1,000 results after ~1000·N/|results| index entries, while a sort
// must first look up every result (measured on the 1M corpus: 20k results took 260 ms
// to sort, the walk 30 ms to reach the first thousand).
const walkMin = 8000

// walkable reports whether Each should walk an index for this order and size.
func (r *Results) walkable() bool {
	switch r.sort.Key {
	case query.SortName, query.SortSize, query.SortModified:
		return r.set.GetCardinality() >= walkMin
	}
	return false
}

// sortIndex names the index that holds each sort column in order.
var sortIndex = map[query.SortKey][2]string{
	query.SortName:     {"path", "sqlite_autoindex_files_1"}, // the UNIQUE(path) index
	query.SortSize:     {"size", "files_size"},
	query.SortModified: {"mtime_ns", "files_mtime"},
}

// walk streams the results in order: SQLite walks the sort column's index and keeps
// the members (a list lookup per entry, in C), so rows come out from the first index
// pages on instead of after a sort of the whole result.
func (r *Results) walk(ctx context.Context, fn func(File) error) error {
	idx := sortIndex[r.sort.Key]
	dir := "ASC"
	if r.sort.Desc {
		dir = "DESC"
	}
	rows, err := r.l.db.QueryContext(ctx, "SELECT "+fileColumns+" FROM files INDEXED BY "+idx[1]+
		" WHERE id IN (SELECT value FROM json_each(?)) ORDER BY "+idx[0]+" "+dir+" LIMIT ?",
		jsonIDs(r.set.ToArray()), r.Count())
	if err != nil {
		return fmt.Errorf("walk results: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		f, err := scanFile(rows)
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return rows.Err()
}

// smallResult is where sorting by SQL over the id set beats walking a whole index.
const smallResult = 50000

// materialize computes the order for sorts the id order does not give.
func (r *Results) materialize(ctx context.Context, q queryer) error {
	var col string
	switch r.sort.Key {
	case query.SortAdded:
		return nil
	case query.SortRandom:
		ids := r.set.ToArray()
		rand.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		r.ids = make([]int64, len(ids))
		for i, id := range ids {
			r.ids[i] = int64(id)
		}
		return nil
	default:
		idx, ok := sortIndex[r.sort.Key]
		if !ok {
			return fmt.Errorf("bug: sort %q", r.sort.Key)
		}
		col = idx[0]
	}
	dir := "ASC"
	if r.sort.Desc {
		dir = "DESC"
	}
	card := r.set.GetCardinality()
	want := int(card)
	if r.limit > 0 {
		want = min(want, r.limit)
	}
	r.ids = make([]int64, 0, want)
	if card <= smallResult {
		// CROSS JOIN pins the id list as the outer loop: looked up by rowid, then
		// sorted, instead of a walk of the whole column index testing membership.
		rows, err := q.QueryContext(ctx, "SELECT f.id FROM json_each(?) AS j CROSS JOIN files AS f ON f.id = j.value ORDER BY f."+col+" "+dir+", f.id "+dir+" LIMIT ?", jsonIDs(r.set.ToArray()), want)
		if err != nil {
			return fmt.Errorf("sort results: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			r.ids = append(r.ids, id)
		}
		return rows.Err()
	}
	// Large results: walk the column's index in order and keep the members.
	rows, err := q.QueryContext(ctx, "SELECT id FROM files ORDER BY "+col+" "+dir+", id "+dir)
	if err != nil {
		return fmt.Errorf("sort results: %w", err)
	}
	defer rows.Close()
	for rows.Next() && len(r.ids) < want {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		if r.set.Contains(uint32(id)) {
			r.ids = append(r.ids, id)
		}
	}
	return rows.Err()
}

type evaluator struct {
	ctx    context.Context
	q      queryer
	l      *Library
	now    time.Time
	allSet *roaring.Bitmap
}

func (e *evaluator) all() (*roaring.Bitmap, error) {
	if e.allSet == nil {
		s, err := setPostings(setAll).load(e.ctx, e.q)
		if err != nil {
			return nil, err
		}
		e.allSet = s
	}
	return e.allSet, nil
}

// filterLimit is the candidate count under which attribute predicates are checked on
// the candidates' rows instead of being evaluated over the whole table.
const filterLimit = 20000

func (e *evaluator) eval(x query.Expr) (*roaring.Bitmap, error) {
	switch x := x.(type) {
	case *query.And:
		var sets []*roaring.Bitmap
		var attrs []query.Expr
		for _, t := range x.Terms {
			if isAttr(t) {
				attrs = append(attrs, t)
				continue
			}
			s, err := e.eval(t)
			if err != nil {
				return nil, err
			}
			sets = append(sets, s)
		}
		var cand *roaring.Bitmap
		if len(sets) > 0 {
			cand = roaring.FastAnd(sets...)
			if len(sets) == 1 {
				cand = sets[0].Clone()
			}
		}
		if len(attrs) == 0 {
			return cand, nil
		}
		where, args, err := e.conds(attrs)
		if err != nil {
			return nil, err
		}
		if cand != nil && cand.GetCardinality() <= filterLimit {
			if cand.IsEmpty() {
				return cand, nil
			}
			return e.ids("SELECT id FROM files WHERE id IN (SELECT value FROM json_each(?)) AND "+where, append([]any{jsonIDs(cand.ToArray())}, args...)...)
		}
		s, err := e.ids("SELECT id FROM files WHERE "+where, args...)
		if err != nil || cand == nil {
			return s, err
		}
		s.And(cand)
		return s, nil
	case *query.Or:
		sets := make([]*roaring.Bitmap, 0, len(x.Terms))
		for _, t := range x.Terms {
			s, err := e.eval(t)
			if err != nil {
				return nil, err
			}
			sets = append(sets, s)
		}
		return roaring.FastOr(sets...), nil
	case *query.Not:
		s, err := e.eval(x.X)
		if err != nil {
			return nil, err
		}
		all, err := e.all()
		if err != nil {
			return nil, err
		}
		return roaring.AndNot(all, s), nil
	case *query.Tag:
		return e.tag(x)
	case *query.Missing:
		return setPostings(setMissing).load(e.ctx, e.q)
	case *query.Duplicates:
		return e.ids(`SELECT id FROM files WHERE hash IN (SELECT hash FROM files WHERE hash IS NOT NULL GROUP BY hash HAVING count(*) > 1)`)
	case *query.Pool:
		id, err := lookupPool(e.ctx, e.q, x.Name)
		if err != nil {
			return nil, err
		}
		return e.ids("SELECT file_id FROM pool_entries WHERE pool_id = ?", id)
	default:
		where, args, err := e.conds([]query.Expr{x})
		if err != nil {
			return nil, err
		}
		return e.ids("SELECT id FROM files WHERE "+where, args...)
	}
}

// isAttr reports predicates on a file's own columns, which compile to SQL.
func isAttr(x query.Expr) bool {
	switch x.(type) {
	case *query.Hash, *query.Path, *query.Type, *query.MIME, *query.Ext, *query.Compare:
		return true
	}
	return false
}

func (e *evaluator) ids(q string, args ...any) (*roaring.Bitmap, error) {
	rows, err := e.q.QueryContext(e.ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	out := roaring.New()
	var batch []uint32
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		batch = append(batch, uint32(id))
	}
	out.AddMany(batch)
	return out, rows.Err()
}

// tag is the union of the posting lists of the tag (or every tag matching a wildcard)
// and of every tag that implies it.
func (e *evaluator) tag(t *query.Tag) (*roaring.Bitmap, error) {
	var rows *sql.Rows
	var err error
	if t.Wildcard {
		rows, err = e.q.QueryContext(e.ctx, `SELECT bits FROM tag_postings WHERE tag_id IN (
			SELECT c.descendant_id FROM tag_names n JOIN tag_closure c ON c.ancestor_id = n.tag_id WHERE n.folded GLOB ?)`,
			globPattern(fold(t.Name)))
	} else {
		var id int64
		id, err = lookupTag(e.ctx, e.q, t.Name)
		if err != nil {
			return nil, e.l.withNearest(e.ctx, err)
		}
		rows, err = e.q.QueryContext(e.ctx, `SELECT bits FROM tag_postings WHERE tag_id IN (
			SELECT descendant_id FROM tag_closure WHERE ancestor_id = ?)`, id)
	}
	if err != nil {
		return nil, fmt.Errorf("query tag %q: %w", t.Name, err)
	}
	defer rows.Close()
	var parts []*roaring.Bitmap
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		bm := roaring.New()
		if err := bm.UnmarshalBinary(b); err != nil {
			return nil, fmt.Errorf("postings of tag %q are damaged (run `hoard check --repair`): %w", t.Name, err)
		}
		parts = append(parts, bm)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return roaring.FastOr(parts...), nil
}

// globPattern turns a query wildcard (only * is special) into a SQLite GLOB pattern.
func globPattern(s string) string {
	r := strings.NewReplacer("[", "[[]", "?", "[?]")
	return r.Replace(s)
}

// likeEscape escapes LIKE's wildcards (with ESCAPE '\').
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// conds compiles attribute predicates to one SQL condition ANDed together.
func (e *evaluator) conds(xs []query.Expr) (string, []any, error) {
	var parts []string
	var args []any
	for _, x := range xs {
		s, a, err := e.cond(x)
		if err != nil {
			return "", nil, err
		}
		parts = append(parts, "("+s+")")
		args = append(args, a...)
	}
	return strings.Join(parts, " AND "), args, nil
}

func (e *evaluator) cond(x query.Expr) (string, []any, error) {
	switch x := x.(type) {
	case *query.Path:
		return "coalesce(path, lost_path) GLOB ?", []any{globPattern(x.Glob)}, nil
	case *query.MIME:
		return "mime GLOB ?", []any{globPattern(x.Pattern)}, nil
	case *query.Ext:
		return `coalesce(path, lost_path) LIKE ? ESCAPE '\'`, []any{"%." + likeEscape(x.Name)}, nil
	case *query.Type:
		var ors []string
		for _, k := range x.Kinds {
			ors = append(ors, kindSQL(k))
		}
		return strings.Join(ors, " OR "), nil, nil
	case *query.Hash:
		lo, hi, err := hashRange(x.Hex, x.Prefix)
		if err != nil {
			return "", nil, err
		}
		if hi == nil {
			return "hash >= ?", []any{lo}, nil
		}
		return "hash >= ? AND hash < ?", []any{lo, hi}, nil
	case *query.Compare:
		return e.compare(x)
	}
	return "", nil, fmt.Errorf("bug: %T is not an attribute predicate", x)
}

func kindSQL(k query.Kind) string {
	switch k {
	case query.Image, query.Video, query.Audio:
		return fmt.Sprintf("mime LIKE '%s/%%'", k)
	case query.Document:
		return `mime LIKE 'text/%' OR mime IN ('application/pdf', 'application/epub+zip', 'application/rtf', 'application/postscript',
			'application/msword') OR mime LIKE '%opendocument%' OR mime LIKE '%officedocument%'`
	}
	return "0"
}

// hashRange turns a hex hash (or prefix) into a byte range on the hash index.
func hashRange(h string, prefix bool) (lo, hi []byte, err error) {
	if !prefix || len(h) == 64 {
		b, err := hex.DecodeString(h)
		if err != nil {
			return nil, nil, err
		}
		return b, append(append([]byte(nil), b...), 0), nil
	}
	pad := func(s string) []byte {
		if len(s)%2 == 1 {
			s += "0"
		}
		b, _ := hex.DecodeString(s)
		return b
	}
	lo = pad(h)
	// hi is the prefix plus one, in hex, with carry; an all-f prefix has no upper bound.
	digits := []byte(h)
	i := len(digits) - 1
	for ; i >= 0; i-- {
		if digits[i] != 'f' {
			break
		}
		digits[i] = '0'
	}
	if i < 0 {
		return lo, nil, nil
	}
	digits[i] = "123456789abcdef"[strings.IndexByte("0123456789abcdef", digits[i])]
	return lo, pad(string(digits)), nil
}

func (e *evaluator) compare(c *query.Compare) (string, []any, error) {
	var col string
	var v any
	switch c.Field {
	case query.FieldSize:
		col, v = "size", c.N
	case query.FieldWidth:
		col, v = "coalesce(width, 0)", c.N
	case query.FieldHeight:
		col, v = "coalesce(height, 0)", c.N
	case query.FieldTags:
		col, v = "tag_count", c.N
	case query.FieldDuration:
		col, v = "coalesce(duration_ms, 0)", c.Duration.Milliseconds()
	case query.FieldAdded, query.FieldModified:
		col = "added_ns"
		if c.Field == query.FieldModified {
			col = "mtime_ns"
		}
		start, end := c.Date.Range(e.now)
		s, en := start.UnixNano(), end.UnixNano()
		switch c.Op {
		case query.OpEq:
			return col + " >= ? AND " + col + " < ?", []any{s, en}, nil
		case query.OpNe:
			return col + " < ? OR " + col + " >= ?", []any{s, en}, nil
		case query.OpLt:
			return col + " < ?", []any{s}, nil
		case query.OpLe:
			return col + " < ?", []any{en}, nil
		case query.OpGt:
			return col + " >= ?", []any{en}, nil
		case query.OpGe:
			return col + " >= ?", []any{s}, nil
		}
		return "", nil, fmt.Errorf("bug: op %q", c.Op)
	default:
		return "", nil, fmt.Errorf("bug: field %q", c.Field)
	}
	switch c.Op {
	case query.OpEq, query.OpNe, query.OpLt, query.OpLe, query.OpGt, query.OpGe:
		return col + " " + string(c.Op) + " ?", []any{v}, nil
	}
	return "", nil, fmt.Errorf("bug: op %q", c.Op)
}

// IsQueryError reports whether err is a problem with the query the user typed (parse
// error, unknown tag, unknown pool) rather than with the library.
func IsQueryError(err error) bool {
	var qe *query.Error
	return errors.As(err, &qe) || errors.Is(err, ErrUnknownTag) || errors.Is(err, ErrUnknownPool)
}
