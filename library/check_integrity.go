package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
	sqlite3 "github.com/mattn/go-sqlite3"
)

// integrity is what Check found wrong inside the database and what repairing it takes.
type integrity struct {
	findings []Finding
	damaged  bool       // integrity_check failed: no repair is attempted
	orphans  bool       // rows pointing at deleted rows: delete them
	pathless bool       // entries without a path not marked missing
	counters bool       // tags.file_count / files.tag_count out of step with file_tags
	badTags  []int64    // tags whose posting list is out of step with file_tags
	badSets  []string   // set_postings lists out of step with files
	closure  bool       // tag_closure out of step with tag_implications
	unnamed  []namedTag // tags without a name whose display name is free to give back
}

type namedTag struct {
	id   int64
	name string
}

func (in *integrity) repairable() bool {
	return in.orphans || in.pathless || in.counters || len(in.badTags) > 0 || len(in.badSets) > 0 ||
		in.closure || len(in.unnamed) > 0
}

func (in *integrity) add(detail string, repairable bool) {
	in.findings = append(in.findings, Finding{Kind: KindIntegrity, Detail: detail, Repairable: repairable})
}

// orphanDeletes removes, per table, the rows whose foreign key points at nothing
// (possible only if something wrote with foreign keys off).
var orphanDeletes = map[string]string{
	"file_tags":        "DELETE FROM file_tags WHERE file_id NOT IN (SELECT id FROM files) OR tag_id NOT IN (SELECT id FROM tags)",
	"tag_names":        "DELETE FROM tag_names WHERE tag_id NOT IN (SELECT id FROM tags)",
	"tag_postings":     "DELETE FROM tag_postings WHERE tag_id NOT IN (SELECT id FROM tags)",
	"tag_implications": "DELETE FROM tag_implications WHERE child_id NOT IN (SELECT id FROM tags) OR parent_id NOT IN (SELECT id FROM tags)",
	"tag_closure":      "DELETE FROM tag_closure WHERE ancestor_id NOT IN (SELECT id FROM tags) OR descendant_id NOT IN (SELECT id FROM tags)",
	"pool_entries":     "DELETE FROM pool_entries WHERE pool_id NOT IN (SELECT id FROM pools) OR file_id NOT IN (SELECT id FROM files)",
}

// checkIntegrity runs SQLite's own checks, then Hoard's: orphaned rows, entries
// without a path, counters and posting lists against file_tags and files. A damaged
// file is a finding, not an error: integrity_check's messages are reported and Hoard's
// checks are skipped (they would read the damaged structures, and nothing they found
// could be repaired in a damaged file anyway).
func (l *Library) checkIntegrity(ctx context.Context) (*integrity, error) {
	in := &integrity{}
	msgs, err := pragmaLines(ctx, l.db, "PRAGMA integrity_check")
	if err != nil && !isDamage(err) {
		return nil, err
	}
	if err != nil {
		// integrity_check gives up at some damage (a table's root page unreadable):
		// keep what it said before, then why it stopped.
		msgs = append(msgs, "integrity_check stopped: "+err.Error())
	}
	if len(msgs) != 1 || msgs[0] != "ok" {
		in.addDamage(msgs)
		return in, nil
	}
	if err := l.checkOrphans(ctx, in); err != nil {
		return nil, err
	}
	if err := l.checkCounters(ctx, in); err != nil {
		return nil, err
	}
	if err := l.checkPostings(ctx, in); err != nil {
		return nil, err
	}
	if err := l.checkTags(ctx, in); err != nil {
		return nil, err
	}
	return in, nil
}

