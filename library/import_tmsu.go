package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ImportTMSU brings a TMSU database (.tmsu/db, schema 0.7) into the library in one
// transaction: its files (missing ones as missing entries), its tags (a tag=value
// pair becomes the tag tag:value), its implications and its saved queries (as saved
// searches, translated to Hoard's query language where they can be). Tags on a
// directory go to every file below it, in TMSU's database and on disk. Paths TMSU
// stored relative are taken from the folder that holds .tmsu. The foreign file is
// opened read-only. Running it again changes nothing.
func (l *Library) ImportTMSU(ctx context.Context, path string, prog Progress) (ImportResult, error) {
	prog = orNoProgress(prog)
	abs, err := filepath.Abs(path)
	if err != nil {
		return ImportResult{}, err
	}
	db, err := openForeign(ctx, abs, "TMSU")
	if err != nil {
		return ImportResult{}, err
	}
	root := filepath.Dir(abs)
	if filepath.Base(root) == ".tmsu" {
		root = filepath.Dir(root)
	}
	src, err := readTMSU(ctx, db, root)
	db.Close()
	if err != nil {
		return ImportResult{}, fmt.Errorf("read TMSU database %s: %w", abs, err)
	}
	return l.importForeign(ctx, src, prog)
}

type tmsuKey struct{ tag, value int64 }

type tmsuReader struct {
	src    *foreign
	tags   map[int64]string
	values map[int64]string
	byKey  map[tmsuKey]int
	byPath map[string]int
}

// tag returns the foreign tag index for a (tag, value) pair, or -1 when the tag is
// unknown.
func (r *tmsuReader) tag(k tmsuKey) int {
	if i, ok := r.byKey[k]; ok {
		return i
	}
	name, ok := r.tags[k.tag]
	if !ok {
		return -1
	}
	if k.value != 0 {
		v, ok := r.values[k.value]
		if !ok {
			return -1
		}
		name += ":" + v
	}
	i := len(r.src.tags)
	r.src.tags = append(r.src.tags, foreignTag{names: []string{name}})
	r.byKey[k] = i
	return i
}

func (r *tmsuReader) file(path string) int {
	if i, ok := r.byPath[path]; ok {
		return i
	}
	i := len(r.src.files)
	r.src.files = append(r.src.files, foreignFile{path: path})
	r.byPath[path] = i
	return i
}

func readTMSU(ctx context.Context, db *sql.DB, root string) (*foreign, error) {
	for _, t := range []struct{ table, cols string }{
		{"file", "id directory name is_dir"},
		{"tag", "id name"},
		{"file_tag", "file_id tag_id value_id"},
	} {
		cols, err := tableColumns(ctx, db, t.table)
		if err != nil {
			return nil, err
		}
		for _, c := range strings.Fields(t.cols) {
			if _, ok := cols[c]; !ok {
				return nil, fmt.Errorf("not a TMSU 0.7 database: table %s has no column %s", t.table, c)
			}
		}
	}
	r := &tmsuReader{
		src:    &foreign{tool: "tmsu"},
		tags:   map[int64]string{},
		values: map[int64]string{},
		byKey:  map[tmsuKey]int{},
		byPath: map[string]int{},
	}
	if err := eachRow(ctx, db, "SELECT id, name FROM tag", func(v []any) {
		if id, ok := sqlInt(v[0]); ok {
			r.tags[id] = string(sqlText(v[1]))
		}
	}); err != nil {
		return nil, fmt.Errorf("tags: %w", err)
	}
	if cols, err := tableColumns(ctx, db, "value"); err == nil && len(cols) > 0 {
		if err := eachRow(ctx, db, "SELECT id, name FROM value", func(v []any) {
			if id, ok := sqlInt(v[0]); ok && id != 0 {
				r.values[id] = string(sqlText(v[1]))
			}
		}); err != nil {
			return nil, fmt.Errorf("values: %w", err)
		}
	}
	type entry struct {
		path  string
		isDir bool
	}
	entries := map[int64]entry{}
	var order []int64
	if err := eachRow(ctx, db, "SELECT id, directory, name, is_dir FROM file ORDER BY directory, name", func(v []any) {
		id, ok := sqlInt(v[0])
		if !ok {
			return
		}
		dir, name := string(sqlText(v[1])), string(sqlText(v[2]))
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(root, dir)
		}
		p := filepath.Join(dir, name)
		if strings.ContainsRune(p, 0) || name == "" || strings.Contains(name, "/") {
			r.src.skipped = append(r.src.skipped, Skipped{p, "not a usable path"})
			return
		}
		d, _ := sqlInt(v[3])
		entries[id] = entry{p, d != 0}
		order = append(order, id)
	}); err != nil {
		return nil, fmt.Errorf("files: %w", err)
	}
	// Every file TMSU knows is imported, tagged or not.
	for _, id := range order {
		if !entries[id].isDir {
			r.file(entries[id].path)
		}
	}
	dirTags := map[string][]int{}
	unknown := 0
	if err := eachRow(ctx, db, "SELECT file_id, tag_id, value_id FROM file_tag ORDER BY file_id, tag_id, value_id", func(v []any) {
		fid, ok1 := sqlInt(v[0])
		tid, ok2 := sqlInt(v[1])
		vid, _ := sqlInt(v[2])
		e, ok3 := entries[fid]
		t := -1
		if ok1 && ok2 && ok3 {
			t = r.tag(tmsuKey{tid, vid})
		}
		if t < 0 {
			unknown++
			return
		}
		if e.isDir {
			dirTags[e.path] = append(dirTags[e.path], t)
			return
		}
		f := r.file(e.path)
		r.src.files[f].tags = append(r.src.files[f].tags, t)
	}); err != nil {
		return nil, fmt.Errorf("file tags: %w", err)
	}
	if unknown > 0 {
		r.src.skipped = append(r.src.skipped, Skipped{"tmsu file_tag", strconv.Itoa(unknown) + " taggings of an unknown file, tag or value"})
	}
	if err := r.spreadDirTags(ctx, dirTags); err != nil {
		return nil, err
	}
	if cols, err := tableColumns(ctx, db, "implication"); err == nil && len(cols) > 0 {
		if err := eachRow(ctx, db, "SELECT tag_id, value_id, implied_tag_id, implied_value_id FROM implication", func(v []any) {
			var k [4]int64
			for i := range k {
				k[i], _ = sqlInt(v[i])
			}
			c, p := r.tag(tmsuKey{k[0], k[1]}), r.tag(tmsuKey{k[2], k[3]})
			if c >= 0 && p >= 0 {
				r.src.implications = append(r.src.implications, [2]int{c, p})
			}
		}); err != nil {
			return nil, fmt.Errorf("implications: %w", err)
		}
	}
	if cols, err := tableColumns(ctx, db, "query"); err == nil && len(cols) > 0 {
		if err := eachRow(ctx, db, "SELECT text FROM query", func(v []any) {
			q := strings.TrimSpace(string(sqlText(v[0])))
			if q == "" {
				return
			}
			hq, err := translateTMSUQuery(q)
			if err != nil {
				r.src.skipped = append(r.src.skipped, Skipped{"saved query " + strconv.Quote(q), "kept as written: " + err.Error()})
				hq = q
			}
			r.src.searches = append(r.src.searches, SavedSearch{Name: q, Query: hq})
		}); err != nil {
			return nil, fmt.Errorf("saved queries: %w", err)
		}
	}
	return r.src, nil
}

