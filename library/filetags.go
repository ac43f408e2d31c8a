package library

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
)

// Source says where a tagging came from, so a user can see and undo it.
type Source int

// Tag sources.
const (
	SourceManual Source = iota
	SourceRule
	SourceImport
)

func (s Source) String() string {
	switch s {
	case SourceManual:
		return "manual"
	case SourceRule:
		return "rule"
	case SourceImport:
		return "import"
	}
	return "source(" + strconv.Itoa(int(s)) + ")"
}

// FileTag is one tag of a file as the inspector and `hoard ls` show it.
type FileTag struct {
	TagID   int64
	Name    string
	Source  Source
	Rule    string // the rule or importer that added it, for SourceRule/SourceImport
	Implied bool   // present only through an implication
}

// TagOptions tune TagFiles.
type TagOptions struct {
	Create bool   // create unknown tags instead of failing
	Source Source // recorded on new taggings
	Rule   string // recorded with SourceRule / SourceImport
}

// jsonIDs encodes ids as a JSON array for json_each: one statement for 100k ids.
func jsonIDs[T int64 | uint32](ids []T) string {
	var b strings.Builder
	b.Grow(len(ids) * 8)
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(int64(id), 10))
	}
	b.WriteByte(']')
	return b.String()
}

// TagFiles attaches the named tags to the files. It returns how many new taggings were
// made (a file that already has a tag keeps it, with its first source).
func (l *Library) TagFiles(ctx context.Context, fileIDs []int64, names []string, opts TagOptions) (int, error) {
	added := 0
	err := l.write(ctx, func(tx *sql.Tx) error {
		tagIDs, err := ensureTags(ctx, tx, names, opts.Create)
		if err != nil {
			return l.withNearest(ctx, err)
		}
		n, err := attachTags(ctx, tx, fileIDs, tagIDs, opts.Source, opts.Rule)
		if err != nil {
			return err
		}
		added = n
		return bumpGeneration(ctx, tx)
	})
	return added, err
}