// closureDiff counts the pairs tag_closure lacks and the pairs it has too many,
// against every (t, t) plus what tag_implications reach.
const closureDiff = `WITH RECURSIVE up(descendant_id, ancestor_id) AS (
		SELECT child_id, parent_id FROM tag_implications
		UNION
		SELECT up.descendant_id, i.parent_id FROM up JOIN tag_implications i ON i.child_id = up.ancestor_id
	), want(a, d) AS (
		SELECT ancestor_id, descendant_id FROM up UNION SELECT id, id FROM tags
	) SELECT
		(SELECT count(*) FROM (SELECT a, d FROM want EXCEPT SELECT ancestor_id, descendant_id FROM tag_closure)),
		(SELECT count(*) FROM (SELECT ancestor_id, descendant_id FROM tag_closure EXCEPT SELECT a, d FROM want))`

// checkTags looks at the implication closure and at tags left without any name (which
// no query can reach).
func (l *Library) checkTags(ctx context.Context, in *integrity) error {
	var lacking, extra int
	if err := l.db.QueryRowContext(ctx, closureDiff).Scan(&lacking, &extra); err != nil {
		return fmt.Errorf("check implications: %w", err)
	}
	if lacking+extra > 0 {
		in.closure = true
		in.add(fmt.Sprintf("the implication closure is out of step with the implications (%d pairs missing, %d too many)", lacking, extra), true)
	}
	rows, err := l.db.QueryContext(ctx, `SELECT t.id, t.name FROM tags t
		WHERE NOT EXISTS (SELECT 1 FROM tag_names n WHERE n.tag_id = t.id) ORDER BY t.id`)
	if err != nil {
		return fmt.Errorf("check tag names: %w", err)
	}
	var unnamed []namedTag
	for rows.Next() {
		var t namedTag
		if err := rows.Scan(&t.id, &t.name); err != nil {
			rows.Close()
			return err
		}
		unnamed = append(unnamed, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range unnamed {
		var taken int
		if err := l.db.QueryRowContext(ctx, "SELECT count(*) FROM tag_names WHERE folded = ?", fold(t.name)).Scan(&taken); err != nil {
			return err
		}
		if taken == 0 {
			in.unnamed = append(in.unnamed, t)
			in.add(fmt.Sprintf("tag %q (id %d) has no name a query can use; repair gives it back its display name", t.name, t.id), true)
		} else {
			in.add(fmt.Sprintf("tag %q (id %d) has no name a query can use, and another tag holds that name (merge them with `hoard tags merge`)", t.name, t.id), false)
		}
	}
	return nil
}

// maxDamageLines is how many of integrity_check's messages a check reports; a damaged
// page can yield one per row it held, and the first few say what there is to say.
const maxDamageLines = 10

// addDamage marks the file damaged and reports integrity_check's messages, one finding
// per line, at most maxDamageLines of them.
func (in *integrity) addDamage(msgs []string) {
	in.damaged = true
	lines := integrityLines(msgs)
	if len(lines) == 0 {
		lines = []string{"integrity_check failed without saying why"}
	}
	for i, m := range lines {
		if i == maxDamageLines {
			in.add(fmt.Sprintf("… and %d more integrity_check messages", len(lines)-maxDamageLines), false)
			break
		}
		in.add("database damaged: "+m, false)
	}
}

// integrityLines splits integrity_check's messages into lines: one message can span
// several, the first led by "*** in database main ***", which says nothing here.
func integrityLines(msgs []string) []string {
	var out []string
	for _, m := range msgs {
		for line := range strings.SplitSeq(m, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "*** in database ") {
				continue
			}
			out = append(out, line)
		}
	}
	return out
}

// isDamage reports whether err is SQLite finding the file damaged (or not a database
// at all), as opposed to a failure of the machine or the program.
func isDamage(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrCorrupt || se.Code == sqlite3.ErrNotADB)
}