// spreadDirTags gives a tagged directory's tags to every file below it: those TMSU
// knows and those on disk now.
func (r *tmsuReader) spreadDirTags(ctx context.Context, dirTags map[string][]int) error {
	dirs := make([]string, 0, len(dirTags))
	for d := range dirTags {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	known := make([]string, 0, len(r.byPath))
	for p := range r.byPath {
		known = append(known, p)
	}
	sort.Strings(known)
	for _, dir := range dirs {
		var below []string
		for _, p := range known {
			if underOrAt(p, dir) && p != dir {
				below = append(below, p)
			}
		}
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == dir {
					return fs.SkipDir // gone: only what TMSU knows below it
				}
				r.src.skipped = append(r.src.skipped, Skipped{p, "cannot read below a tagged folder: " + errText(err)})
				return nil
			}
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			if d.IsDir() && pseudoFS(p) {
				return fs.SkipDir
			}
			if d.Type().IsRegular() {
				below = append(below, p)
			}
			return nil
		})
		if err != nil && !errors.Is(err, fs.SkipDir) {
			return err
		}
		for _, p := range below {
			f := r.file(p)
			r.src.files[f].tags = append(r.src.files[f].tags, dirTags[dir]...)
		}
	}
	return nil
}

// translateTMSUQuery turns a TMSU query (and, or, not, parentheses, tag = value)
// into Hoard's query language. Comparisons other than equality have no Hoard form.
func translateTMSUQuery(q string) (string, error) {
	toks := tmsuTokens(q)
	var out []string
	neg := false
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch strings.ToLower(t) {
		case "and":
			continue
		case "or":
			out = append(out, "|")
			continue
		case "not":
			neg = !neg
			continue
		}
		term := t
		if t != "(" && t != ")" && i+2 < len(toks) && isTMSUOp(toks[i+1]) {
			op := strings.ToLower(toks[i+1])
			if op != "=" && op != "==" && op != "eq" {
				return "", fmt.Errorf("comparison %q has no Hoard form", t+" "+toks[i+1]+" "+toks[i+2])
			}
			term = t + ":" + toks[i+2]
			i += 2
		}
		if term != ")" && term != "(" {
			term = quoteTerm(term)
		}
		if neg && term != ")" {
			term = "-" + term
			neg = false
		}
		out = append(out, term)
	}
	s := strings.Join(out, " ")
	s = strings.ReplaceAll(s, "( ", "(")
	s = strings.ReplaceAll(s, " )", ")")
	return s, nil
}

func isTMSUOp(s string) bool {
	switch strings.ToLower(s) {
	case "=", "==", "!=", "<", ">", "<=", ">=", "eq", "ne", "lt", "gt", "le", "ge":
		return true
	}
	return false
}

func quoteTerm(s string) string {
	if strings.ContainsAny(s, " \t\"()|*") || strings.HasPrefix(s, "-") {
		return strconv.Quote(s)
	}
	return s
}

// tmsuTokens splits a TMSU query into words, parentheses and comparison operators.
func tmsuTokens(q string) []string {
	var toks []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			flush()
		case c == '(' || c == ')':
			flush()
			toks = append(toks, string(c))
		case c == '=' || c == '<' || c == '>' || c == '!':
			flush()
			op := string(c)
			if i+1 < len(q) && q[i+1] == '=' {
				op += "="
				i++
			}
			toks = append(toks, op)
		case c == '\\' && i+1 < len(q):
			i++
			cur.WriteByte(q[i])
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return toks
}
