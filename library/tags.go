package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Tag is a tag core with its names.
type Tag struct {
	ID      int64
	Name    string   // display name
	Aliases []string // the other names, sorted
	Count   int      // files tagged with it directly
	Implies []string // display names of the tags it implies directly
}

// Namespace is the part before the first colon ("artist" of "artist:someone"), or "".
func (t Tag) Namespace() string { return TagNamespace(t.Name) }

// TagNamespace is the part of a tag name before its first colon, or "".
func TagNamespace(name string) string {
	if ns, _, ok := strings.Cut(name, ":"); ok && ns != "" {
		return ns
	}
	return ""
}

// NormalizeTagName trims a name and checks it can be typed in a query.
func NormalizeTagName(name string) (string, error) {
	n := strings.TrimSpace(name)
	switch {
	case n == "":
		return "", fmt.Errorf("%w: a tag name cannot be empty", ErrInvalidName)
	case !utf8.ValidString(n):
		return "", fmt.Errorf("%w: tag name %q is not valid UTF-8", ErrInvalidName, name)
	case strings.HasPrefix(n, "-"):
		return "", fmt.Errorf("%w: tag name %q starts with '-', which the query language reads as NOT", ErrInvalidName, n)
	case strings.ContainsAny(n, "*\""):
		return "", fmt.Errorf("%w: tag name %q contains '*' or '\"', which the query language reserves", ErrInvalidName, n)
	case strings.HasSuffix(n, ":"):
		return "", fmt.Errorf("%w: tag name %q ends with ':'; give the name after the namespace", ErrInvalidName, n)
	}
	for _, r := range n {
		if unicode.IsControl(r) {
			return "", fmt.Errorf("%w: tag name %q contains a control character", ErrInvalidName, n)
		}
	}
	return n, nil
}

// fold is the case-insensitive key of a name.
func fold(name string) string { return strings.ToLower(name) }

// lookupTag finds a tag id by any of its names.
func lookupTag(ctx context.Context, q queryer, name string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, "SELECT tag_id FROM tag_names WHERE folded = ?", fold(strings.TrimSpace(name))).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, &UnknownTagError{Name: name}
	}
	return id, err
}

// UnknownTagError names a tag that does not exist and the nearest known names.
type UnknownTagError struct {
	Name    string
	Nearest []string
}

func (e *UnknownTagError) Error() string {
	if len(e.Nearest) == 0 {
		return fmt.Sprintf("unknown tag %q (create it with `hoard tags create`)", e.Name)
	}
	return fmt.Sprintf("unknown tag %q; did you mean %s?", e.Name, strings.Join(quoteAll(e.Nearest), ", "))
}

func (e *UnknownTagError) Unwrap() error { return ErrUnknownTag }

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// withNearest fills in the nearest names of an UnknownTagError.
func (l *Library) withNearest(ctx context.Context, err error) error {
	var ut *UnknownTagError
	if errors.As(err, &ut) && ut.Nearest == nil {
		ut.Nearest, _ = l.NearestTags(ctx, ut.Name, 3)
	}
	return err
}

// NearestTags returns up to n known names closest to name, for "did you mean"
// messages. Candidates are the names sharing the longest prefix with name (read on the
// index, a bounded number per prefix length), ranked by edit distance; so a library of
// 100k tags is never scanned name by name while someone types in the search box.
func (l *Library) NearestTags(ctx context.Context, name string, n int) ([]string, error) {
	target := fold(strings.TrimSpace(name))
	runes := []rune(target)
	type cand struct {
		name string
		dist int
	}
	seen := map[string]bool{}
	var cands []cand
	limit := max(2, len(runes)/3)
	for k := len(runes); k >= 1 && len(cands) < n; k-- {
		prefix := string(runes[:k])
		rows, err := l.db.QueryContext(ctx, "SELECT name, folded FROM tag_names WHERE folded >= ? AND folded < ? ORDER BY folded LIMIT 2000",
			prefix, prefix+"\U0010FFFF")
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var nm, f string
			if err := rows.Scan(&nm, &f); err != nil {
				rows.Close()
				return nil, err
			}
			if seen[f] {
				continue
			}
			seen[f] = true
			d := editDistance(target, f, 3)
			if strings.HasPrefix(f, target) {
				d = min(d, 1)
			}
			if d <= limit {
				cands = append(cands, cand{nm, d})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].dist != cands[j].dist {
			return cands[i].dist < cands[j].dist
		}
		return cands[i].name < cands[j].name
	})
	var out []string
	for i := 0; i < len(cands) && i < n; i++ {
		out = append(out, cands[i].name)
	}
	return out, nil
}