// attachTags makes the taggings that do not exist yet, keeping file_tags, the posting
// lists and both counters in step.
func attachTags(ctx context.Context, tx *sql.Tx, fileIDs []int64, tagIDs []int64, src Source, rule string) (int, error) {
	if len(fileIDs) == 0 || len(tagIDs) == 0 {
		return 0, nil
	}
	want := roaring.New()
	for _, id := range fileIDs {
		want.Add(uint32(id))
	}
	var ruleArg any
	if rule != "" {
		ruleArg = rule
	}
	now := time.Now().UnixNano()
	total := 0
	perFile := map[uint32]int{}
	for _, tagID := range tagIDs {
		have, err := tagPostings(tagID).load(ctx, tx)
		if err != nil {
			return 0, err
		}
		fresh := roaring.AndNot(want, have)
		if fresh.IsEmpty() {
			continue
		}
		ids := fresh.ToArray()
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO file_tags(file_id, tag_id, source, rule, added_ns)
			SELECT value, ?, ?, ?, ? FROM json_each(?)`, tagID, int(src), ruleArg, now, jsonIDs(ids))
		if err != nil {
			return 0, fmt.Errorf("tag files: %w", err)
		}
		if n, _ := res.RowsAffected(); n != int64(len(ids)) {
			return 0, fmt.Errorf("bug: postings of tag %d out of step with file_tags (run `hoard check --repair`)", tagID)
		}
		if err := tagPostings(tagID).update(ctx, tx, ids, nil); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE tags SET file_count = file_count + ? WHERE id = ?", len(ids), tagID); err != nil {
			return 0, err
		}
		for _, id := range ids {
			perFile[id]++
		}
		total += len(ids)
	}
	if err := bumpTagCounts(ctx, tx, perFile, 1); err != nil {
		return 0, err
	}
	return total, nil
}

// bumpTagCounts adds sign*n to files.tag_count, grouping files by n so a bulk tagging is
// one statement per distinct n.
func bumpTagCounts(ctx context.Context, tx *sql.Tx, perFile map[uint32]int, sign int) error {
	byN := map[int][]uint32{}
	for id, n := range perFile {
		byN[n] = append(byN[n], id)
	}
	for n, ids := range byN {
		if _, err := tx.ExecContext(ctx, "UPDATE files SET tag_count = tag_count + ? WHERE id IN (SELECT value FROM json_each(?))", sign*n, jsonIDs(ids)); err != nil {
			return fmt.Errorf("update tag counts: %w", err)
		}
	}
	return nil
}

// UntagFiles removes the named tags from the files and returns how many taggings went.
func (l *Library) UntagFiles(ctx context.Context, fileIDs []int64, names []string) (int, error) {
	removed := 0
	err := l.write(ctx, func(tx *sql.Tx) error {
		tagIDs, err := ensureTags(ctx, tx, names, false)
		if err != nil {
			return l.withNearest(ctx, err)
		}
		n, err := detachTags(ctx, tx, fileIDs, tagIDs)
		removed = n
		if err != nil {
			return err
		}
		return bumpGeneration(ctx, tx)
	})
	return removed, err
}

func detachTags(ctx context.Context, tx *sql.Tx, fileIDs []int64, tagIDs []int64) (int, error) {
	want := roaring.New()
	for _, id := range fileIDs {
		want.Add(uint32(id))
	}
	total := 0
	perFile := map[uint32]int{}
	for _, tagID := range tagIDs {
		have, err := tagPostings(tagID).load(ctx, tx)
		if err != nil {
			return 0, err
		}
		gone := roaring.And(want, have)
		if gone.IsEmpty() {
			continue
		}
		ids := gone.ToArray()
		if _, err := tx.ExecContext(ctx, "DELETE FROM file_tags WHERE tag_id = ? AND file_id IN (SELECT value FROM json_each(?))", tagID, jsonIDs(ids)); err != nil {
			return 0, fmt.Errorf("untag files: %w", err)
		}
		if err := tagPostings(tagID).update(ctx, tx, nil, ids); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE tags SET file_count = file_count - ? WHERE id = ?", len(ids), tagID); err != nil {
			return 0, err
		}
		for _, id := range ids {
			perFile[id]++
		}
		total += len(ids)
	}
	return total, bumpTagCounts(ctx, tx, perFile, -1)
}

// FileTags lists a file's tags: direct ones with their source, then the ones implied by
// them, marked Implied.
func (l *Library) FileTags(ctx context.Context, fileID int64) ([]FileTag, error) {
	m, err := l.FileTagsOf(ctx, []int64{fileID})
	if err != nil {
		return nil, fmt.Errorf("tags of file %d: %w", fileID, err)
	}
	return m[fileID], nil
}

// FileTagsOf is FileTags for many files in two queries, for listings (a file without
// tags has no key).
func (l *Library) FileTagsOf(ctx context.Context, fileIDs []int64) (map[int64][]FileTag, error) {
	ids := jsonIDs(fileIDs)
	rows, err := l.db.QueryContext(ctx, `SELECT ft.file_id, t.id, t.name, ft.source, coalesce(ft.rule, '') FROM file_tags ft JOIN tags t ON t.id = ft.tag_id
		WHERE ft.file_id IN (SELECT value FROM json_each(?)) ORDER BY ft.file_id, t.name COLLATE NOCASE`, ids)
	if err != nil {
		return nil, fmt.Errorf("tags of %d files: %w", len(fileIDs), err)
	}
	out := map[int64][]FileTag{}
	type pair struct{ file, tag int64 }
	direct := map[pair]bool{}
	for rows.Next() {
		var file int64
		var ft FileTag
		var src int
		if err := rows.Scan(&file, &ft.TagID, &ft.Name, &src, &ft.Rule); err != nil {
			rows.Close()
			return nil, err
		}
		ft.Source = Source(src)
		direct[pair{file, ft.TagID}] = true
		out[file] = append(out[file], ft)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = l.db.QueryContext(ctx, `SELECT DISTINCT ft.file_id, t.id, t.name FROM file_tags ft
		JOIN tag_closure c ON c.descendant_id = ft.tag_id AND c.ancestor_id != ft.tag_id
		JOIN tags t ON t.id = c.ancestor_id WHERE ft.file_id IN (SELECT value FROM json_each(?))`, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	implied := map[int64][]FileTag{}
	for rows.Next() {
		var file int64
		ft := FileTag{Implied: true}
		if err := rows.Scan(&file, &ft.TagID, &ft.Name); err != nil {
			return nil, err
		}
		if !direct[pair{file, ft.TagID}] {
			implied[file] = append(implied[file], ft)
		}
	}
	for file, im := range implied {
		sort.Slice(im, func(i, j int) bool { return strings.ToLower(im[i].Name) < strings.ToLower(im[j].Name) })
		out[file] = append(out[file], im...)
	}
	return out, rows.Err()
}
