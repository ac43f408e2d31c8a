package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Change is one change a rename or unlink made to the index, for the watcher's JSON
// lines, the GUI's refresh and the thumbnail cache.
type Change struct {
	Kind  string  `json:"type"` // "renamed", "exchanged", "saved", "displaced", "missing", "found", "ignored"
	Old   string  `json:"old,omitempty"`
	New   string  `json:"new,omitempty"`
	Path  string  `json:"path,omitempty"`
	Dir   bool    `json:"dir,omitempty"`
	Files int     `json:"files,omitempty"` // entries affected
	IDs   []int64 `json:"-"`
}

// ApplyRename brings the index in line with rename(old, new) having happened on disk,
// following DESIGN.md's table: an indexed file or folder moves with its tags (a folder
// in one statement over the path index); a file renamed over an indexed path keeps that
// entry's tags (editor atomic save) and is re-hashed; an indexed entry overwritten by
// another indexed file becomes missing. With exchange set the two paths swap.
func (l *Library) ApplyRename(ctx context.Context, old, new string, exchange bool) ([]Change, error) {
	old, new = filepath.Clean(old), filepath.Clean(new)
	if old == new {
		return nil, nil
	}
	var changes []Change
	var rehash []string
	err := l.write(ctx, func(tx *sql.Tx) error {
		changes, rehash = nil, nil
		var err error
		if exchange {
			changes, err = exchangePaths(ctx, tx, old, new)
		} else {
			changes, rehash, err = renamePath(ctx, tx, old, new, KindUnknown)
		}
		if err != nil {
			return err
		}
		if len(changes) == 0 {
			return nil
		}
		return bumpGeneration(ctx, tx)
	})
	if err != nil {
		return nil, fmt.Errorf("apply rename %q → %q: %w", old, new, err)
	}
	for _, p := range rehash {
		c, err := l.Recheck(ctx, p)
		if err != nil {
			return changes, err
		}
		changes = append(changes, c...)
	}
	return changes, nil
}

func entryAt(ctx context.Context, q queryer, path string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, "SELECT id FROM files WHERE path = ?", []byte(path)).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return id, err
}

// entriesAt finds the entries at two paths in one look-up.
func entriesAt(ctx context.Context, tx *sql.Tx, a, b string) (atA, atB int64, err error) {
	rows, err := tx.QueryContext(ctx, "SELECT id, path FROM files WHERE path IN (?, ?)", []byte(a), []byte(b))
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p []byte
		if err := rows.Scan(&id, &p); err != nil {
			return 0, 0, err
		}
		if string(p) == a {
			atA = id
		} else {
			atB = id
		}
	}
	return atA, atB, rows.Err()
}

func countUnder(ctx context.Context, q queryer, dir string) (int, error) {
	lo, hi := dirRange(dir)
	var n int
	err := q.QueryRowContext(ctx, "SELECT count(*) FROM files WHERE path >= ? AND path < ?", lo, hi).Scan(&n)
	return n, err
}

// displace takes an entry off its path (it keeps tags and pools, becomes missing, and
// remembers the path in lost_path) so another entry can take the path.
func displace(ctx context.Context, tx *sql.Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, "UPDATE files SET lost_path = path, path = NULL WHERE id = ?", id); err != nil {
		return err
	}
	return markMissing(ctx, tx, []int64{id}, true)
}

