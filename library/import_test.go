package library

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"lukechampine.com/blake3"
)

// foreignDB creates an SQLite file at path with the given statements.
func foreignDB(t testing.TB, path string, stmts ...string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func execForeign(t testing.TB, path, stmt string, args ...any) {
	t.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(stmt, args...); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

const awtfdbSchema = `
CREATE TABLE hashes (id TEXT PRIMARY KEY, hash_data BLOB NOT NULL UNIQUE);
CREATE TABLE files (file_hash TEXT NOT NULL REFERENCES hashes(id), local_path TEXT NOT NULL UNIQUE);
CREATE TABLE tag_cores (core_hash TEXT PRIMARY KEY REFERENCES hashes(id), core_data BLOB NOT NULL);
CREATE TABLE tag_names (tag_text TEXT NOT NULL, tag_language TEXT NOT NULL, core_hash TEXT NOT NULL REFERENCES tag_cores(core_hash), UNIQUE(tag_text, tag_language));
CREATE TABLE tag_sources (type INTEGER NOT NULL, id INTEGER NOT NULL, name TEXT NOT NULL, PRIMARY KEY (type, id));
CREATE TABLE tag_files (file_hash TEXT NOT NULL, core_hash TEXT NOT NULL, tag_source_type INTEGER NOT NULL DEFAULT 0, tag_source_id INTEGER NOT NULL DEFAULT 0, parent_source_id INTEGER, UNIQUE(file_hash, core_hash));
CREATE TABLE tag_implications (rowid INTEGER PRIMARY KEY, child_tag TEXT NOT NULL, parent_tag TEXT NOT NULL, UNIQUE(child_tag, parent_tag));
CREATE TABLE pools (pool_hash TEXT PRIMARY KEY, pool_core_data BLOB NOT NULL, title TEXT NOT NULL);
CREATE TABLE pool_entries (file_hash TEXT NOT NULL, pool_hash TEXT NOT NULL, entry_index INTEGER NOT NULL, UNIQUE(file_hash, pool_hash));
CREATE TABLE library_configuration (key TEXT PRIMARY KEY, value TEXT);
INSERT INTO tag_sources VALUES (0, 0, 'manual insertion'), (0, 1, 'tag parenting'), (1, 0, 'some peer');
`

// awtfdbFixture builds files on disk and an awtf.db describing them (and one that is
// gone), returning the folder and the database path.
func awtfdbFixture(t testing.TB) (string, string) {
	t.Helper()
	dir := t.TempDir()
	bodies := map[string]string{
		"a.jpg": "aaa", "b.png": "bbb", "dup1.txt": "dup", "dup2.txt": "dup",
		"caf\xe9.txt": "latin-1 name", "p1.png": "page one", "p2.png": "page two",
	}
	for name, body := range bodies {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dbPath := filepath.Join(dir, "awtf.db")
	foreignDB(t, dbPath, awtfdbSchema)
	hash := func(id, content string) {
		sum := blake3.Sum256([]byte(content))
		execForeign(t, dbPath, "INSERT INTO hashes VALUES(?, ?)", id, sum[:])
	}
	for id, content := range map[string]string{
		"H_A": "aaa", "H_B": "bbb", "H_DUP": "dup", "H_GONE": "gone", "H_CAF": "latin-1 name",
		"H_P1": "page one", "H_P2": "page two",
		"C_CAT": "core cat", "C_ANIMAL": "core animal", "C_DOG": "core dog", "C_BAD": "core bad", "C_PEER": "core peer",
		"POOL": "pool",
	} {
		hash(id, content)
	}
	for name, h := range map[string]string{
		"a.jpg": "H_A", "b.png": "H_B", "dup1.txt": "H_DUP", "dup2.txt": "H_DUP", "gone.txt": "H_GONE",
		"caf\xe9.txt": "H_CAF", "p1.png": "H_P1", "p2.png": "H_P2",
	} {
		// Raw bytes, as awtfdb stores what the kernel gave it.
		execForeign(t, dbPath, "INSERT INTO files VALUES(?, CAST(? AS TEXT))", h, []byte(filepath.Join(dir, name)))
	}
	for _, c := range []string{"C_CAT", "C_ANIMAL", "C_DOG", "C_BAD", "C_PEER"} {
		execForeign(t, dbPath, "INSERT INTO tag_cores VALUES(?, x'00')", c)
	}
	for _, n := range [][2]string{{"cat", "C_CAT"}, {"kitty", "C_CAT"}, {"animal", "C_ANIMAL"}, {"dog", "C_DOG"}, {"-bad", "C_BAD"}, {"from peer", "C_PEER"}} {
		execForeign(t, dbPath, "INSERT INTO tag_names VALUES(?, 'en', ?)", n[0], n[1])
	}
	for _, tf := range []struct {
		file, core string
		typ, id    int
	}{
		{"H_A", "C_CAT", 0, 0}, {"H_A", "C_ANIMAL", 0, 1}, {"H_GONE", "C_CAT", 0, 0},
		{"H_DUP", "C_DOG", 0, 0}, {"H_CAF", "C_DOG", 0, 0}, {"H_B", "C_BAD", 0, 0},
		{"H_B", "C_PEER", 1, 0}, {"H_NOPE", "C_DOG", 0, 0},
	} {
		execForeign(t, dbPath, "INSERT INTO tag_files VALUES(?, ?, ?, ?, NULL)", tf.file, tf.core, tf.typ, tf.id)
	}
	execForeign(t, dbPath, "INSERT INTO tag_implications(child_tag, parent_tag) VALUES('C_CAT', 'C_ANIMAL')")
	execForeign(t, dbPath, "INSERT INTO pools VALUES('POOL', x'00', 'My Comic')")
	execForeign(t, dbPath, "INSERT INTO pool_entries VALUES('H_P2', 'POOL', 1), ('H_P1', 'POOL', 0)")
	return dir, dbPath
}

func fileSum(t testing.TB, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return blake3.Sum256(b)
}

func checkQueries(t *testing.T, l *Library, want map[string][]string) {
	t.Helper()
	for q, w := range want {
		got := findPaths(t, l, q)
		slices.Sort(got)
		slices.Sort(w)
		if !slices.Equal(got, w) {
			t.Errorf("query %q: got %q, want %q", q, got, w)
		}
	}
}

func TestImportAwtfdb(t *testing.T) {
	ctx := context.Background()
	dir, dbPath := awtfdbFixture(t)
	execForeign(t, dbPath, "INSERT INTO files VALUES('H_B', '/proc/self/status')") // never hashed
	before := fileSum(t, dbPath)
	l := openTest(t)
	res, err := l.ImportAwtfdb(ctx, dbPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != 7 || res.Missing != 1 || res.Existing != 0 || res.Implications != 1 || res.Pools != 1 || res.PoolEntries != 2 || res.Aliases != 1 {
		t.Errorf("result %+v", res)
	}
	checkQueries(t, l, map[string][]string{
		"cat":         {"a.jpg", "gone.txt"},
		"kitty":       {"a.jpg", "gone.txt"},
		"animal":      {"a.jpg", "gone.txt"},
		"dog":         {"caf\xe9.txt", "dup1.txt", "dup2.txt"},
		`"from peer"`: {"b.png"},
		"missing":     {"gone.txt"},
		"-missing":    {"a.jpg", "b.png", "caf\xe9.txt", "dup1.txt", "dup2.txt", "p1.png", "p2.png"},
		"duplicates":  {"dup1.txt", "dup2.txt"},
		"tags=0":      {"p1.png", "p2.png"},
	})
	// The implied row is an implication now, not a tagging of its own.
	a, err := l.FileByPath(ctx, filepath.Join(dir, "a.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	tags, err := l.FileTags(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(tags) != 2 || tags[0].Name != "cat" || tags[0].Source != SourceImport || tags[0].Rule != "awtfdb" || tags[1].Name != "animal" || !tags[1].Implied {
		t.Errorf("tags of a.jpg: %+v", tags)
	}
	gone, err := l.FileByPath(ctx, filepath.Join(dir, "gone.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if sum := blake3.Sum256([]byte("gone")); !gone.Missing || !bytes.Equal(gone.Hash, sum[:]) {
		t.Errorf("gone.txt: missing %v hash %x; want missing with awtfdb's hash", gone.Missing, gone.Hash)
	}
	pool, err := l.PoolFiles(ctx, "My Comic")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := l.FilesByIDs(ctx, pool)
	if len(files) != 2 || files[0].Name() != "p1.png" || files[1].Name() != "p2.png" {
		t.Errorf("pool: %v", files)
	}
	var reasons []string
	for _, s := range res.Skipped {
		reasons = append(reasons, s.Path+": "+s.Reason)
	}
	if len(res.Skipped) != 4 || !slices.Contains(reasons, "/proc/self/status: under /proc, /sys or /dev, which hold no user files") {
		t.Errorf("skipped: want the bad tag name, the implied taggings, the unknown hash and /proc, got %q", reasons)
	}

	gen, _ := l.DataVersion(ctx)
	again, err := l.ImportAwtfdb(ctx, dbPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Changed() || again.Existing != 8 {
		t.Errorf("second import changed something: %+v", again)
	}
	if gen2, _ := l.DataVersion(ctx); gen2 != gen {
		t.Errorf("second import bumped the generation %d → %d", gen, gen2)
	}
	if fileSum(t, dbPath) != before {
		t.Error("the awtfdb file changed")
	}
}

func TestImportAwtfdbRefusesV1(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "awtf.db")
	foreignDB(t, dbPath,
		"CREATE TABLE hashes_v1 (id INTEGER PRIMARY KEY, hash_data BLOB)",
		"CREATE TABLE files_v1 (file_hash INTEGER, local_path TEXT)")
	l := openTest(t)
	_, err := l.ImportAwtfdb(context.Background(), dbPath, nil)
	if !errors.Is(err, ErrOldAwtfdb) {
		t.Fatalf("got %v, want ErrOldAwtfdb", err)
	}
	intIDs := filepath.Join(t.TempDir(), "awtf.db")
	foreignDB(t, intIDs, `CREATE TABLE hashes (id INTEGER PRIMARY KEY, hash_data BLOB);
		CREATE TABLE files (file_hash INTEGER, local_path TEXT); CREATE TABLE tag_cores (core_hash INTEGER);
		CREATE TABLE tag_names (tag_text TEXT, core_hash INTEGER); CREATE TABLE tag_files (file_hash INTEGER, core_hash INTEGER)`)
	if _, err := l.ImportAwtfdb(context.Background(), intIDs, nil); !errors.Is(err, ErrOldAwtfdb) {
		t.Fatalf("integer ids: got %v, want ErrOldAwtfdb", err)
	}
	notDB := filepath.Join(t.TempDir(), "awtf.db")
	os.WriteFile(notDB, []byte("hello"), 0o644)
	if _, err := l.ImportAwtfdb(context.Background(), notDB, nil); err == nil {
		t.Fatal("a text file imported")
	}
}

const tmsuSchema = `
CREATE TABLE tag (id INTEGER PRIMARY KEY, name TEXT NOT NULL, CONSTRAINT con_tag_name UNIQUE (name));
CREATE TABLE file (id INTEGER PRIMARY KEY, directory TEXT NOT NULL, name TEXT NOT NULL, fingerprint TEXT NOT NULL, mod_time DATETIME NOT NULL, size INTEGER NOT NULL, is_dir BOOLEAN NOT NULL, CONSTRAINT con_file_path UNIQUE (directory, name));
CREATE TABLE value (id INTEGER PRIMARY KEY, name TEXT NOT NULL, CONSTRAINT con_value_name UNIQUE (name));
CREATE TABLE file_tag (file_id INTEGER NOT NULL, tag_id INTEGER NOT NULL, value_id INTEGER NOT NULL, PRIMARY KEY (file_id, tag_id, value_id));
CREATE TABLE implication (tag_id INTEGER NOT NULL, value_id INTEGER NOT NULL, implied_tag_id INTEGER NOT NULL, implied_value_id INTEGER NOT NULL, PRIMARY KEY (tag_id, value_id, implied_tag_id, implied_value_id));
CREATE TABLE query (text TEXT PRIMARY KEY);
CREATE TABLE setting (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE version (major NUMBER NOT NULL, minor NUMBER NOT NULL, patch NUMBER NOT NULL, revision TEXT NOT NULL, PRIMARY KEY (major, minor, patch));
INSERT INTO version VALUES (0, 7, 5, '');
`

// tmsuFixture builds a folder with .tmsu/db: relative and absolute paths, a tagged
// directory with a file TMSU never saw, a tag=value, an implication, a missing file,
// a non-UTF-8 name and duplicates.
func tmsuFixture(t testing.TB) (string, string) {
	t.Helper()
	root := t.TempDir()
	for name, body := range map[string]string{
		"song.mp3": "la la", "photos/x.jpg": "x", "photos/deep/y.jpg": "y",
		"caf\xe9.txt": "latin-1", "d1.txt": "same", "d2.txt": "same",
	} {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dbPath := filepath.Join(root, ".tmsu", "db")
	foreignDB(t, dbPath, tmsuSchema)
	files := []struct {
		id        int
		dir, name string
		isDir     bool
	}{
		{1, ".", "song.mp3", false},
		{2, root, "photos", true},
		{3, "photos", "x.jpg", false},
		{4, root, "gone.txt", false},
		{5, ".", "caf\xe9.txt", false},
		{6, ".", "d1.txt", false},
		{7, ".", "d2.txt", false},
	}
	for _, f := range files {
		execForeign(t, dbPath, "INSERT INTO file VALUES(?, CAST(? AS TEXT), CAST(? AS TEXT), '', '2020-01-01', 0, ?)", f.id, []byte(f.dir), []byte(f.name), f.isDir)
	}
	execForeign(t, dbPath, "INSERT INTO tag VALUES(1, 'year'), (2, 'mp3'), (3, 'music'), (4, 'holiday'), (5, 'same')")
	execForeign(t, dbPath, "INSERT INTO value VALUES(1, '2017')")
	execForeign(t, dbPath, `INSERT INTO file_tag VALUES(1, 1, 1), (1, 2, 0), (2, 4, 0), (4, 3, 0), (5, 3, 0), (6, 5, 0), (7, 5, 0), (99, 1, 0)`)
	execForeign(t, dbPath, "INSERT INTO implication VALUES(2, 0, 3, 0)")
	execForeign(t, dbPath, "INSERT INTO query VALUES('year = 2017 and not holiday'), ('year > 2000')")
	return root, dbPath
}

func TestImportTMSU(t *testing.T) {
	ctx := context.Background()
	_, dbPath := tmsuFixture(t)
	before := fileSum(t, dbPath)
	l := openTest(t)
	res, err := l.ImportTMSU(ctx, dbPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != 6 || res.Missing != 1 || res.Implications != 1 || res.Searches != 2 || len(res.Skipped) != 2 {
		t.Errorf("result %+v", res)
	}
	checkQueries(t, l, map[string][]string{
		"year:2017":  {"song.mp3"},
		"year:*":     {"song.mp3"},
		"mp3":        {"song.mp3"},
		"music":      {"caf\xe9.txt", "gone.txt", "song.mp3"},
		"holiday":    {"x.jpg", "y.jpg"},
		"missing":    {"gone.txt"},
		"same":       {"d1.txt", "d2.txt"},
		"duplicates": {"d1.txt", "d2.txt"},
	})
	searches, err := l.SavedSearches(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []SavedSearch{{"year = 2017 and not holiday", "year:2017 -holiday"}, {"year > 2000", "year > 2000"}}
	if !slices.Equal(searches, want) {
		t.Errorf("saved searches %q, want %q", searches, want)
	}
	gen, _ := l.DataVersion(ctx)
	again, err := l.ImportTMSU(ctx, dbPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Changed() {
		t.Errorf("second import changed something: %+v", again)
	}
	if gen2, _ := l.DataVersion(ctx); gen2 != gen {
		t.Errorf("second import bumped the generation %d → %d", gen, gen2)
	}
	if fileSum(t, dbPath) != before {
		t.Error("the TMSU file changed")
	}
}

func TestTranslateTMSUQuery(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"a b", "a b"},
		{"a and b or c", "a b | c"},
		{"not (a or b)", "-(a | b)"},
		{"year=2017", "year:2017"},
		{"year == 2017 and not big", "year:2017 -big"},
	} {
		got, err := translateTMSUQuery(c.in)
		if err != nil || got != c.want {
			t.Errorf("%q: got %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	if _, err := translateTMSUQuery("year < 2000"); err == nil {
		t.Error("year < 2000 translated")
	}
}
