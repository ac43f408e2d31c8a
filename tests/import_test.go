package tests

import (
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
	"lukechampine.com/blake3"
)

// foreignSQL makes an SQLite file at path and runs stmt with args.
func foreignSQL(t testing.TB, path, stmt string, args ...any) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(stmt, args...); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

func wantPaths(t *testing.T, h *hoardCLI, query string, want ...string) {
	t.Helper()
	slices.Sort(want)
	if want == nil {
		want = []string{}
	}
	if got := h.find(query); !slices.Equal(got, want) {
		t.Errorf("find %q: got %q, want %q", query, got, want)
	}
}

// TestImportAwtfdbCLI imports a small awtfdb index through `hoard import awtfdb`: tags
// on a hash reach both its paths, an alias, an implication (its implied row is not
// copied), a pool, a missing file, a non-UTF-8 path; a second run changes nothing.
func TestImportAwtfdbCLI(t *testing.T) {
	h := newHoardCLI(t)
	dir := t.TempDir()
	files := map[string]string{"a.jpg": "aaa", "dup1.txt": "dup", "dup2.txt": "dup", "caf\xe9.txt": "latin", "p1.png": "one", "p2.png": "two"}
	for name, body := range files {
		writeFile(t, filepath.Join(dir, name), []byte(body))
	}
	db := filepath.Join(dir, "awtf.db")
	foreignSQL(t, db, `
		CREATE TABLE hashes (id TEXT PRIMARY KEY, hash_data BLOB NOT NULL UNIQUE);
		CREATE TABLE files (file_hash TEXT NOT NULL, local_path TEXT NOT NULL UNIQUE);
		CREATE TABLE tag_cores (core_hash TEXT PRIMARY KEY, core_data BLOB NOT NULL);
		CREATE TABLE tag_names (tag_text TEXT NOT NULL, tag_language TEXT NOT NULL, core_hash TEXT NOT NULL);
		CREATE TABLE tag_sources (type INTEGER, id INTEGER, name TEXT);
		CREATE TABLE tag_files (file_hash TEXT, core_hash TEXT, tag_source_type INTEGER, tag_source_id INTEGER, parent_source_id INTEGER);
		CREATE TABLE tag_implications (rowid INTEGER PRIMARY KEY, child_tag TEXT, parent_tag TEXT);
		CREATE TABLE pools (pool_hash TEXT PRIMARY KEY, pool_core_data BLOB, title TEXT);
		CREATE TABLE pool_entries (file_hash TEXT, pool_hash TEXT, entry_index INTEGER);
		CREATE TABLE library_configuration (key TEXT PRIMARY KEY, value TEXT);
		INSERT INTO tag_cores VALUES ('CAT', x'01'), ('ANIMAL', x'02'), ('DOG', x'03');
		INSERT INTO tag_names VALUES ('cat', 'en', 'CAT'), ('kitty', 'en', 'CAT'), ('animal', 'en', 'ANIMAL'), ('dog', 'en', 'DOG');
		INSERT INTO tag_files VALUES ('HA', 'CAT', 0, 0, NULL), ('HA', 'ANIMAL', 0, 1, NULL), ('HGONE', 'CAT', 0, 0, NULL),
			('HDUP', 'DOG', 0, 0, NULL), ('HCAF', 'DOG', 0, 0, NULL);
		INSERT INTO tag_implications(child_tag, parent_tag) VALUES ('CAT', 'ANIMAL');
		INSERT INTO pools VALUES ('POOL', x'00', 'Comic');
		INSERT INTO pool_entries VALUES ('HP2', 'POOL', 1), ('HP1', 'POOL', 0);`)
	for id, content := range map[string]string{"HA": "aaa", "HDUP": "dup", "HGONE": "gone", "HCAF": "latin", "HP1": "one", "HP2": "two"} {
		sum := blake3.Sum256([]byte(content))
		foreignSQL(t, db, "INSERT INTO hashes VALUES (?, ?)", id, sum[:])
	}
	for name, id := range map[string]string{"a.jpg": "HA", "dup1.txt": "HDUP", "dup2.txt": "HDUP", "gone.txt": "HGONE", "caf\xe9.txt": "HCAF", "p1.png": "HP1", "p2.png": "HP2"} {
		foreignSQL(t, db, "INSERT INTO files VALUES (?, CAST(? AS TEXT))", id, []byte(filepath.Join(dir, name)))
	}
	before := fileSum(t, db)
	out := h.ok("import", "awtfdb", db)
	if !strings.Contains(out, "imported: 6 files, 1 missing files") || !strings.Contains(out, "1 implications") || !strings.Contains(out, "1 pools (2 entries)") {
		t.Errorf("report:\n%s", out)
	}
	if !strings.Contains(out, "skipped: awtfdb tag_files: 1 taggings made by implications") {
		t.Errorf("report does not explain the implied tagging:\n%s", out)
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	wantPaths(t, h, "cat", p("a.jpg"), p("gone.txt"))
	wantPaths(t, h, "kitty", p("a.jpg"), p("gone.txt"))
	wantPaths(t, h, "animal", p("a.jpg"), p("gone.txt"))
	wantPaths(t, h, "dog", p("dup1.txt"), p("dup2.txt"), p("caf\xe9.txt"))
	wantPaths(t, h, "missing", p("gone.txt"))
	wantPaths(t, h, "duplicates", p("dup1.txt"), p("dup2.txt"))
	wantPaths(t, h, "pool:Comic", p("p1.png"), p("p2.png"))
	if got := lines(h.ok("pool", "show", "Comic")); !slices.Equal(got, []string{p("p1.png"), p("p2.png")}) {
		t.Errorf("pool show: %q", got)
	}
	again := h.ok("import", "awtfdb", db)
	if !strings.Contains(again, "nothing changed") || !strings.Contains(again, "imported: 0 files, 0 missing files, 7 already indexed") {
		t.Errorf("second import:\n%s", again)
	}
	if fileSum(t, db) != before {
		t.Error("import wrote to the awtfdb file")
	}

	old := filepath.Join(t.TempDir(), "awtf.db")
	foreignSQL(t, old, "CREATE TABLE hashes_v1 (id INTEGER PRIMARY KEY, hash_data BLOB); CREATE TABLE files_v1 (file_hash INTEGER, local_path TEXT)")
	h.fail(1, []string{"import", "awtfdb", old}, "old integer-id (v1) schema", "upgrade it")
	h.fail(2, []string{"import", "nosuchtool", old}, "unknown tool")
	h.fail(1, []string{"import", "awtfdb", filepath.Join(dir, "a.jpg")}, "not an SQLite file")
}

// TestImportTMSUCLI imports a TMSU database: tag=value, a tagged directory (its files,
// one of which TMSU never saw), an implication, saved queries, a missing file.
func TestImportTMSUCLI(t *testing.T) {
	h := newHoardCLI(t)
	root := t.TempDir()
	for name, body := range map[string]string{"song.mp3": "la", "photos/x.jpg": "x", "photos/new/y.jpg": "y", "caf\xe9.txt": "c"} {
		writeFile(t, filepath.Join(root, name), []byte(body))
	}
	db := filepath.Join(root, ".tmsu", "db")
	foreignSQL(t, db, `
		CREATE TABLE tag (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
		CREATE TABLE file (id INTEGER PRIMARY KEY, directory TEXT NOT NULL, name TEXT NOT NULL, fingerprint TEXT NOT NULL, mod_time DATETIME NOT NULL, size INTEGER NOT NULL, is_dir BOOLEAN NOT NULL, UNIQUE (directory, name));
		CREATE TABLE value (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
		CREATE TABLE file_tag (file_id INTEGER NOT NULL, tag_id INTEGER NOT NULL, value_id INTEGER NOT NULL, PRIMARY KEY (file_id, tag_id, value_id));
		CREATE TABLE implication (tag_id INTEGER NOT NULL, value_id INTEGER NOT NULL, implied_tag_id INTEGER NOT NULL, implied_value_id INTEGER NOT NULL);
		CREATE TABLE query (text TEXT PRIMARY KEY);
		CREATE TABLE setting (name TEXT PRIMARY KEY, value TEXT NOT NULL);
		CREATE TABLE version (major NUMBER NOT NULL, minor NUMBER NOT NULL, patch NUMBER NOT NULL, revision TEXT NOT NULL);
		INSERT INTO version VALUES (0, 7, 5, '');
		INSERT INTO tag VALUES (1, 'year'), (2, 'mp3'), (3, 'music'), (4, 'holiday');
		INSERT INTO value VALUES (1, '2017');
		INSERT INTO file_tag VALUES (1, 1, 1), (1, 2, 0), (2, 4, 0), (4, 3, 0), (5, 3, 0);
		INSERT INTO implication VALUES (2, 0, 3, 0);
		INSERT INTO query VALUES ('year = 2017 and not holiday');`)
	for _, f := range []struct {
		id        int
		dir, name string
		isDir     bool
	}{{1, ".", "song.mp3", false}, {2, root, "photos", true}, {3, "photos", "x.jpg", false}, {4, root, "gone.txt", false}, {5, ".", "caf\xe9.txt", false}} {
		foreignSQL(t, db, "INSERT INTO file VALUES (?, CAST(? AS TEXT), CAST(? AS TEXT), '', '2020-01-01', 0, ?)", f.id, []byte(f.dir), []byte(f.name), f.isDir)
	}
	out := h.ok("import", "tmsu", db)
	if !strings.Contains(out, "imported: 4 files, 1 missing files") || !strings.Contains(out, "1 saved searches") {
		t.Errorf("report:\n%s", out)
	}
	p := func(name string) string { return filepath.Join(root, name) }
	wantPaths(t, h, "year:2017", p("song.mp3"))
	wantPaths(t, h, "music", p("song.mp3"), p("gone.txt"), p("caf\xe9.txt"))
	wantPaths(t, h, "holiday", p("photos/x.jpg"), p("photos/new/y.jpg"))
	wantPaths(t, h, "missing", p("gone.txt"))
	if again := h.ok("import", "tmsu", db); !strings.Contains(again, "nothing changed") {
		t.Errorf("second import:\n%s", again)
	}
	if got := h.ok("searches", "list"); got != "year = 2017 and not holiday\tyear:2017 -holiday\n" {
		t.Errorf("searches list: %q", got)
	}
	wantPaths(t, h, "year:2017 -holiday", p("song.mp3"))
	h.fail(2, []string{"searches", "save", "bad", "(cat"})
}

// TestRulesCLI saves a rule, uses it and built-in rules with `hoard include --rule`,
// and checks what each tag records; bad specs are usage errors.
func TestRulesCLI(t *testing.T) {
	h := newHoardCLI(t)
	root := t.TempDir()
	song := filepath.Join(root, "Music", "Nina Simone", "07 - Sinnerman.mp3")
	if _, err := exec.LookPath("ffmpeg"); err == nil {
		os.MkdirAll(filepath.Dir(song), 0o755)
		out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=duration=0.2",
			"-metadata", "artist=Nina Simone", "-metadata", "date=1965", song).CombinedOutput()
		if err != nil {
			t.Fatalf("ffmpeg: %v\n%s", err, out)
		}
	} else {
		t.Log("ffmpeg not installed: the song has no tags, audio rule checks skipped")
		writeFile(t, song, []byte("not really audio"))
	}
	writeFile(t, filepath.Join(root, "Docs", "plan #work.txt"), []byte("text"))

	h.ok("rules", "save", "singer", "folders:who")
	if got := h.ok("rules", "list"); got != "singer\tfolders:who\n" {
		t.Errorf("rules list: %q", got)
	}
	h.fail(2, []string{"rules", "save", "x", "regex:/(/"}, "missing closing )")
	h.fail(2, []string{"rules", "save", "folders", "mime"}, "is a rule kind")
	h.fail(2, []string{"include", "--rule", "nosuch", root}, "neither a rule kind")
	h.fail(2, []string{"include", "--rule", "folders:depth=0", root}, "depth must be")

	h.ok("include", "--rule", "singer", "--rule", `regex:/#(\w+)/:ns=topic`, "--rule", "mime", "--rule", "audio:fields=artist,year", root)
	wantPaths(t, h, `"who:Nina Simone"`, song)
	wantPaths(t, h, "topic:work kind:document", filepath.Join(root, "Docs", "plan #work.txt"))
	ls := h.ok("ls", song)
	if !strings.Contains(ls, "who:Nina Simone\trule:singer") {
		t.Errorf("ls does not show the saved rule's name:\n%s", ls)
	}
	if _, err := exec.LookPath("ffmpeg"); err == nil {
		wantPaths(t, h, `"artist:Nina Simone" year:1965 kind:audio`, song)
	}
	if got := h.ok("rules", "try", "folders:depth=2:lower", song); got != song+"\tnina simone,music\n" {
		t.Errorf("rules try: %q", got)
	}
	h.ok("rules", "rm", "singer")
	h.fail(1, []string{"rules", "rm", "singer"}, "not in the library")
}