func renamePath(ctx context.Context, tx *sql.Tx, old, new string, what PathKind) ([]Change, []string, error) {
	var changes []Change
	var rehash []string
	var mover, target int64
	if what != KindDir {
		var err error
		if mover, target, err = entriesAt(ctx, tx, old, new); err != nil {
			return nil, nil, err
		}
	}
	switch {
	case mover != 0:
		if target != 0 {
			if err := displace(ctx, tx, target); err != nil {
				return nil, nil, err
			}
			changes = append(changes, Change{Kind: "displaced", Path: new, Files: 1, IDs: []int64{target}})
		}
		var wasMissing bool
		if err := tx.QueryRowContext(ctx, "UPDATE files SET path = ? WHERE id = ? RETURNING missing", []byte(new), mover).Scan(&wasMissing); err != nil {
			return nil, nil, err
		}
		changes = append(changes, Change{Kind: "renamed", Old: old, New: new, Files: 1, IDs: []int64{mover}})
		if wasMissing {
			// The rename proves a file was at old: an entry marked missing while the
			// watcher ran behind the disk (its recheck came after the file had moved
			// on) is looked at again at new, and found.
			rehash = append(rehash, new)
		}
	case target != 0:
		// An unindexed file replaced an indexed one: the entry keeps its tags and gets
		// the new content's facts (the editor "atomic save").
		changes = append(changes, Change{Kind: "saved", Path: new, Files: 1, IDs: []int64{target}})
		rehash = append(rehash, new)
	}
	if what == KindFile {
		return changes, rehash, nil
	}
	// A folder: move everything below it. (A file rename finds nothing here.)
	n, err := countUnder(ctx, tx, old)
	if err != nil {
		return nil, nil, err
	}
	if n > 0 {
		if stale, err := countUnder(ctx, tx, new); err != nil {
			return nil, nil, err
		} else if stale > 0 {
			lo, hi := dirRange(new)
			ids, err := queryIDs(ctx, tx, "SELECT id FROM files WHERE path >= ? AND path < ?", lo, hi)
			if err != nil {
				return nil, nil, err
			}
			for _, id := range ids {
				if err := displace(ctx, tx, id); err != nil {
					return nil, nil, err
				}
			}
			changes = append(changes, Change{Kind: "displaced", Path: new, Dir: true, Files: len(ids), IDs: ids})
		}
		if err := moveTree(ctx, tx, old, new); err != nil {
			return nil, nil, err
		}
		changes = append(changes, Change{Kind: "renamed", Old: old, New: new, Dir: true, Files: n})
		if err := renameRoots(ctx, tx, old, new); err != nil {
			return nil, nil, err
		}
	}
	return changes, rehash, nil
}

// moveTree rewrites every path below old/ to lie below new/: one UPDATE over a range of
// the unique path index.
func moveTree(ctx context.Context, tx *sql.Tx, old, new string) error {
	lo, hi := dirRange(old)
	_, err := tx.ExecContext(ctx, "UPDATE files SET path = CAST(CAST(? AS BLOB) || substr(path, ?) AS BLOB) WHERE path >= ? AND path < ?",
		[]byte(new+"/"), len(lo)+1, lo, hi)
	if err != nil {
		return fmt.Errorf("move entries below %s: %w", old, err)
	}
	return nil
}

// renameRoots keeps the root list pointing at the folder's new place.
func renameRoots(ctx context.Context, tx *sql.Tx, old, new string) error {
	lo, hi := dirRange(old)
	if _, err := tx.ExecContext(ctx, "UPDATE OR REPLACE roots SET path = ? WHERE path = ?", []byte(new), []byte(old)); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "UPDATE OR REPLACE roots SET path = CAST(CAST(? AS BLOB) || substr(path, ?) AS BLOB) WHERE path >= ? AND path < ?",
		[]byte(new+"/"), len(lo)+1, lo, hi)
	return err
}

