package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"
)

// ImportResult says what an import brought in and what it passed over. A second run
// of the same import reports zero for every count but Existing.
type ImportResult struct {
	Files        int // new entries (present on disk)
	Missing      int // new entries whose file is gone, imported as missing
	Existing     int // paths the library already had: they only get the tags
	Tags         int // tags created
	Aliases      int // names added to tags
	Taggings     int // new taggings
	Implications int // implications created
	Pools        int // pools created
	PoolEntries  int // files added to pools
	Searches     int // saved searches created or changed
	Skipped      []Skipped
}

// Changed reports whether the import wrote anything.
func (r ImportResult) Changed() bool {
	return r.Files+r.Missing+r.Tags+r.Aliases+r.Taggings+r.Implications+r.Pools+r.PoolEntries+r.Searches > 0
}

// foreign is another tool's database read into memory, in Hoard's terms, before a
// single transaction writes it: a foreign reader only parses, the writer only writes.
type foreign struct {
	tool         string // recorded as the rule of every imported tagging
	files        []foreignFile
	tags         []foreignTag
	implications [][2]int // child, parent: indexes into tags
	pools        []foreignPool
	searches     []SavedSearch
	skipped      []Skipped
}

type foreignFile struct {
	path string
	hash []byte // BLAKE3-256 when the tool kept one, for missing entries
	tags []int  // indexes into foreign.tags
}

type foreignTag struct {
	names []string // first is the display name; the rest become aliases
}

type foreignPool struct {
	name  string
	files []int // indexes into foreign.files, in order
}

// openForeign opens another program's SQLite file read-only, refusing what is not
// SQLite before the driver sees it.
func openForeign(ctx context.Context, path, what string) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", what, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("open %s database %s: it is a folder; give the database file", what, abs)
	}
	f, err := os.Open(abs)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", what, err)
	}
	hdr := make([]byte, 16)
	n, _ := f.Read(hdr)
	f.Close()
	if n < 16 || string(hdr) != "SQLite format 3\x00" {
		return nil, fmt.Errorf("open %s database %s: it is not an SQLite file", what, abs)
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Set("_query_only", "1")
	q.Set("_busy_timeout", "5000")
	u := url.URL{Scheme: "file", Opaque: (&url.URL{Path: abs}).EscapedPath()}
	db, err := sql.Open("sqlite3", u.String()+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", what, err)
	}
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s database %s: %w", what, abs, err)
	}
	return db, nil
}

// tableColumns lists a table's columns (empty when the table does not exist).
func tableColumns(ctx context.Context, db *sql.DB, table string) (map[string]string, error) {
	rows, err := db.QueryContext(ctx, "SELECT name, type FROM pragma_table_info(?)", table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		cols[name] = typ
	}
	return cols, rows.Err()
}

// sqlText turns a scanned SQLite value into bytes, whatever its storage class: foreign
// files may hold anything in any column.
func sqlText(v any) []byte {
	switch x := v.(type) {
	case []byte:
		return x
	case string:
		return []byte(x)
	case int64:
		return []byte(strconv.FormatInt(x, 10))
	case float64:
		return []byte(strconv.FormatFloat(x, 'g', -1, 64))
	case nil:
		return nil
	}
	return []byte(fmt.Sprint(v))
}

// sqlInt turns a scanned SQLite value into an int64 (ok false when it is not one).
func sqlInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case bool: // go-sqlite3 turns columns declared BOOLEAN into bool
		if x {
			return 1, true
		}
		return 0, true
	case []byte:
		n, err := strconv.ParseInt(string(x), 10, 64)
		return n, err == nil
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// onDisk is what the writer needs to know about a foreign file before it writes.
type onDisk struct {
	facts   Facts
	missing bool
	skip    string // reason not to import it
}

// lookOnDisk reads the facts of every foreign file the library does not have yet,
// outside the write transaction (hashing takes time; the write lock must not).
func (l *Library) lookOnDisk(ctx context.Context, files []foreignFile, prog Progress) ([]onDisk, error) {
	out := make([]onDisk, len(files))
	known, err := l.stmt(ctx, "SELECT count(*) FROM files WHERE path = ?")
	if err != nil {
		return nil, err
	}
	prog.Begin("reading files", int64(len(files)))
	defer prog.End()
	for i, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		prog.Advance(1, f.path)
		var n int
		if err := known.QueryRowContext(ctx, []byte(f.path)).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			continue
		}
		if pseudoFS(f.path) {
			out[i].skip = "under /proc, /sys or /dev, which hold no user files"
			continue
		}
		_, mode, err := statFacts(f.path)
		switch {
		case errors.Is(err, fs.ErrNotExist) || errors.Is(err, os.ErrNotExist):
			out[i].missing = true
			continue
		case err != nil:
			out[i].missing = true // unreadable now; keep it, tags and all, as missing
			continue
		case mode.IsDir():
			out[i].skip = "a folder, not a file"
			continue
		case !mode.IsRegular():
			out[i].skip = "not a regular file"
			continue
		}
		facts, err := ReadFacts(ctx, f.path)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			out[i].skip = "cannot read: " + errText(err)
			continue
		}
		out[i].facts = facts
	}
	return out, nil
}

