package library

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
)

const fileColumns = "id, coalesce(path, lost_path), dev, inode, btime_ns, size, mtime_ns, hash, mime, coalesce(width, 0), coalesce(height, 0), coalesce(duration_ms, 0), added_ns, missing, tag_count"

type rowScanner interface{ Scan(dest ...any) error }

func scanFile(r rowScanner) (File, error) {
	var f File
	var path []byte
	var dev, inode int64
	var durMS, addedNS int64
	if err := r.Scan(&f.ID, &path, &dev, &inode, &f.Btime, &f.Size, &f.MtimeNS, &f.Hash, &f.MIME,
		&f.Width, &f.Height, &durMS, &addedNS, &f.Missing, &f.TagCount); err != nil {
		return File{}, err
	}
	f.Path = string(path)
	f.Dev, f.Inode = uint64(dev), uint64(inode)
	f.Duration = time.Duration(durMS) * time.Millisecond
	f.Added = time.Unix(0, addedNS)
	return f, nil
}

// FileByPath finds the entry at an absolute path (byte-exact).
func (l *Library) FileByPath(ctx context.Context, path string) (File, error) {
	s, err := l.stmt(ctx, "SELECT "+fileColumns+" FROM files WHERE path = ?")
	if err != nil {
		return File{}, err
	}
	f, err := scanFile(s.QueryRowContext(ctx, []byte(path)))
	if err == sql.ErrNoRows {
		return File{}, fmt.Errorf("%s: %w", path, ErrNotFound)
	}
	return f, err
}

// FileByID finds an entry by id.
func (l *Library) FileByID(ctx context.Context, id int64) (File, error) {
	f, err := scanFile(l.db.QueryRowContext(ctx, "SELECT "+fileColumns+" FROM files WHERE id = ?", id))
	if err == sql.ErrNoRows {
		return File{}, fmt.Errorf("file %d: %w", id, ErrNotFound)
	}
	return f, err
}

// FilesByIDs returns the entries for ids in the order given (ids that no longer exist
// are left out).
func (l *Library) FilesByIDs(ctx context.Context, ids []int64) ([]File, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := l.db.QueryContext(ctx, "SELECT "+fileColumns+" FROM files WHERE id IN (SELECT value FROM json_each(?))", jsonIDs(ids))
	if err != nil {
		return nil, fmt.Errorf("load files: %w", err)
	}
	defer rows.Close()
	byID := make(map[int64]File, len(ids))
	for rows.Next() {
		f, err := scanFile(rows)
		if err != nil {
			return nil, err
		}
		byID[f.ID] = f
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]File, 0, len(ids))
	for _, id := range ids {
		if f, ok := byID[id]; ok {
			out = append(out, f)
		}
	}
	return out, nil
}

// dirRange gives the half-open byte range [lo, hi) of every path strictly below dir:
// "dir/" <= path < "dir0" ('0' is the byte after '/').
func dirRange(dir string) (lo, hi []byte) {
	dir = strings.TrimSuffix(dir, "/")
	return []byte(dir + "/"), []byte(dir + "0")
}

