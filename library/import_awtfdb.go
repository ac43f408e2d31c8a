package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// ErrOldAwtfdb is returned for an awtfdb index that still has the integer-id (v1)
// schema, which Hoard does not read.
var ErrOldAwtfdb = errors.New("awtfdb index has the old integer-id (v1) schema")

// ImportAwtfdb brings an awtfdb index (awtf.db) into the library in one transaction:
// every file path (missing ones as missing entries), its tags (awtfdb tags attach to
// the content hash, so every path with that hash gets them), tag aliases,
// implications and pools. Taggings awtfdb made by implication are not copied: the
// implication is recreated instead, so the tag still matches. The foreign file is
// opened read-only. Running it again changes nothing.
func (l *Library) ImportAwtfdb(ctx context.Context, path string, prog Progress) (ImportResult, error) {
	prog = orNoProgress(prog)
	db, err := openForeign(ctx, path, "awtfdb")
	if err != nil {
		return ImportResult{}, err
	}
	src, err := readAwtfdb(ctx, db)
	db.Close()
	if err != nil {
		return ImportResult{}, fmt.Errorf("read awtfdb database %s: %w", path, err)
	}
	return l.importForeign(ctx, src, prog)
}

func checkAwtfdbSchema(ctx context.Context, db *sql.DB) error {
	var v1, required int
	rows, err := db.QueryContext(ctx, "SELECT name FROM sqlite_schema WHERE type = 'table'")
	if err != nil {
		return err
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		switch {
		case strings.HasSuffix(name, "_v1"):
			v1++
		case name == "hashes" || name == "files" || name == "tag_cores" || name == "tag_names" || name == "tag_files":
			required++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if required < 5 {
		if v1 > 0 {
			return fmt.Errorf("%w; upgrade it with a current awtfdb (its migrations move it to ULID ids), then import again", ErrOldAwtfdb)
		}
		return errors.New("not an awtfdb index (no hashes, files, tag_cores, tag_names and tag_files tables)")
	}
	cols, err := tableColumns(ctx, db, "hashes")
	if err != nil {
		return err
	}
	if strings.Contains(strings.ToUpper(cols["id"]), "INT") {
		return fmt.Errorf("%w (hashes.id is %s); upgrade it with a current awtfdb, then import again", ErrOldAwtfdb, cols["id"])
	}
	return nil
}

func readAwtfdb(ctx context.Context, db *sql.DB) (*foreign, error) {
	if err := checkAwtfdbSchema(ctx, db); err != nil {
		return nil, err
	}
	src := &foreign{tool: "awtfdb"}
	hashData := map[string][]byte{}
	if err := eachRow(ctx, db, "SELECT id, hash_data FROM hashes", func(v []any) {
		hashData[string(sqlText(v[0]))] = sqlText(v[1])
	}); err != nil {
		return nil, fmt.Errorf("hashes: %w", err)
	}
	byHash := map[string][]int{}
	if err := eachRow(ctx, db, "SELECT file_hash, local_path FROM files ORDER BY local_path", func(v []any) {
		h, p := string(sqlText(v[0])), string(sqlText(v[1]))
		if !strings.HasPrefix(p, "/") || strings.ContainsRune(p, 0) {
			src.skipped = append(src.skipped, Skipped{p, "not an absolute path"})
			return
		}
		f := foreignFile{path: p}
		if d := hashData[h]; len(d) == 32 {
			f.hash = d // awtfdb hashes with BLAKE3-256, as Hoard does
		}
		byHash[h] = append(byHash[h], len(src.files))
		src.files = append(src.files, f)
	}); err != nil {
		return nil, fmt.Errorf("files: %w", err)
	}
	byCore := map[string]int{}
	if err := eachRow(ctx, db, "SELECT core_hash, tag_text FROM tag_names ORDER BY rowid", func(v []any) {
		core, name := string(sqlText(v[0])), string(sqlText(v[1]))
		i, ok := byCore[core]
		if !ok {
			i = len(src.tags)
			byCore[core] = i
			src.tags = append(src.tags, foreignTag{})
		}
		src.tags[i].names = append(src.tags[i].names, name)
	}); err != nil {
		return nil, fmt.Errorf("tag names: %w", err)
	}
	implied, unknown := 0, 0
	if err := eachRow(ctx, db, "SELECT file_hash, core_hash, tag_source_type, tag_source_id FROM tag_files", func(v []any) {
		typ, _ := sqlInt(v[2])
		id, _ := sqlInt(v[3])
		if typ == 0 && id == 1 {
			implied++ // made by an implication: the implication is recreated instead
			return
		}
		t, ok := byCore[string(sqlText(v[1]))]
		files := byHash[string(sqlText(v[0]))]
		if !ok || len(files) == 0 {
			unknown++
			return
		}
		for _, f := range files {
			src.files[f].tags = append(src.files[f].tags, t)
		}
	}); err != nil {
		return nil, fmt.Errorf("tag files: %w", err)
	}
	if implied > 0 {
		src.skipped = append(src.skipped, Skipped{"awtfdb tag_files", strconv.Itoa(implied) + " taggings made by implications: recreated as implications, not copied"})
	}
	if unknown > 0 {
		src.skipped = append(src.skipped, Skipped{"awtfdb tag_files", strconv.Itoa(unknown) + " taggings of an unknown file hash or tag"})
	}
	if cols, err := tableColumns(ctx, db, "tag_implications"); err == nil && len(cols) > 0 {
		if err := eachRow(ctx, db, "SELECT child_tag, parent_tag FROM tag_implications ORDER BY rowid", func(v []any) {
			c, okc := byCore[string(sqlText(v[0]))]
			p, okp := byCore[string(sqlText(v[1]))]
			if okc && okp {
				src.implications = append(src.implications, [2]int{c, p})
			}
		}); err != nil {
			return nil, fmt.Errorf("tag implications: %w", err)
		}
	}
	if err := readAwtfdbPools(ctx, db, src, byHash); err != nil {
		return nil, err
	}
	return src, nil
}

// readAwtfdbPools reads pools in entry order. A pool entry names a content hash; the
// first of its paths stands for it, so a duplicate does not repeat a page.
func readAwtfdbPools(ctx context.Context, db *sql.DB, src *foreign, byHash map[string][]int) error {
	if cols, err := tableColumns(ctx, db, "pools"); err != nil || len(cols) == 0 {
		return err
	}
	if cols, err := tableColumns(ctx, db, "pool_entries"); err != nil || len(cols) == 0 {
		return err
	}
	byPool := map[string]int{}
	if err := eachRow(ctx, db, "SELECT pool_hash, title FROM pools ORDER BY rowid", func(v []any) {
		h := string(sqlText(v[0]))
		title := strings.TrimSpace(string(sqlText(v[1])))
		if title == "" {
			title = "awtfdb-" + h
		}
		byPool[h] = len(src.pools)
		src.pools = append(src.pools, foreignPool{name: title})
	}); err != nil {
		return fmt.Errorf("pools: %w", err)
	}
	type entry struct {
		pool, file int
		index      int64
	}
	var entries []entry
	if err := eachRow(ctx, db, "SELECT pool_hash, file_hash, entry_index FROM pool_entries", func(v []any) {
		p, ok := byPool[string(sqlText(v[0]))]
		files := byHash[string(sqlText(v[1]))]
		if !ok || len(files) == 0 {
			return
		}
		idx, _ := sqlInt(v[2])
		entries = append(entries, entry{p, files[0], idx})
	}); err != nil {
		return fmt.Errorf("pool entries: %w", err)
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].index < entries[j].index })
	for _, e := range entries {
		src.pools[e.pool].files = append(src.pools[e.pool].files, e.file)
	}
	return nil
}

// eachRow runs a query on a foreign database and hands every row to fn as raw values.
func eachRow(ctx context.Context, db *sql.DB, query string, fn func([]any)) error {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		row := make([]any, len(vals))
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = append([]byte(nil), b...)
			}
			row[i] = v
		}
		fn(row)
	}
	return rows.Err()
}
