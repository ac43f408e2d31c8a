package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// SavedRule is a tag rule stored by name (see package library/rules for specs).
type SavedRule struct {
	Name string
	Spec string
}

// SavedSearch is a query stored by name.
type SavedSearch struct {
	Name  string
	Query string
}

// checkSavedName accepts names that are easy to type: no spaces, no colons (a colon
// would make a name look like a rule spec), no control characters.
func checkSavedName(kind, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", fmt.Errorf("%w: a %s name cannot be empty", ErrInvalidName, kind)
	}
	for _, r := range name {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == ':' || r == '=' {
			return "", fmt.Errorf("%w: %s name %q may not contain spaces, ':' or '='", ErrInvalidName, kind, name)
		}
	}
	return name, nil
}

// SaveRule stores (or replaces) the rule spec under name. The caller checks the spec
// parses (package rules); the library stores text only.
func (l *Library) SaveRule(ctx context.Context, name, spec string) error {
	name, err := checkSavedName("rule", name)
	if err != nil {
		return err
	}
	return l.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO rules(folded, name, spec, created_ns) VALUES(?, ?, ?, ?)
			ON CONFLICT(folded) DO UPDATE SET name = excluded.name, spec = excluded.spec`,
			fold(name), name, spec, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("save rule %q: %w", name, err)
		}
		return bumpGeneration(ctx, tx)
	})
}

// Rules lists the saved rules by name.
func (l *Library) Rules(ctx context.Context) ([]SavedRule, error) {
	rows, err := l.db.QueryContext(ctx, "SELECT name, spec FROM rules ORDER BY folded")
	if err != nil {
		return nil, fmt.Errorf("list rules: %w", err)
	}
	defer rows.Close()
	var out []SavedRule
	for rows.Next() {
		var r SavedRule
		if err := rows.Scan(&r.Name, &r.Spec); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RuleByName finds a saved rule (any case); ErrNotFound when there is none.
func (l *Library) RuleByName(ctx context.Context, name string) (SavedRule, error) {
	var r SavedRule
	err := l.db.QueryRowContext(ctx, "SELECT name, spec FROM rules WHERE folded = ?", fold(strings.TrimSpace(name))).Scan(&r.Name, &r.Spec)
	if err == sql.ErrNoRows {
		return r, fmt.Errorf("saved rule %q: %w (see `hoard rules list`)", name, ErrNotFound)
	}
	return r, err
}

// DeleteRule removes a saved rule. Tags it made stay (they name it as their rule).
func (l *Library) DeleteRule(ctx context.Context, name string) error {
	return l.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM rules WHERE folded = ?", fold(strings.TrimSpace(name)))
		if err != nil {
			return fmt.Errorf("delete rule %q: %w", name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("saved rule %q: %w (see `hoard rules list`)", name, ErrNotFound)
		}
		return bumpGeneration(ctx, tx)
	})
}

// SaveSearch stores (or replaces) a query under name.
func (l *Library) SaveSearch(ctx context.Context, name, query string) error {
	name, err := checkSavedName("search", name)
	if err != nil {
		return err
	}
	return l.write(ctx, func(tx *sql.Tx) error {
		if _, err := saveSearch(ctx, tx, name, query); err != nil {
			return err
		}
		return bumpGeneration(ctx, tx)
	})
}

// saveSearch upserts a saved search; it reports whether anything changed.
func saveSearch(ctx context.Context, tx *sql.Tx, name, query string) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO saved_searches(folded, name, query, created_ns) VALUES(?, ?, ?, ?)
		ON CONFLICT(folded) DO UPDATE SET name = excluded.name, query = excluded.query
		WHERE name IS NOT excluded.name OR query IS NOT excluded.query`,
		fold(name), name, query, time.Now().UnixNano())
	if err != nil {
		return false, fmt.Errorf("save search %q: %w", name, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// SavedSearches lists the saved searches by name.
func (l *Library) SavedSearches(ctx context.Context) ([]SavedSearch, error) {
	rows, err := l.db.QueryContext(ctx, "SELECT name, query FROM saved_searches ORDER BY folded")
	if err != nil {
		return nil, fmt.Errorf("list saved searches: %w", err)
	}
	defer rows.Close()
	var out []SavedSearch
	for rows.Next() {
		var s SavedSearch
		if err := rows.Scan(&s.Name, &s.Query); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// DeleteSearch removes a saved search.
func (l *Library) DeleteSearch(ctx context.Context, name string) error {
	return l.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM saved_searches WHERE folded = ?", fold(strings.TrimSpace(name)))
		if err != nil {
			return fmt.Errorf("delete saved search %q: %w", name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("saved search %q: %w", name, ErrNotFound)
		}
		return bumpGeneration(ctx, tx)
	})
}

// SavedSearchQuery returns the query saved under name (names match case-folded), or
// an error wrapping ErrNotFound that lists the saved names.
func (l *Library) SavedSearchQuery(ctx context.Context, name string) (string, error) {
	var q string
	err := l.db.QueryRowContext(ctx, "SELECT query FROM saved_searches WHERE folded = ?", fold(name)).Scan(&q)
	if err == nil {
		return q, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("saved search %q: %w", name, err)
	}
	all, lerr := l.SavedSearches(ctx)
	if lerr != nil {
		return "", lerr
	}
	if len(all) == 0 {
		return "", fmt.Errorf("saved search %q: %w (there are none yet: `hoard searches save NAME QUERY`)", name, ErrNotFound)
	}
	names := make([]string, len(all))
	for i, s := range all {
		names[i] = s.Name
	}
	return "", fmt.Errorf("saved search %q: %w (saved: %s)", name, ErrNotFound, strings.Join(names, ", "))
}