// pseudoFS reports whether path lies in a kernel pseudo-filesystem: a foreign
// database naming /proc/kcore must not make Hoard hash it.
func pseudoFS(path string) bool {
	for _, d := range []string{"/proc", "/sys", "/dev"} {
		if underOrAt(path, d) {
			return true
		}
	}
	return false
}

// importForeign writes a foreign database into the library in one transaction.
func (l *Library) importForeign(ctx context.Context, src *foreign, prog Progress) (ImportResult, error) {
	res := ImportResult{Skipped: append([]Skipped(nil), src.skipped...)}
	disk, err := l.lookOnDisk(ctx, src.files, prog)
	if err != nil {
		return res, err
	}
	prog.Begin("importing", -1)
	defer prog.End()
	err = l.write(ctx, func(tx *sql.Tx) error {
		r := ImportResult{Skipped: res.Skipped}
		if err := writeForeign(ctx, tx, src, disk, &r); err != nil {
			return err
		}
		res = r
		if !r.Changed() {
			return nil
		}
		return bumpGeneration(ctx, tx)
	})
	sort.SliceStable(res.Skipped, func(i, j int) bool { return res.Skipped[i].Path < res.Skipped[j].Path })
	return res, err
}

func writeForeign(ctx context.Context, tx *sql.Tx, src *foreign, disk []onDisk, res *ImportResult) error {
	now := time.Now()
	fileIDs := make([]int64, len(src.files)) // 0: not imported
	var fresh []uint32
	var missing []int64
	var roots []string
	for i, f := range src.files {
		if err := ctx.Err(); err != nil {
			return err
		}
		var id int64
		err := tx.QueryRowContext(ctx, "SELECT id FROM files WHERE path = ?", []byte(f.path)).Scan(&id)
		switch {
		case err == nil:
			res.Existing++
		case err != sql.ErrNoRows:
			return err
		case disk[i].skip != "":
			res.Skipped = append(res.Skipped, Skipped{f.path, disk[i].skip})
			continue
		case disk[i].missing:
			facts := Facts{Hash: f.hash, MIME: DetectMIME(f.path, nil)}
			if id, err = insertFile(ctx, tx, f.path, facts, now); err != nil {
				return err
			}
			missing = append(missing, id)
			fresh = append(fresh, uint32(id))
			res.Missing++
		default:
			if id, err = insertFile(ctx, tx, f.path, disk[i].facts, now); err != nil {
				return err
			}
			fresh = append(fresh, uint32(id))
			roots = append(roots, filepath.Dir(f.path))
			res.Files++
		}
		fileIDs[i] = id
	}
	if err := setPostings(setAll).update(ctx, tx, fresh, nil); err != nil {
		return err
	}
	if err := markMissing(ctx, tx, missing, true); err != nil {
		return err
	}
	if len(roots) > 0 {
		if err := addRoots(ctx, tx, roots); err != nil {
			return fmt.Errorf("record roots: %w", err)
		}
	}

	tagIDs := make([]int64, len(src.tags)) // 0: not imported
	for i, t := range src.tags {
		id, err := importTag(ctx, tx, t, res)
		if err != nil {
			return err
		}
		tagIDs[i] = id
	}

	perTag := map[int64][]int64{}
	for i, f := range src.files {
		if fileIDs[i] == 0 {
			continue
		}
		for _, t := range f.tags {
			if tagIDs[t] != 0 {
				perTag[tagIDs[t]] = append(perTag[tagIDs[t]], fileIDs[i])
			}
		}
	}
	order := make([]int64, 0, len(perTag))
	for t := range perTag {
		order = append(order, t)
	}
	sort.Slice(order, func(i, j int) bool { return order[i] < order[j] })
	for _, t := range order {
		n, err := attachTags(ctx, tx, perTag[t], []int64{t}, SourceImport, src.tool)
		if err != nil {
			return err
		}
		res.Taggings += n
	}

	if err := importImplications(ctx, tx, src, tagIDs, res); err != nil {
		return err
	}
	if err := importPools(ctx, tx, src, fileIDs, res); err != nil {
		return err
	}
	for _, s := range src.searches {
		changed, err := saveSearch(ctx, tx, s.Name, s.Query)
		if err != nil {
			return err
		}
		if changed {
			res.Searches++
		}
	}
	return nil
}

