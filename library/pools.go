package library

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Pool is an ordered collection of files (a comic's pages, an album's tracks).
type Pool struct {
	ID    int64
	Name  string
	Count int
}

func lookupPool(ctx context.Context, q queryer, name string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, "SELECT id FROM pools WHERE folded = ?", fold(strings.TrimSpace(name))).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, fmt.Errorf("%w %q (see `hoard pool list`)", ErrUnknownPool, name)
	}
	return id, err
}

// CreatePool makes an empty pool.
func (l *Library) CreatePool(ctx context.Context, name string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return fmt.Errorf("%w: a pool name cannot be empty", ErrInvalidName)
	}
	return l.write(ctx, func(tx *sql.Tx) error {
		if _, err := lookupPool(ctx, tx, name); err == nil {
			return fmt.Errorf("pool %q %w", name, ErrExists)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO pools(name, folded, created_ns) VALUES(?, ?, ?)", name, fold(name), time.Now().UnixNano()); err != nil {
			return fmt.Errorf("create pool: %w", err)
		}
		return bumpGeneration(ctx, tx)
	})
}

// AddToPool appends files to the end of a pool, in the order given; files already in
// it keep their place.
func (l *Library) AddToPool(ctx context.Context, name string, fileIDs []int64) (int, error) {
	added := 0
	err := l.write(ctx, func(tx *sql.Tx) error {
		id, err := lookupPool(ctx, tx, name)
		if err != nil {
			return err
		}
		var next int64
		if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(position), -1) + 1 FROM pool_entries WHERE pool_id = ?", id).Scan(&next); err != nil {
			return err
		}
		for _, f := range fileIDs {
			res, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO pool_entries(pool_id, position, file_id) VALUES(?, ?, ?)", id, next, f)
			if err != nil {
				return fmt.Errorf("add to pool: %w", err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				next++
				added++
			}
		}
		return bumpGeneration(ctx, tx)
	})
	return added, err
}

// PoolFiles lists a pool's file ids in order.
func (l *Library) PoolFiles(ctx context.Context, name string) ([]int64, error) {
	id, err := lookupPool(ctx, l.db, name)
	if err != nil {
		return nil, err
	}
	rows, err := l.db.QueryContext(ctx, "SELECT file_id FROM pool_entries WHERE pool_id = ? ORDER BY position", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var f int64
		if err := rows.Scan(&f); err != nil {
			return nil, err
		}
		ids = append(ids, f)
	}
	return ids, rows.Err()
}

// Pools lists every pool with its size.
func (l *Library) Pools(ctx context.Context) ([]Pool, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT p.id, p.name, (SELECT count(*) FROM pool_entries e WHERE e.pool_id = p.id)
		FROM pools p ORDER BY p.name COLLATE NOCASE`)
	if err != nil {
		return nil, fmt.Errorf("list pools: %w", err)
	}
	defer rows.Close()
	var out []Pool
	for rows.Next() {
		var p Pool
		if err := rows.Scan(&p.ID, &p.Name, &p.Count); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// RemovePool deletes a pool (its files stay), or, with fileIDs, takes just those files
// out of it.
func (l *Library) RemovePool(ctx context.Context, name string, fileIDs []int64) (int, error) {
	n := 0
	err := l.write(ctx, func(tx *sql.Tx) error {
		id, err := lookupPool(ctx, tx, name)
		if err != nil {
			return err
		}
		var res sql.Result
		if len(fileIDs) == 0 {
			res, err = tx.ExecContext(ctx, "DELETE FROM pools WHERE id = ?", id)
		} else {
			res, err = tx.ExecContext(ctx, "DELETE FROM pool_entries WHERE pool_id = ? AND file_id IN (SELECT value FROM json_each(?))", id, jsonIDs(fileIDs))
		}
		if err != nil {
			return fmt.Errorf("remove from pool: %w", err)
		}
		c, _ := res.RowsAffected()
		n = int(c)
		return bumpGeneration(ctx, tx)
	})
	return n, err
}