// damageAdvice says what to do about a damaged library file: restore the newest backup
// Hoard made before upgrading it, if there is one, or rebuild the file with sqlite3's
// .recover (into a new file, so the damaged one is kept until the new one works).
func (l *Library) damageAdvice() string {
	recovered := strings.TrimSuffix(l.path, ".db") + "-recovered.db"
	rebuild := fmt.Sprintf("rebuild it with `sqlite3 %s .recover | sqlite3 %s` and move %s over it",
		shellWord(l.path), shellWord(recovered), shellWord(recovered))
	if b := newestBackup(l.path); b != "" {
		return fmt.Sprintf("restore the backup %s (made before Hoard last upgraded the library: later changes are not in it), or %s", shellWord(b), rebuild)
	}
	return rebuild
}

// newestBackup is the backup migrate made last ("library.db.bak-vN" with the highest
// N), or "" when there is none.
func newestBackup(path string) string {
	matches, _ := filepath.Glob(path + ".bak-v*") // the only error is a bad pattern
	best, bestV := "", -1
	for _, m := range matches {
		v, err := strconv.Atoi(strings.TrimPrefix(m, path+".bak-v"))
		if err == nil && v > bestV {
			best, bestV = m, v
		}
	}
	return best
}

// shellWord quotes p for a shell when it holds anything but plain path characters, so
// the advice can be pasted.
func shellWord(p string) string {
	plain := strings.IndexFunc(p, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+,:@%", r))
	}) < 0
	if plain && p != "" {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}

func pragmaLines(ctx context.Context, q queryer, pragma string) ([]string, error) {
	rows, err := q.QueryContext(ctx, pragma)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pragma, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (l *Library) checkOrphans(ctx context.Context, in *integrity) error {
	rows, err := l.db.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return fmt.Errorf("foreign_key_check: %w", err)
	}
	perTable := map[string]map[string]int{} // table → parent → rows
	for rows.Next() {
		var table, parent string
		var rowid, fkid sql.NullInt64
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			rows.Close()
			return err
		}
		if perTable[table] == nil {
			perTable[table] = map[string]int{}
		}
		perTable[table][parent]++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	tables := make([]string, 0, len(perTable))
	for t := range perTable {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		var parts []string
		for parent, n := range perTable[t] {
			parts = append(parts, fmt.Sprintf("%d pointing at missing %s", n, parent))
		}
		sort.Strings(parts)
		_, fixable := orphanDeletes[t]
		in.add(fmt.Sprintf("orphaned rows in %s: %s", t, strings.Join(parts, ", ")), fixable)
		if fixable {
			in.orphans = true
		}
	}

	var pathless, nowhere int
	err = l.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM files WHERE path IS NULL AND NOT missing),
		(SELECT count(*) FROM files WHERE path IS NULL AND lost_path IS NULL)`).Scan(&pathless, &nowhere)
	if err != nil {
		return fmt.Errorf("check paths: %w", err)
	}
	if pathless > 0 {
		in.pathless = true
		in.add(fmt.Sprintf("%d entries without a path are not marked missing", pathless), true)
	}
	if nowhere > 0 {
		in.add(fmt.Sprintf("%d entries have neither a path nor a last path (find them with `hoard find missing`)", nowhere), false)
	}
	return nil
}

func (l *Library) checkCounters(ctx context.Context, in *integrity) error {
	var tags, files int
	err := l.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM tags t WHERE file_count != (SELECT count(*) FROM file_tags WHERE tag_id = t.id)),
		(SELECT count(*) FROM files f WHERE tag_count != (SELECT count(*) FROM file_tags WHERE file_id = f.id))`).Scan(&tags, &files)
	if err != nil {
		return fmt.Errorf("check counters: %w", err)
	}
	if tags > 0 {
		in.add(fmt.Sprintf("file counts of %d tags are out of step with file_tags", tags), true)
	}
	if files > 0 {
		in.add(fmt.Sprintf("tag counts of %d entries are out of step with file_tags", files), true)
	}
	in.counters = tags > 0 || files > 0
	return nil
}

