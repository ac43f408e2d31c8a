package library

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Roots are the folders the library keeps track of: every folder given to include and
// the folder of every single file included, collapsed so that none lies below another.
// The tracker watches them and the reconciler walks them.
func (l *Library) Roots(ctx context.Context) ([]string, error) {
	rows, err := l.db.QueryContext(ctx, "SELECT path FROM roots ORDER BY path")
	if err != nil {
		return nil, fmt.Errorf("list roots: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p []byte
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, string(p))
	}
	return out, rows.Err()
}

// underOrAt reports whether path is dir or lies below it, on a component boundary.
func underOrAt(path, dir string) bool {
	if dir == "/" {
		return strings.HasPrefix(path, "/")
	}
	return path == dir || strings.HasPrefix(path, dir+"/")
}

// collapseRoots drops every root that lies under another one.
func collapseRoots(paths []string) []string {
	sort.Strings(paths)
	var out []string
	for _, p := range paths {
		if len(out) > 0 && underOrAt(p, out[len(out)-1]) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// addRoots records new root folders inside tx, collapsing the set.
func addRoots(ctx context.Context, tx *sql.Tx, dirs []string) error {
	rows, err := tx.QueryContext(ctx, "SELECT path FROM roots")
	if err != nil {
		return err
	}
	var all []string
	for rows.Next() {
		var p []byte
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return err
		}
		all = append(all, string(p))
	}
	rows.Close()
	before := map[string]bool{}
	for _, p := range all {
		before[p] = true
	}
	keep := collapseRoots(append(all, dirs...))
	after := map[string]bool{}
	for _, p := range keep {
		after[p] = true
	}
	now := time.Now().UnixNano()
	for p := range before {
		if !after[p] {
			if _, err := tx.ExecContext(ctx, "DELETE FROM roots WHERE path = ?", []byte(p)); err != nil {
				return err
			}
		}
	}
	for p := range after {
		if !before[p] {
			if _, err := tx.ExecContext(ctx, "INSERT INTO roots(path, added_ns) VALUES(?, ?)", []byte(p), now); err != nil {
				return err
			}
		}
	}
	return nil
}