// FilesUnder returns the ids of every entry at path or below it, in path order.
func (l *Library) FilesUnder(ctx context.Context, path string) ([]int64, error) {
	lo, hi := dirRange(path)
	rows, err := l.db.QueryContext(ctx, "SELECT id FROM files WHERE path = ? OR (path >= ? AND path < ?) ORDER BY path", []byte(path), lo, hi)
	if err != nil {
		return nil, fmt.Errorf("files under %s: %w", path, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// RemoveFiles deletes entries from the index (never from disk), with their taggings and
// pool places. It returns how many went.
func (l *Library) RemoveFiles(ctx context.Context, ids []int64) (int, error) {
	removed := 0
	err := l.write(ctx, func(tx *sql.Tx) error {
		n, err := removeFiles(ctx, tx, ids)
		removed = n
		if err != nil {
			return err
		}
		return bumpGeneration(ctx, tx)
	})
	return removed, err
}

func removeFiles(ctx context.Context, tx *sql.Tx, ids []int64) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	set := jsonIDs(ids)
	// Take the files out of their tags' posting lists and counts first.
	rows, err := tx.QueryContext(ctx, "SELECT tag_id, file_id FROM file_tags WHERE file_id IN (SELECT value FROM json_each(?))", set)
	if err != nil {
		return 0, err
	}
	perTag := map[int64][]uint32{}
	for rows.Next() {
		var t, f int64
		if err := rows.Scan(&t, &f); err != nil {
			rows.Close()
			return 0, err
		}
		perTag[t] = append(perTag[t], uint32(f))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for t, fs := range perTag {
		if err := tagPostings(t).update(ctx, tx, nil, fs); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE tags SET file_count = file_count - ? WHERE id = ?", len(fs), t); err != nil {
			return 0, err
		}
	}
	res, err := tx.ExecContext(ctx, "DELETE FROM files WHERE id IN (SELECT value FROM json_each(?))", set)
	if err != nil {
		return 0, fmt.Errorf("remove files: %w", err)
	}
	n, _ := res.RowsAffected()
	u := ids32(ids)
	if err := setPostings(setAll).update(ctx, tx, nil, u); err != nil {
		return 0, err
	}
	if err := setPostings(setMissing).update(ctx, tx, nil, u); err != nil {
		return 0, err
	}
	return int(n), nil
}

// setMissing marks entries missing or present, keeping the 'missing' set in step.
func markMissing(ctx context.Context, tx *sql.Tx, ids []int64, missing bool) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "UPDATE files SET missing = ? WHERE id IN (SELECT value FROM json_each(?))", missing, jsonIDs(ids)); err != nil {
		return fmt.Errorf("mark files missing: %w", err)
	}
	if missing {
		return setPostings(setMissing).update(ctx, tx, ids32(ids), nil)
	}
	return setPostings(setMissing).update(ctx, tx, nil, ids32(ids))
}

// AllFiles is the set of every entry's id.
func (l *Library) AllFiles(ctx context.Context) (*roaring.Bitmap, error) {
	return setPostings(setAll).load(ctx, l.db)
}

const insertFileSQL = `INSERT INTO files(path, dev, inode, btime_ns, size, mtime_ns, hash, mime, width, height, added_ns)
	VALUES(?, ?, ?, ?, ?, ?, ?, ?, nullif(?, 0), nullif(?, 0), ?)`

func insertFileArgs(path string, f Facts, added time.Time) []any {
	return []any{[]byte(path), int64(f.Dev), int64(f.Inode), f.Btime, f.Size, f.MtimeNS, f.Hash, f.MIME, f.Width, f.Height, added.UnixNano()}
}

// insertFile adds a new entry and returns its id.
func insertFile(ctx context.Context, tx *sql.Tx, path string, f Facts, added time.Time) (int64, error) {
	res, err := tx.ExecContext(ctx, insertFileSQL, insertFileArgs(path, f, added)...)
	if err != nil {
		return 0, fmt.Errorf("add %s: %w", path, err)
	}
	return res.LastInsertId()
}

// updateFacts refreshes an entry's facts (after an edit or a relink); tags stay.
func updateFacts(ctx context.Context, tx *sql.Tx, id int64, f Facts) error {
	_, err := tx.ExecContext(ctx, `UPDATE files SET dev = ?, inode = ?, btime_ns = ?, size = ?, mtime_ns = ?, hash = ?, mime = ?,
		width = nullif(?, 0), height = nullif(?, 0) WHERE id = ?`,
		int64(f.Dev), int64(f.Inode), f.Btime, f.Size, f.MtimeNS, f.Hash, f.MIME, f.Width, f.Height, id)
	if err != nil {
		return fmt.Errorf("update file %d: %w", id, err)
	}
	return nil
}