func queryIDs(ctx context.Context, q queryer, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
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

// swapPrefix is a path no real file can have (it holds a NUL byte), used as a parking
// place while two trees swap.
const swapPrefix = "\x00hoard-swap"

func exchangePaths(ctx context.Context, tx *sql.Tx, a, b string) ([]Change, error) {
	ea, err := entryAt(ctx, tx, a)
	if err != nil {
		return nil, err
	}
	eb, err := entryAt(ctx, tx, b)
	if err != nil {
		return nil, err
	}
	na, err := countUnder(ctx, tx, a)
	if err != nil {
		return nil, err
	}
	nb, err := countUnder(ctx, tx, b)
	if err != nil {
		return nil, err
	}
	if ea == 0 && eb == 0 && na == 0 && nb == 0 {
		return nil, nil
	}
	steps := [][2]string{{a, swapPrefix}, {b, a}, {swapPrefix, b}}
	for _, s := range steps {
		if _, err := tx.ExecContext(ctx, "UPDATE files SET path = ? WHERE path = ?", []byte(s[1]), []byte(s[0])); err != nil {
			return nil, err
		}
		if err := moveTree(ctx, tx, s[0], s[1]); err != nil {
			return nil, err
		}
	}
	ids := []int64{}
	for _, id := range []int64{ea, eb} {
		if id != 0 {
			ids = append(ids, id)
		}
	}
	return []Change{{Kind: "exchanged", Old: a, New: b, Dir: na+nb > 0, Files: len(ids) + na + nb, IDs: ids}}, nil
}

// ApplyUnlink marks the entry at path (and any left below it, for a folder) missing.
// Tags stay. The caller should Recheck the path a moment later: many programs save by
// unlink + create.
func (l *Library) ApplyUnlink(ctx context.Context, path string) ([]Change, error) {
	path = filepath.Clean(path)
	var changes []Change
	err := l.write(ctx, func(tx *sql.Tx) error {
		var err error
		changes, err = unlinkPath(ctx, tx, path)
		if err != nil || len(changes) == 0 {
			return err
		}
		return bumpGeneration(ctx, tx)
	})
	if err != nil {
		return nil, fmt.Errorf("apply unlink %q: %w", path, err)
	}
	return changes, nil
}

func unlinkPath(ctx context.Context, tx *sql.Tx, path string) ([]Change, error) {
	lo, hi := dirRange(path)
	ids, err := queryIDs(ctx, tx, "SELECT id FROM files WHERE (path = ? OR (path >= ? AND path < ?)) AND NOT missing", []byte(path), lo, hi)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	if err := markMissing(ctx, tx, ids, true); err != nil {
		return nil, err
	}
	return []Change{{Kind: "missing", Path: path, Files: len(ids), IDs: ids}}, nil
}

// Recheck looks at the entry at path on disk again: a file there makes a missing entry
// present again and refreshes changed facts (re-hashing; tags stay); no file there
// makes it missing.
func (l *Library) Recheck(ctx context.Context, path string) ([]Change, error) {
	f, err := l.FileByPath(ctx, path)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	facts, err := ReadFacts(ctx, path)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ENOENT) || errors.Is(err, ErrNotRegular) {
		if f.Missing {
			return nil, nil
		}
		return l.ApplyUnlink(ctx, path)
	}
	if err != nil {
		return nil, err
	}
	var changes []Change
	err = l.write(ctx, func(tx *sql.Tx) error {
		changes = nil
		if err := updateFacts(ctx, tx, f.ID, facts); err != nil {
			return err
		}
		if f.Missing {
			if err := markMissing(ctx, tx, []int64{f.ID}, false); err != nil {
				return err
			}
			changes = append(changes, Change{Kind: "found", Path: path, Files: 1, IDs: []int64{f.ID}})
		} else if string(f.Hash) != string(facts.Hash) || f.MtimeNS != facts.MtimeNS || f.Size != facts.Size {
			changes = append(changes, Change{Kind: "modified", Path: path, Files: 1, IDs: []int64{f.ID}})
		}
		return bumpGeneration(ctx, tx)
	})
	return changes, err
}

// Move renames files or folders on disk and in the index, never overwriting: the
// `hoard mv` command. With several sources, or a destination that is a folder, the
// sources move into it.
func (l *Library) Move(ctx context.Context, srcs []string, dst string) ([]Change, error) {
	dst, err := filepath.Abs(dst)
	if err != nil {
		return nil, err
	}
	into := false
	if st, err := os.Stat(dst); err == nil && st.IsDir() {
		into = true
	} else if len(srcs) > 1 {
		return nil, fmt.Errorf("moving %d paths needs an existing folder as the destination; %s is not one", len(srcs), dst)
	}
	var all []Change
	for _, src := range srcs {
		src, err := filepath.Abs(src)
		if err != nil {
			return all, err
		}
		target := dst
		if into {
			target = filepath.Join(dst, filepath.Base(src))
		}
		if err := unix.Renameat2(unix.AT_FDCWD, src, unix.AT_FDCWD, target, unix.RENAME_NOREPLACE); err != nil {
			switch {
			case errors.Is(err, unix.EEXIST):
				return all, fmt.Errorf("mv %s: %s already exists; hoard mv never overwrites (remove or rename it first)", src, target)
			case errors.Is(err, unix.EXDEV):
				return all, fmt.Errorf("mv %s → %s: another filesystem; copy it there, delete the original, then run `hoard check --repair` to relink", src, target)
			}
			return all, fmt.Errorf("mv %s → %s: %w", src, target, err)
		}
		c, err := l.ApplyRename(ctx, src, target, false)
		all = append(all, c...)
		if err != nil {
			return all, fmt.Errorf("%w (the file was moved on disk; run `hoard check --repair`)", err)
		}
	}
	return all, nil
}