func (l *Library) checkPostings(ctx context.Context, in *integrity) error {
	// The sets: 'all' must hold every entry, 'missing' the missing ones.
	for _, s := range []struct{ name, query string }{
		{setAll, "SELECT id FROM files"},
		{setMissing, "SELECT id FROM files WHERE missing"},
	} {
		want, err := bitmapOf(ctx, l.db, s.query)
		if err != nil {
			return err
		}
		have, bad, err := loadChunks(ctx, l.db, "SELECT 0, chunk, bits FROM set_postings WHERE name = ?", s.name)
		if err != nil {
			return err
		}
		if h := have[0]; bad[0] || !sameBitmap(want, h) {
			in.badSets = append(in.badSets, s.name)
			in.add(fmt.Sprintf("the %q set is out of step with files (%d entries, %d in the set)", s.name, want.GetCardinality(), cardinality(h)), true)
		}
	}

	// Each tag's list must hold exactly the files file_tags gives it.
	want := map[int64]*roaring.Bitmap{}
	rows, err := l.db.QueryContext(ctx, "SELECT tag_id, file_id FROM file_tags ORDER BY tag_id")
	if err != nil {
		return fmt.Errorf("check postings: %w", err)
	}
	for rows.Next() {
		var t, f int64
		if err := rows.Scan(&t, &f); err != nil {
			rows.Close()
			return err
		}
		bm := want[t]
		if bm == nil {
			bm = roaring.New()
			want[t] = bm
		}
		bm.Add(uint32(f))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	have, bad, err := loadChunks(ctx, l.db, "SELECT tag_id, chunk, bits FROM tag_postings")
	if err != nil {
		return err
	}
	names, err := tagNames(ctx, l.db)
	if err != nil {
		return err
	}
	seen := map[int64]bool{}
	for _, m := range []map[int64]*roaring.Bitmap{want, have} {
		for t := range m {
			if seen[t] {
				continue
			}
			seen[t] = true
			if bad[t] || !sameBitmap(want[t], have[t]) {
				in.badTags = append(in.badTags, t)
			}
		}
	}
	sort.Slice(in.badTags, func(i, j int) bool { return in.badTags[i] < in.badTags[j] })
	for _, t := range in.badTags {
		name := names[t]
		if name == "" {
			name = fmt.Sprintf("#%d", t)
		}
		in.add(fmt.Sprintf("the posting list of tag %q is out of step with file_tags (%d taggings, %d in the list)", name, cardinality(want[t]), cardinality(have[t])), true)
	}
	return nil
}

func bitmapOf(ctx context.Context, q queryer, query string, args ...any) (*roaring.Bitmap, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	bm := roaring.New()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		bm.Add(uint32(id))
	}
	return bm, rows.Err()
}

// loadChunks reads posting rows (key, chunk, bits) into one bitmap per key. bad marks
// a key with an undecodable blob or an id stored in the wrong chunk.
func loadChunks(ctx context.Context, q queryer, query string, args ...any) (map[int64]*roaring.Bitmap, map[int64]bool, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	out := map[int64]*roaring.Bitmap{}
	bad := map[int64]bool{}
	for rows.Next() {
		var key, chunk int64
		var bits []byte
		if err := rows.Scan(&key, &chunk, &bits); err != nil {
			return nil, nil, err
		}
		part := roaring.New()
		if err := part.UnmarshalBinary(bits); err != nil {
			bad[key] = true
			continue
		}
		if !part.IsEmpty() && (int64(part.Minimum()>>16) != chunk || int64(part.Maximum()>>16) != chunk) {
			bad[key] = true
		}
		if out[key] == nil {
			out[key] = roaring.New()
		}
		out[key].Or(part)
	}
	return out, bad, rows.Err()
}

func sameBitmap(a, b *roaring.Bitmap) bool {
	if a == nil || a.IsEmpty() {
		return b == nil || b.IsEmpty()
	}
	return b != nil && a.Equals(b)
}

func cardinality(b *roaring.Bitmap) uint64 {
	if b == nil {
		return 0
	}
	return b.GetCardinality()
}