// importTag finds the Hoard tag that has one of t's names, or creates it, and adds
// t's other names as aliases where they are free. It returns 0 (and a Skipped) when
// none of the names is usable.
func importTag(ctx context.Context, tx *sql.Tx, t foreignTag, res *ImportResult) (int64, error) {
	var names []string
	for _, raw := range t.names {
		n, err := NormalizeTagName(raw)
		if err != nil {
			res.Skipped = append(res.Skipped, Skipped{"tag " + strconv.Quote(raw), errText(err)})
			continue
		}
		names = append(names, n)
	}
	if len(names) == 0 {
		return 0, nil
	}
	var id int64
	for _, n := range names {
		found, err := lookupTag(ctx, tx, n)
		if err == nil {
			id = found
			break
		}
		var ut *UnknownTagError
		if !errors.As(err, &ut) {
			return 0, err
		}
	}
	if id == 0 {
		var err error
		if id, err = createTag(ctx, tx, names[0]); err != nil {
			return 0, err
		}
		res.Tags++
	}
	for _, n := range names {
		other, err := lookupTag(ctx, tx, n)
		switch {
		case err == nil && other == id:
			continue
		case err == nil:
			res.Skipped = append(res.Skipped, Skipped{"tag " + strconv.Quote(n), "alias not added: the name belongs to another tag"})
			continue
		}
		if err := addName(ctx, tx, id, n); err != nil {
			return 0, err
		}
		res.Aliases++
	}
	return id, nil
}

func importImplications(ctx context.Context, tx *sql.Tx, src *foreign, tagIDs []int64, res *ImportResult) error {
	added := false
	for _, imp := range src.implications {
		c, p := tagIDs[imp[0]], tagIDs[imp[1]]
		if c == 0 || p == 0 {
			continue
		}
		if c == p {
			continue
		}
		var have, cycle int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM tag_implications WHERE child_id = ? AND parent_id = ?", c, p).Scan(&have); err != nil {
			return err
		}
		if have > 0 {
			continue
		}
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM tag_closure WHERE ancestor_id = ? AND descendant_id = ?", c, p).Scan(&cycle); err != nil {
			return err
		}
		if cycle > 0 {
			res.Skipped = append(res.Skipped, Skipped{"implication " + strconv.Quote(src.tags[imp[0]].names[0]) + " → " + strconv.Quote(src.tags[imp[1]].names[0]), "would make a cycle"})
			continue
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO tag_implications(child_id, parent_id) VALUES(?, ?)", c, p); err != nil {
			return err
		}
		// Rebuild now so the next cycle check sees this edge; imported graphs are small.
		if err := rebuildClosure(ctx, tx); err != nil {
			return err
		}
		added = true
		res.Implications++
	}
	if !added {
		return nil
	}
	return rebuildClosure(ctx, tx)
}

func importPools(ctx context.Context, tx *sql.Tx, src *foreign, fileIDs []int64, res *ImportResult) error {
	for _, p := range src.pools {
		name := p.name
		if name == "" {
			continue
		}
		id, err := lookupPool(ctx, tx, name)
		if errors.Is(err, ErrUnknownPool) {
			r, err := tx.ExecContext(ctx, "INSERT INTO pools(name, folded, created_ns) VALUES(?, ?, ?)", name, fold(name), time.Now().UnixNano())
			if err != nil {
				return fmt.Errorf("create pool %q: %w", name, err)
			}
			id, _ = r.LastInsertId()
			res.Pools++
		} else if err != nil {
			return err
		}
		var next int64
		if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(position), -1) + 1 FROM pool_entries WHERE pool_id = ?", id).Scan(&next); err != nil {
			return err
		}
		for _, fi := range p.files {
			if fileIDs[fi] == 0 {
				continue
			}
			r, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO pool_entries(pool_id, position, file_id) VALUES(?, ?, ?)", id, next, fileIDs[fi])
			if err != nil {
				return fmt.Errorf("add to pool %q: %w", name, err)
			}
			if n, _ := r.RowsAffected(); n > 0 {
				next++
				res.PoolEntries++
			}
		}
	}
	return nil
}