// editDistance is the Levenshtein distance, giving up (returning limit+1) once every
// cell of a row exceeds limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if abs(len(ra)-len(rb)) > limit {
		return limit + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// ensureTags resolves names to ids inside tx, creating unknown ones when create is set.
func ensureTags(ctx context.Context, tx *sql.Tx, names []string, create bool) ([]int64, error) {
	ids := make([]int64, 0, len(names))
	seen := map[int64]bool{}
	for _, raw := range names {
		name, err := NormalizeTagName(raw)
		if err != nil {
			return nil, err
		}
		id, err := lookupTag(ctx, tx, name)
		var ut *UnknownTagError
		if errors.As(err, &ut) && create {
			id, err = createTag(ctx, tx, name)
		}
		if err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func createTag(ctx context.Context, tx *sql.Tx, name string) (int64, error) {
	res, err := tx.ExecContext(ctx, "INSERT INTO tags(name, created_ns) VALUES(?, ?)", name, time.Now().UnixNano())
	if err != nil {
		return 0, fmt.Errorf("create tag %q: %w", name, err)
	}
	id, _ := res.LastInsertId()
	if err := addName(ctx, tx, id, name); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO tag_closure(ancestor_id, descendant_id) VALUES(?, ?)", id, id); err != nil {
		return 0, err
	}
	return id, nil
}

func addName(ctx context.Context, tx *sql.Tx, id int64, name string) error {
	var other int64
	err := tx.QueryRowContext(ctx, "SELECT tag_id FROM tag_names WHERE folded = ?", fold(name)).Scan(&other)
	if err == nil {
		if other == id {
			return nil
		}
		return fmt.Errorf("%w: %q", ErrTagExists, name)
	}
	if err != sql.ErrNoRows {
		return err
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO tag_names(folded, name, tag_id) VALUES(?, ?, ?)", fold(name), name, id)
	return err
}

// CreateTag creates a tag; it is an error if the name is taken.
func (l *Library) CreateTag(ctx context.Context, name string) (Tag, error) {
	name, err := NormalizeTagName(name)
	if err != nil {
		return Tag{}, err
	}
	err = l.write(ctx, func(tx *sql.Tx) error {
		if _, err := lookupTag(ctx, tx, name); err == nil {
			return fmt.Errorf("%w: %q", ErrTagExists, name)
		}
		if _, err := createTag(ctx, tx, name); err != nil {
			return err
		}
		return bumpGeneration(ctx, tx)
	})
	if err != nil {
		return Tag{}, err
	}
	return l.TagByName(ctx, name)
}

// TagByName finds a tag by any of its names.
func (l *Library) TagByName(ctx context.Context, name string) (Tag, error) {
	id, err := lookupTag(ctx, l.db, name)
	if err != nil {
		return Tag{}, l.withNearest(ctx, err)
	}
	return l.tagByID(ctx, id)
}

func (l *Library) tagByID(ctx context.Context, id int64) (Tag, error) {
	t := Tag{ID: id}
	if err := l.db.QueryRowContext(ctx, "SELECT name, file_count FROM tags WHERE id = ?", id).Scan(&t.Name, &t.Count); err != nil {
		return Tag{}, fmt.Errorf("tag %d: %w", id, err)
	}
	rows, err := l.db.QueryContext(ctx, "SELECT name FROM tag_names WHERE tag_id = ? ORDER BY folded", id)
	if err != nil {
		return Tag{}, err
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return Tag{}, err
		}
		if n != t.Name {
			t.Aliases = append(t.Aliases, n)
		}
	}
	rows.Close()
	rows, err = l.db.QueryContext(ctx, "SELECT t.name FROM tag_implications i JOIN tags t ON t.id = i.parent_id WHERE i.child_id = ? ORDER BY t.name", id)
	if err != nil {
		return Tag{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return Tag{}, err
		}
		t.Implies = append(t.Implies, n)
	}
	return t, rows.Err()
}

// Tags lists every tag with its direct file count, aliases and direct implications,
// by name. Three queries in all, so listing 100k tags does not cost 300k round trips.
func (l *Library) Tags(ctx context.Context) ([]Tag, error) {
	rows, err := l.db.QueryContext(ctx, "SELECT id, name, file_count FROM tags ORDER BY name COLLATE NOCASE")
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	var out []Tag
	byID := map[int64]int{}
	for rows.Next() {
		var t Tag
		if err := rows.Scan(&t.ID, &t.Name, &t.Count); err != nil {
			rows.Close()
			return nil, err
		}
		byID[t.ID] = len(out)
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, q := range []struct {
		sql     string
		aliases bool
	}{
		{"SELECT tag_id, name FROM tag_names ORDER BY folded", true},
		{"SELECT i.child_id, t.name FROM tag_implications i JOIN tags t ON t.id = i.parent_id ORDER BY t.name", false},
	} {
		if err := l.fillTags(ctx, q.sql, out, byID, q.aliases); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fillTags adds (tag id, name) rows to the tags' aliases or implications.
func (l *Library) fillTags(ctx context.Context, query string, tags []Tag, byID map[int64]int, aliases bool) error {
	rows, err := l.db.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("list tags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		i, ok := byID[id]
		switch {
		case !ok: // a tag made after the first query
		case !aliases:
			tags[i].Implies = append(tags[i].Implies, name)
		case name != tags[i].Name:
			tags[i].Aliases = append(tags[i].Aliases, name)
		}
	}
	return rows.Err()
}

// SearchTags returns up to limit tags having a name that starts with prefix (any case),
// the most used first: the autocomplete of the search box and the CLI.
func (l *Library) SearchTags(ctx context.Context, prefix string, limit int) ([]Tag, error) {
	f := fold(strings.TrimSpace(prefix))
	rows, err := l.db.QueryContext(ctx, `SELECT DISTINCT t.id, t.name, t.file_count FROM tag_names n JOIN tags t ON t.id = n.tag_id
		WHERE n.folded >= ? AND n.folded < ? ORDER BY t.file_count DESC, t.name LIMIT ?`, f, f+"\U0010FFFF", limit)
	if err != nil {
		return nil, fmt.Errorf("search tags: %w", err)
	}
	defer rows.Close()
	var out []Tag
	for rows.Next() {
		var t Tag
		if err := rows.Scan(&t.ID, &t.Name, &t.Count); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// AliasTag gives an existing tag one more name.
func (l *Library) AliasTag(ctx context.Context, tag, alias string) error {
	alias, err := NormalizeTagName(alias)
	if err != nil {
		return err
	}
	return l.write(ctx, func(tx *sql.Tx) error {
		id, err := lookupTag(ctx, tx, tag)
		if err != nil {
			return l.withNearest(ctx, err)
		}
		if err := addName(ctx, tx, id, alias); err != nil {
			return err
		}
		return bumpGeneration(ctx, tx)
	})
}

// RenameTag replaces the name old (display name or alias) with new; the tag keeps its
// files. Changing only the case of a name is allowed.
func (l *Library) RenameTag(ctx context.Context, old, new string) error {
	new, err := NormalizeTagName(new)
	if err != nil {
		return err
	}
	return l.write(ctx, func(tx *sql.Tx) error {
		id, err := lookupTag(ctx, tx, old)
		if err != nil {
			return l.withNearest(ctx, err)
		}
		var other int64
		err = tx.QueryRowContext(ctx, "SELECT tag_id FROM tag_names WHERE folded = ?", fold(new)).Scan(&other)
		if err == nil && (other != id || fold(new) != fold(old)) {
			return fmt.Errorf("%w: %q (use `hoard tags merge` to join two tags)", ErrTagExists, new)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM tag_names WHERE folded = ?", fold(old)); err != nil {
			return err
		}
		if err := addName(ctx, tx, id, new); err != nil {
			return err
		}
		var display string
		if err := tx.QueryRowContext(ctx, "SELECT name FROM tags WHERE id = ?", id).Scan(&display); err != nil {
			return err
		}
		if fold(display) == fold(old) {
			if _, err := tx.ExecContext(ctx, "UPDATE tags SET name = ? WHERE id = ?", new, id); err != nil {
				return err
			}
		}
		return bumpGeneration(ctx, tx)
	})
}

// DeleteTag deletes a tag, all its names and every tagging with it (files stay).
func (l *Library) DeleteTag(ctx context.Context, name string) error {
	return l.write(ctx, func(tx *sql.Tx) error {
		id, err := lookupTag(ctx, tx, name)
		if err != nil {
			return l.withNearest(ctx, err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE files SET tag_count = tag_count - 1 WHERE id IN (SELECT file_id FROM file_tags WHERE tag_id = ?)", id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM tags WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete tag: %w", err)
		}
		if err := rebuildClosure(ctx, tx); err != nil {
			return err
		}
		return bumpGeneration(ctx, tx)
	})
}

// MergeTags moves every tagging, name and implication of from onto into, then deletes
// from. Files tagged with both keep one tagging.
func (l *Library) MergeTags(ctx context.Context, from, into string) error {
	return l.write(ctx, func(tx *sql.Tx) error {
		src, err := lookupTag(ctx, tx, from)
		if err != nil {
			return l.withNearest(ctx, err)
		}
		dst, err := lookupTag(ctx, tx, into)
		if err != nil {
			return l.withNearest(ctx, err)
		}
		if src == dst {
			return fmt.Errorf("%q and %q are already the same tag", from, into)
		}
		srcSet, err := tagPostings(src).load(ctx, tx)
		if err != nil {
			return err
		}
		dstSet, err := tagPostings(dst).load(ctx, tx)
		if err != nil {
			return err
		}
		both := srcSet.Clone()
		both.And(dstSet)
		moved := srcSet.Clone()
		moved.AndNot(dstSet)
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO file_tags(file_id, tag_id, source, rule, added_ns)
			SELECT file_id, ?, source, rule, added_ns FROM file_tags WHERE tag_id = ?`, dst, src); err != nil {
			return err
		}
		if !both.IsEmpty() {
			if _, err := tx.ExecContext(ctx, "UPDATE files SET tag_count = tag_count - 1 WHERE id IN (SELECT value FROM json_each(?))", jsonIDs(both.ToArray())); err != nil {
				return err
			}
		}
		if err := tagPostings(dst).update(ctx, tx, moved.ToArray(), nil); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE tags SET file_count = file_count + ? WHERE id = ?", moved.GetCardinality(), dst); err != nil {
			return err
		}
		for _, q := range []string{
			"UPDATE tag_names SET tag_id = ? WHERE tag_id = ?",
			"INSERT OR IGNORE INTO tag_implications(child_id, parent_id) SELECT ?, parent_id FROM tag_implications WHERE child_id = ?",
			"INSERT OR IGNORE INTO tag_implications(child_id, parent_id) SELECT child_id, ? FROM tag_implications WHERE parent_id = ?",
		} {
			if _, err := tx.ExecContext(ctx, q, dst, src); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM tags WHERE id = ?", src); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM tag_implications WHERE child_id = parent_id"); err != nil {
			return err
		}
		if err := rebuildClosure(ctx, tx); err != nil {
			return err
		}
		return bumpGeneration(ctx, tx)
	})
}

// lookupPair resolves the two tags of an implication, naming the nearest known tags
// for one that does not exist.
func (l *Library) lookupPair(ctx context.Context, tx *sql.Tx, child, parent string) (c, p int64, err error) {
	if c, err = lookupTag(ctx, tx, child); err != nil {
		return 0, 0, l.withNearest(ctx, err)
	}
	if p, err = lookupTag(ctx, tx, parent); err != nil {
		return 0, 0, l.withNearest(ctx, err)
	}
	return c, p, nil
}

// Imply makes files tagged child also match parent in queries. A cycle is refused.
func (l *Library) Imply(ctx context.Context, child, parent string) error {
	return l.write(ctx, func(tx *sql.Tx) error {
		c, p, err := l.lookupPair(ctx, tx, child, parent)
		if err != nil {
			return err
		}
		var n int
		// A cycle: parent already implies child (child is an ancestor of parent).
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM tag_closure WHERE ancestor_id = ? AND descendant_id = ?", c, p).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: %q already implies %q, so %q → %q would loop", ErrCycle, parent, child, child, parent)
		}
		if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO tag_implications(child_id, parent_id) VALUES(?, ?)", c, p); err != nil {
			return err
		}
		if err := rebuildClosure(ctx, tx); err != nil {
			return err
		}
		return bumpGeneration(ctx, tx)
	})
}

// Unimply removes the implication child → parent.
func (l *Library) Unimply(ctx context.Context, child, parent string) error {
	return l.write(ctx, func(tx *sql.Tx) error {
		c, p, err := l.lookupPair(ctx, tx, child, parent)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM tag_implications WHERE child_id = ? AND parent_id = ?", c, p)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: %q does not imply %q", ErrNotFound, child, parent)
		}
		if err := rebuildClosure(ctx, tx); err != nil {
			return err
		}
		return bumpGeneration(ctx, tx)
	})
}

// rebuildClosure recomputes the non-trivial part of tag_closure from tag_implications.
// Implication graphs are small (hundreds of edges), so a full rebuild is cheap.
func rebuildClosure(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM tag_closure WHERE ancestor_id != descendant_id"); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO tag_closure(ancestor_id, descendant_id)
		WITH RECURSIVE up(descendant_id, ancestor_id) AS (
			SELECT child_id, parent_id FROM tag_implications
			UNION
			SELECT up.descendant_id, i.parent_id FROM up JOIN tag_implications i ON i.child_id = up.ancestor_id
		) SELECT ancestor_id, descendant_id FROM up WHERE ancestor_id != descendant_id`)
	if err != nil {
		return fmt.Errorf("rebuild implication closure: %w", err)
	}
	return nil
}
