package library

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/RoaringBitmap/roaring/v2"
)

// A posting list is a set of file ids stored as roaring bitmaps, one row per chunk of
// 65536 ids, so adding one file rewrites at most 8 KiB.
type postingList struct {
	table string // tag_postings or set_postings
	col   string // tag_id or name
	key   any
}

func tagPostings(tagID int64) postingList {
	return postingList{table: "tag_postings", col: "tag_id", key: tagID}
}

func setPostings(name string) postingList {
	return postingList{table: "set_postings", col: "name", key: name}
}

const (
	setAll     = "all"
	setMissing = "missing"
)

// load reads the whole list.
func (p postingList) load(ctx context.Context, q queryer) (*roaring.Bitmap, error) {
	rows, err := q.QueryContext(ctx, "SELECT bits FROM "+p.table+" WHERE "+p.col+" = ?", p.key)
	if err != nil {
		return nil, fmt.Errorf("load postings: %w", err)
	}
	defer rows.Close()
	out := roaring.New()
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		part := roaring.New()
		if err := part.UnmarshalBinary(b); err != nil {
			return nil, fmt.Errorf("postings of %v are damaged (run `hoard check --repair`): %w", p.key, err)
		}
		out.Or(part)
	}
	return out, rows.Err()
}

// update adds and removes ids in one pass over the touched chunks.
func (p postingList) update(ctx context.Context, tx *sql.Tx, add, remove []uint32) error {
	chunks := map[int64]struct{ add, remove []uint32 }{}
	for _, id := range add {
		c := chunks[int64(id>>16)]
		c.add = append(c.add, id)
		chunks[int64(id>>16)] = c
	}
	for _, id := range remove {
		c := chunks[int64(id>>16)]
		c.remove = append(c.remove, id)
		chunks[int64(id>>16)] = c
	}
	for chunk, c := range chunks {
		bm := roaring.New()
		var b []byte
		err := tx.QueryRowContext(ctx, "SELECT bits FROM "+p.table+" WHERE "+p.col+" = ? AND chunk = ?", p.key, chunk).Scan(&b)
		switch {
		case err == sql.ErrNoRows:
		case err != nil:
			return fmt.Errorf("read postings: %w", err)
		default:
			if err := bm.UnmarshalBinary(b); err != nil {
				return fmt.Errorf("postings of %v are damaged (run `hoard check --repair`): %w", p.key, err)
			}
		}
		bm.AddMany(c.add)
		for _, id := range c.remove {
			bm.Remove(id)
		}
		if bm.IsEmpty() {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+p.table+" WHERE "+p.col+" = ? AND chunk = ?", p.key, chunk); err != nil {
				return fmt.Errorf("write postings: %w", err)
			}
			continue
		}
		bm.RunOptimize()
		out, err := bm.ToBytes()
		if err != nil {
			return fmt.Errorf("encode postings: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO "+p.table+"("+p.col+", chunk, bits) VALUES(?, ?, ?)", p.key, chunk, out); err != nil {
			return fmt.Errorf("write postings: %w", err)
		}
	}
	return nil
}

// replace overwrites the whole list with bm (used when rebuilding).
func (p postingList) replace(ctx context.Context, tx *sql.Tx, bm *roaring.Bitmap) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM "+p.table+" WHERE "+p.col+" = ?", p.key); err != nil {
		return err
	}
	var ids []uint32
	it := bm.Iterator()
	for it.HasNext() {
		ids = append(ids, it.Next())
	}
	return p.update(ctx, tx, ids, nil)
}

// queryer is what both *sql.DB, *sql.Conn and *sql.Tx offer for reads.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func ids32(ids []int64) []uint32 {
	out := make([]uint32, len(ids))
	for i, id := range ids {
		out[i] = uint32(id)
	}
	return out
}