func tagNames(ctx context.Context, q queryer) (map[int64]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, name FROM tags")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}

// repairIntegrity fixes, inside tx, what checkIntegrity found: orphans deleted, then
// counters and posting lists rebuilt from file_tags and files.
func repairIntegrity(ctx context.Context, tx *sql.Tx, in *integrity) error {
	if in.orphans {
		tables := make([]string, 0, len(orphanDeletes))
		for t := range orphanDeletes {
			tables = append(tables, t)
		}
		sort.Strings(tables)
		for _, t := range tables {
			if _, err := tx.ExecContext(ctx, orphanDeletes[t]); err != nil {
				return fmt.Errorf("delete orphaned rows of %s: %w", t, err)
			}
		}
		// Deleted taggings change counts and lists: recheck them all below.
		in.counters = true
		if err := rebuildAllTagPostings(ctx, tx); err != nil {
			return err
		}
	}
	if in.pathless {
		if _, err := tx.ExecContext(ctx, "UPDATE files SET missing = 1 WHERE path IS NULL AND NOT missing"); err != nil {
			return fmt.Errorf("mark pathless entries missing: %w", err)
		}
		in.badSets = append(in.badSets, setMissing)
	}
	if in.counters {
		if _, err := tx.ExecContext(ctx, `UPDATE tags SET file_count = (SELECT count(*) FROM file_tags WHERE tag_id = tags.id)
			WHERE file_count != (SELECT count(*) FROM file_tags WHERE tag_id = tags.id)`); err != nil {
			return fmt.Errorf("rebuild tag counts: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE files SET tag_count = (SELECT count(*) FROM file_tags WHERE file_id = files.id)
			WHERE tag_count != (SELECT count(*) FROM file_tags WHERE file_id = files.id)`); err != nil {
			return fmt.Errorf("rebuild file tag counts: %w", err)
		}
	}
	if !in.orphans {
		for _, t := range in.badTags {
			bm, err := bitmapOf(ctx, tx, "SELECT file_id FROM file_tags WHERE tag_id = ?", t)
			if err != nil {
				return err
			}
			if err := tagPostings(t).replace(ctx, tx, bm); err != nil {
				return fmt.Errorf("rebuild postings of tag %d: %w", t, err)
			}
		}
	}
	if in.closure {
		if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO tag_closure(ancestor_id, descendant_id) SELECT id, id FROM tags"); err != nil {
			return fmt.Errorf("rebuild implication closure: %w", err)
		}
		if err := rebuildClosure(ctx, tx); err != nil {
			return err
		}
	}
	for _, t := range in.unnamed {
		if _, err := tx.ExecContext(ctx, "INSERT INTO tag_names(folded, name, tag_id) VALUES(?, ?, ?)", fold(t.name), t.name, t.id); err != nil {
			return fmt.Errorf("name tag %d: %w", t.id, err)
		}
	}
	for _, s := range in.badSets {
		query := "SELECT id FROM files"
		if s == setMissing {
			query += " WHERE missing"
		}
		bm, err := bitmapOf(ctx, tx, query)
		if err != nil {
			return err
		}
		if err := setPostings(s).replace(ctx, tx, bm); err != nil {
			return fmt.Errorf("rebuild the %q set: %w", s, err)
		}
	}
	return nil
}

// rebuildAllTagPostings rewrites every tag's posting list from file_tags.
func rebuildAllTagPostings(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM tag_postings"); err != nil {
		return err
	}
	tags, err := queryIDs(ctx, tx, "SELECT DISTINCT tag_id FROM file_tags")
	if err != nil {
		return err
	}
	for _, t := range tags {
		bm, err := bitmapOf(ctx, tx, "SELECT file_id FROM file_tags WHERE tag_id = ?", t)
		if err != nil {
			return err
		}
		if err := tagPostings(t).update(ctx, tx, bm.ToArray(), nil); err != nil {
			return fmt.Errorf("rebuild postings of tag %d: %w", t, err)
		}
	}
	return nil
}
