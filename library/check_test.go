package library

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// checkFixture is a library over one folder of files, all tagged "kept".
type checkFixture struct {
	l   *Library
	dir string
}

func newCheckFixture(t *testing.T, files map[string]string) *checkFixture {
	t.Helper()
	l := openTest(t)
	dir := t.TempDir()
	writeFiles(t, dir, files)
	if _, err := l.Include(context.Background(), []string{dir}, IncludeOptions{Tags: []string{"kept"}}, nil); err != nil {
		t.Fatal(err)
	}
	return &checkFixture{l: l, dir: dir}
}

func (fx *checkFixture) path(name string) string { return filepath.Join(fx.dir, name) }

func (fx *checkFixture) check(t *testing.T, opts CheckOptions) *CheckReport {
	t.Helper()
	rep, err := fx.l.Check(context.Background(), opts, nil)
	if err != nil {
		t.Fatalf("check %+v: %v", opts, err)
	}
	return rep
}

// entry returns the entry of file name as indexed (by the id it had at include).
func (fx *checkFixture) id(t *testing.T, name string) int64 {
	t.Helper()
	f, err := fx.l.FileByPath(context.Background(), fx.path(name))
	if err != nil {
		t.Fatalf("entry of %s: %v", name, err)
	}
	return f.ID
}

func (fx *checkFixture) file(t *testing.T, id int64) File {
	t.Helper()
	f, err := fx.l.FileByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// assertKept checks that an entry still has its tag after a repair.
func (fx *checkFixture) assertKept(t *testing.T, id int64) {
	t.Helper()
	tags, err := fx.l.FileTags(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(tags) != 1 || tags[0].Name != "kept" {
		t.Errorf("entry %d lost its tags: %+v", id, tags)
	}
}

// summary renders the problem findings as "kind path[ → new]" lines, relative to dir.
func summary(rep *CheckReport, dir string) []string {
	var out []string
	rel := func(p string) string { return strings.TrimPrefix(p, dir+"/") }
	for _, f := range rep.Findings {
		if f.Kind == KindIntegrity {
			out = append(out, "integrity")
			continue
		}
		s := string(f.Kind) + " " + rel(f.Path)
		if f.NewPath != "" && f.Kind != KindUnsure {
			s += " → " + rel(f.NewPath)
		}
		if f.Kind == KindAmbiguous || f.Kind == KindDuplicate {
			var ps []string
			for _, p := range f.Paths {
				ps = append(ps, rel(p))
			}
			s += " [" + strings.Join(ps, " ") + "]"
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func mustRename(t *testing.T, a, b string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(b), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(a, b); err != nil {
		t.Fatal(err)
	}
}

func appendTo(t *testing.T, p, s string) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCheckScenarios(t *testing.T) {
	files := map[string]string{
		"a.txt":     "alpha",
		"b.txt":     "bravo!",
		"sub/c.txt": "charlie",
		"sub/d.txt": "delta..",
	}
	tests := []struct {
		name   string
		files  map[string]string // instead of files
		change func(t *testing.T, fx *checkFixture)
		want   []string // summary lines of the plain check
		after  func(t *testing.T, fx *checkFixture, ids map[string]int64)
		left   int // problems a repair cannot solve
	}{
		{
			name: "unchanged",
			want: nil,
		},
		{
			name:   "renamed",
			change: func(t *testing.T, fx *checkFixture) { mustRename(t, fx.path("a.txt"), fx.path("a2.txt")) },
			want:   []string{"moved a.txt → a2.txt"},
			after: func(t *testing.T, fx *checkFixture, ids map[string]int64) {
				if f := fx.file(t, ids["a.txt"]); f.Path != fx.path("a2.txt") || f.Missing {
					t.Errorf("entry: %+v", f)
				}
			},
		},
		{
			name:   "moved to another folder",
			change: func(t *testing.T, fx *checkFixture) { mustRename(t, fx.path("a.txt"), fx.path("other/a.txt")) },
			want:   []string{"moved a.txt → other/a.txt"},
			after: func(t *testing.T, fx *checkFixture, ids map[string]int64) {
				if f := fx.file(t, ids["a.txt"]); f.Path != fx.path("other/a.txt") {
					t.Errorf("entry: %+v", f)
				}
			},
		},
		{
			name:   "folder renamed",
			change: func(t *testing.T, fx *checkFixture) { mustRename(t, fx.path("sub"), fx.path("sub2")) },
			want:   []string{"moved sub/c.txt → sub2/c.txt", "moved sub/d.txt → sub2/d.txt"},
			after: func(t *testing.T, fx *checkFixture, ids map[string]int64) {
				if f := fx.file(t, ids["sub/d.txt"]); f.Path != fx.path("sub2/d.txt") {
					t.Errorf("entry: %+v", f)
				}
			},
		},
		{
			name: "moved then edited",
			change: func(t *testing.T, fx *checkFixture) {
				mustRename(t, fx.path("a.txt"), fx.path("z.txt"))
				appendTo(t, fx.path("z.txt"), " and more")
			},
			want: []string{"moved-modified a.txt → z.txt"},
			after: func(t *testing.T, fx *checkFixture, ids map[string]int64) {
				f := fx.file(t, ids["a.txt"])
				facts, err := ReadFacts(context.Background(), fx.path("z.txt"))
				if err != nil {
					t.Fatal(err)
				}
				if f.Path != fx.path("z.txt") || string(f.Hash) != string(facts.Hash) || f.Size != int64(len("alpha and more")) {
					t.Errorf("entry not relinked and re-hashed: %+v", f)
				}
			},
		},
		{
			name:   "edited in place",
			change: func(t *testing.T, fx *checkFixture) { appendTo(t, fx.path("b.txt"), "!!") },
			want:   []string{"modified b.txt"},
			after: func(t *testing.T, fx *checkFixture, ids map[string]int64) {
				if f := fx.file(t, ids["b.txt"]); f.Size != 8 {
					t.Errorf("not re-hashed: %+v", f)
				}
			},
		},
		{
			name: "atomic save",
			change: func(t *testing.T, fx *checkFixture) {
				if err := os.WriteFile(fx.path("b.tmp"), []byte("bravo, saved"), 0o644); err != nil {
					t.Fatal(err)
				}
				mustRename(t, fx.path("b.tmp"), fx.path("b.txt"))
			},
			want: []string{"modified b.txt"},
			after: func(t *testing.T, fx *checkFixture, ids map[string]int64) {
				if f := fx.file(t, ids["b.txt"]); f.Size != 12 || f.Path != fx.path("b.txt") {
					t.Errorf("not re-hashed: %+v", f)
				}
			},
		},
		{
			name:   "touched",
			change: func(t *testing.T, fx *checkFixture) { touch(t, fx.path("b.txt"), time.Now().Add(time.Hour)) },
			want:   []string{"stale b.txt"},
		},
		{
			name:   "deleted",
			change: func(t *testing.T, fx *checkFixture) { os.Remove(fx.path("a.txt")) },
			want:   []string{"missing a.txt"},
			after: func(t *testing.T, fx *checkFixture, ids map[string]int64) {
				if f := fx.file(t, ids["a.txt"]); !f.Missing || f.Path != fx.path("a.txt") {
					t.Errorf("entry: %+v", f)
				}
				if got := findPaths(t, fx.l, "missing"); !slices.Equal(got, []string{"a.txt"}) {
					t.Errorf("missing set: %v", got)
				}
			},
		},
		{
			name:  "renamed duplicates",
			files: map[string]string{"x1.txt": "same", "x2.txt": "same"},
			change: func(t *testing.T, fx *checkFixture) {
				mustRename(t, fx.path("x1.txt"), fx.path("y2.txt"))
				mustRename(t, fx.path("x2.txt"), fx.path("y1.txt"))
			},
			want: []string{"duplicate y1.txt [y1.txt y2.txt]", "moved x1.txt → y2.txt", "moved x2.txt → y1.txt"},
			after: func(t *testing.T, fx *checkFixture, ids map[string]int64) {
				if f := fx.file(t, ids["x1.txt"]); f.Path != fx.path("y2.txt") {
					t.Errorf("x1 went to %s, not y2 (its inode)", f.Path)
				}
			},
		},
		{
			name:  "two identical candidates",
			files: map[string]string{"x.txt": "twin"},
			change: func(t *testing.T, fx *checkFixture) {
				writeFiles(t, fx.dir, map[string]string{"copy1.txt": "twin", "copy2.txt": "twin"})
				os.Remove(fx.path("x.txt"))
			},
			want: []string{"ambiguous x.txt [copy1.txt copy2.txt]", "missing x.txt"},
			left: 1,
			after: func(t *testing.T, fx *checkFixture, ids map[string]int64) {
				if f := fx.file(t, ids["x.txt"]); f.Path != fx.path("x.txt") || !f.Missing {
					t.Errorf("guessed: %+v", f)
				}
			},
		},
		{
			name:  "copied elsewhere then deleted",
			files: map[string]string{"x.txt": "travels"},
			change: func(t *testing.T, fx *checkFixture) {
				writeFiles(t, fx.dir, map[string]string{"far/x.txt": "travels"}) // a new inode, as a copy makes
				os.Remove(fx.path("x.txt"))
			},
			want: []string{"moved x.txt → far/x.txt"},
		},
		{
			name:  "moved over another indexed file",
			files: map[string]string{"x.txt": "x", "y.txt": "yy"},
			change: func(t *testing.T, fx *checkFixture) {
				mustRename(t, fx.path("x.txt"), fx.path("y.txt"))
			},
			want: []string{"missing y.txt", "moved x.txt → y.txt"},
			after: func(t *testing.T, fx *checkFixture, ids map[string]int64) {
				if f := fx.file(t, ids["y.txt"]); !f.Missing || f.Path != fx.path("y.txt") {
					t.Errorf("overwritten entry: %+v", f)
				}
				if f := fx.file(t, ids["x.txt"]); f.Missing || f.Path != fx.path("y.txt") {
					t.Errorf("mover: %+v", f)
				}
			},
		},
		{
			name:  "swapped",
			files: map[string]string{"x.txt": "x", "y.txt": "yy"},
			change: func(t *testing.T, fx *checkFixture) {
				mustRename(t, fx.path("x.txt"), fx.path("t.txt"))
				mustRename(t, fx.path("y.txt"), fx.path("x.txt"))
				mustRename(t, fx.path("t.txt"), fx.path("y.txt"))
			},
			want: []string{"moved x.txt → y.txt", "moved y.txt → x.txt"},
			after: func(t *testing.T, fx *checkFixture, ids map[string]int64) {
				if f := fx.file(t, ids["x.txt"]); f.Path != fx.path("y.txt") || f.Missing {
					t.Errorf("x: %+v", f)
				}
			},
		},
		{
			name:  "names that are not UTF-8 or hold a newline",
			files: map[string]string{"\xff\xfe.bin": "bytes", "new\nline.txt": "odd"},
			change: func(t *testing.T, fx *checkFixture) {
				mustRename(t, fx.path("\xff\xfe.bin"), fx.path("\xfe\xff.bin"))
				mustRename(t, fx.path("new\nline.txt"), fx.path("d/new\nline.txt"))
			},
			want: []string{"moved new\nline.txt → d/new\nline.txt", "moved \xff\xfe.bin → \xfe\xff.bin"},
			after: func(t *testing.T, fx *checkFixture, ids map[string]int64) {
				if f := fx.file(t, ids["\xff\xfe.bin"]); f.Path != fx.path("\xfe\xff.bin") {
					t.Errorf("entry: %q", f.Path)
				}
			},
		},
		{
			name:   "new file",
			change: func(t *testing.T, fx *checkFixture) { writeFiles(t, fx.dir, map[string]string{"sub/new.txt": "fresh"}) },
			want:   []string{"new sub/new.txt"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := files
			if tc.files != nil {
				in = tc.files
			}
			fx := newCheckFixture(t, in)
			ids := map[string]int64{}
			for name := range in {
				ids[name] = fx.id(t, name)
			}
			if tc.change != nil {
				tc.change(t, fx)
			}
			gen0, _ := fx.l.DataVersion(context.Background())
			rep := fx.check(t, CheckOptions{})
			if got := summary(rep, fx.dir); !slices.Equal(got, tc.want) {
				t.Fatalf("findings:\n got %q\nwant %q", got, tc.want)
			}
			if gen1, _ := fx.l.DataVersion(context.Background()); gen1 != gen0 {
				t.Fatalf("a plain check changed the library (generation %d → %d)", gen0, gen1)
			}
			rep = fx.check(t, CheckOptions{Repair: true})
			if rep.Repairable() != 0 {
				t.Errorf("repairable findings left after repair: %+v", rep.Findings)
			}
			for _, id := range ids {
				fx.assertKept(t, id)
			}
			if tc.after != nil {
				tc.after(t, fx, ids)
			}
			// After a repair, a check finds only what cannot be repaired.
			again := fx.check(t, CheckOptions{})
			for _, f := range again.Findings {
				if f.Repairable {
					t.Errorf("still repairable after repair: %+v", f)
				}
			}
			if n := again.Problems(); n != tc.left {
				t.Errorf("%d problems after repair, want %d: %v", n, tc.left, summary(again, fx.dir))
			}
			if again.Entries != len(in) {
				t.Errorf("entries: %d, want %d", again.Entries, len(in))
			}
		})
	}
}

func touch(t *testing.T, p string, at time.Time) {
	t.Helper()
	if err := os.Chtimes(p, at, at); err != nil {
		t.Fatal(err)
	}
}

func TestCheckFastPathReadsNothing(t *testing.T) {
	files := map[string]string{}
	for i := range 50 {
		files[fmt.Sprintf("d%d/f%d.txt", i%5, i)] = fmt.Sprint("content ", i)
	}
	fx := newCheckFixture(t, files)
	rep := fx.check(t, CheckOptions{})
	if rep.HashedFiles != 0 || rep.HashedBytes != 0 {
		t.Errorf("fast path read %d files", rep.HashedFiles)
	}
	if rep.OK != 50 || rep.Entries != 50 || rep.Files != 50 || rep.Problems() != 0 {
		t.Errorf("report: %+v", rep)
	}
	rep = fx.check(t, CheckOptions{Full: true})
	if rep.HashedFiles != 50 || rep.OK != 50 {
		t.Errorf("full check: %+v", rep)
	}
}

func TestCheckFullFindsSilentEdit(t *testing.T) {
	fx := newCheckFixture(t, map[string]string{"a.txt": "alpha"})
	st, err := os.Stat(fx.path("a.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fx.path("a.txt"), []byte("ALPHA"), 0o644); err != nil {
		t.Fatal(err)
	}
	touch(t, fx.path("a.txt"), st.ModTime())
	if got := summary(fx.check(t, CheckOptions{}), fx.dir); len(got) != 0 {
		t.Errorf("fast check saw the same-size, same-mtime edit: %v", got)
	}
	if got := summary(fx.check(t, CheckOptions{Full: true}), fx.dir); !slices.Equal(got, []string{"modified a.txt"}) {
		t.Errorf("full check: %v", got)
	}
}

func TestCheckFoundAgain(t *testing.T) {
	fx := newCheckFixture(t, map[string]string{"a.txt": "alpha"})
	id := fx.id(t, "a.txt")
	os.Remove(fx.path("a.txt"))
	fx.check(t, CheckOptions{Repair: true})
	if !fx.file(t, id).Missing {
		t.Fatal("not marked missing")
	}
	if got := summary(fx.check(t, CheckOptions{}), fx.dir); !slices.Equal(got, []string{"still-missing a.txt"}) {
		t.Errorf("still missing: %v", got)
	}
	writeFiles(t, fx.dir, map[string]string{"a.txt": "alpha back"})
	if got := summary(fx.check(t, CheckOptions{}), fx.dir); !slices.Equal(got, []string{"found a.txt"}) {
		t.Fatalf("back: %v", got)
	}
	fx.check(t, CheckOptions{Repair: true})
	if f := fx.file(t, id); f.Missing || f.Size != 10 {
		t.Errorf("entry: %+v", f)
	}
	if got := findPaths(t, fx.l, "missing"); len(got) != 0 {
		t.Errorf("missing set: %v", got)
	}
	fx.assertKept(t, id)
}

// A missing entry whose file comes back under another name is relinked by content.
func TestCheckMissingRelinkedByContent(t *testing.T) {
	fx := newCheckFixture(t, map[string]string{"a.txt": "alpha"})
	id := fx.id(t, "a.txt")
	os.Remove(fx.path("a.txt"))
	fx.check(t, CheckOptions{Repair: true})
	writeFiles(t, fx.dir, map[string]string{"restored/a.txt": "alpha"})
	if got := summary(fx.check(t, CheckOptions{Repair: true}), fx.dir); !slices.Equal(got, []string{"moved a.txt → restored/a.txt"}) {
		t.Fatalf("findings: %v", got)
	}
	if f := fx.file(t, id); f.Missing || f.Path != fx.path("restored/a.txt") {
		t.Errorf("entry: %+v", f)
	}
}

func TestCheckInodeReused(t *testing.T) {
	fx := newCheckFixture(t, map[string]string{"a.txt": "alpha"})
	id := fx.id(t, "a.txt")
	old := fx.file(t, id)
	os.Remove(fx.path("a.txt"))
	reused := ""
	for i := range 200 {
		p := fx.path(fmt.Sprintf("n%03d.txt", i))
		writeFiles(t, fx.dir, map[string]string{filepath.Base(p): "another file"})
		st, _, err := statFacts(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Inode == old.Inode {
			reused = p
			break
		}
		// Keep the others so the next create cannot take their inodes.
	}
	if reused == "" {
		t.Skip("the filesystem did not reuse the inode number within 200 creates")
	}
	if old.Btime == 0 {
		t.Skip("no birth time on this filesystem; see TestCheckNoBirthTime")
	}
	rep := fx.check(t, CheckOptions{})
	for _, f := range rep.Findings {
		if f.ID == id && f.Kind != KindMissing {
			t.Errorf("the entry was matched to the file that reused its inode: %+v", f)
		}
	}
	if got := summary(rep, fx.dir); !slices.Contains(got, "missing a.txt") || !slices.Contains(got, "new "+filepath.Base(reused)) {
		t.Errorf("findings: %v", got)
	}
}

// Where the filesystem gives no birth time (simulated by clearing the recorded one), an
// inode match with the same content is relinked, one with other content is reported.
func TestCheckNoBirthTime(t *testing.T) {
	ctx := context.Background()
	fx := newCheckFixture(t, map[string]string{"a.txt": "alpha", "b.txt": "bravo"})
	if _, err := fx.l.db.ExecContext(ctx, "UPDATE files SET btime_ns = 0"); err != nil {
		t.Fatal(err)
	}
	mustRename(t, fx.path("a.txt"), fx.path("a2.txt"))
	mustRename(t, fx.path("b.txt"), fx.path("b2.txt"))
	appendTo(t, fx.path("b2.txt"), " changed")
	got := summary(fx.check(t, CheckOptions{}), fx.dir)
	want := []string{"missing b.txt", "moved a.txt → a2.txt", "unsure b.txt"}
	if !slices.Equal(got, want) {
		t.Fatalf("findings:\n got %q\nwant %q", got, want)
	}
	fx.check(t, CheckOptions{Repair: true})
	b, err := fx.l.FileByPath(ctx, fx.path("b.txt"))
	if err != nil || !b.Missing {
		t.Errorf("b must stay at its path, missing: %+v %v", b, err)
	}
}

func TestCheckScope(t *testing.T) {
	fx := newCheckFixture(t, map[string]string{"in/a.txt": "alpha", "out/b.txt": "bravo", "out/c.txt": "charlie"})
	os.Remove(fx.path("out/b.txt"))
	mustRename(t, fx.path("out/c.txt"), fx.path("in/c.txt"))
	got := summary(fx.check(t, CheckOptions{Paths: []string{fx.path("in")}}), fx.dir)
	if want := []string{"moved out/c.txt → in/c.txt"}; !slices.Equal(got, want) {
		t.Errorf("findings in scope:\n got %q\nwant %q", got, want)
	}
}

func TestCheckIntegrity(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		breakSQL string
	}{
		{"posting list row deleted", "DELETE FROM tag_postings"},
		{"tag count wrong", "UPDATE tags SET file_count = 99"},
		{"file tag count wrong", "UPDATE files SET tag_count = 7"},
		{"all set emptied", "DELETE FROM set_postings WHERE name = 'all'"},
		{"missing set wrong", "INSERT INTO set_postings(name, chunk, bits) SELECT 'missing', chunk, bits FROM set_postings WHERE name = 'all'"},
		{"orphaned tagging", "INSERT INTO file_tags(file_id, tag_id, added_ns) VALUES(9999, (SELECT id FROM tags LIMIT 1), 0)"},
		{"orphaned pool entry", "INSERT INTO pool_entries(pool_id, position, file_id) VALUES(42, 0, 1)"},
		{"implication closure pair lost", "DELETE FROM tag_closure"},
		{"implication closure pair too many", `INSERT INTO tags(id, name, created_ns) VALUES(500, 'animal', 0);
			INSERT INTO tag_names(folded, name, tag_id) VALUES('animal', 'animal', 500);
			INSERT INTO tag_closure(ancestor_id, descendant_id) VALUES(500, 500), (500, (SELECT min(id) FROM tags))`},
		{"tag without a name", "DELETE FROM tag_names WHERE tag_id = (SELECT min(id) FROM tags)"},
		{"pathless present entry", "UPDATE files SET lost_path = path, path = NULL WHERE id = (SELECT min(id) FROM files)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fx := newCheckFixture(t, map[string]string{"a.txt": "alpha", "b.txt": "bravo"})
			conn, err := fx.l.db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
				t.Fatal(err)
			}
			if _, err := conn.ExecContext(ctx, tc.breakSQL); err != nil {
				t.Fatal(err)
			}
			conn.ExecContext(ctx, "PRAGMA foreign_keys = ON")
			conn.Close()
			rep := fx.check(t, CheckOptions{})
			n := rep.Counts()[KindIntegrity]
			if n == 0 {
				t.Fatalf("not found: %+v", rep.Findings)
			}
			rep = fx.check(t, CheckOptions{Repair: true})
			if rep.Repairable() != 0 {
				t.Errorf("left: %+v", rep.Findings)
			}
			rep = fx.check(t, CheckOptions{})
			if n := rep.Counts()[KindIntegrity]; n != 0 {
				t.Errorf("still %d integrity findings after repair: %+v", n, rep.Findings)
			}
			if got := findPaths(t, fx.l, "kept"); len(got) != 2 {
				t.Errorf("search by tag after repair: %v", got)
			}
		})
	}
}

func TestCheckCancel(t *testing.T) {
	fx := newCheckFixture(t, map[string]string{"a.txt": "alpha"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := fx.l.Check(ctx, CheckOptions{}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestCheckRefusesWhenChangedMeanwhile(t *testing.T) {
	fx := newCheckFixture(t, map[string]string{"a.txt": "alpha"})
	os.Remove(fx.path("a.txt"))
	prog := &hookProgress{at: "repairing", fn: func() {
		if _, err := fx.l.TagFiles(context.Background(), []int64{1}, []string{"late"}, TagOptions{Create: true}); err != nil {
			t.Error(err)
		}
	}}
	_, err := fx.l.Check(context.Background(), CheckOptions{Repair: true}, prog)
	if !errors.Is(err, ErrChangedDuringCheck) {
		t.Fatalf("err = %v", err)
	}
	if f := fx.file(t, 1); f.Missing {
		t.Error("repaired anyway")
	}
}

// hookProgress runs fn when a phase begins.
type hookProgress struct {
	NoProgress
	at string
	fn func()
}

func (h *hookProgress) Begin(phase string, _ int64) {
	if phase == h.at {
		h.fn()
	}
}

// An entry left alone (here: unsure) whose path another entry's file takes must give
// the path up, or the repair would break the unique path index.
func TestCheckLeftAloneEntryGivesUpItsPath(t *testing.T) {
	ctx := context.Background()
	fx := newCheckFixture(t, map[string]string{"x.txt": "x content", "z.txt": "zed"})
	x, z := fx.id(t, "x.txt"), fx.id(t, "z.txt")
	if _, err := fx.l.db.ExecContext(ctx, "UPDATE files SET btime_ns = 0 WHERE id = ?", x); err != nil {
		t.Fatal(err)
	}
	mustRename(t, fx.path("x.txt"), fx.path("x2.txt"))
	appendTo(t, fx.path("x2.txt"), " edited")                // x: unsure
	writeFiles(t, fx.dir, map[string]string{"x.txt": "zed"}) // z's content at x's path
	os.Remove(fx.path("z.txt"))                              // z: relinked by content
	got := summary(fx.check(t, CheckOptions{Repair: true}), fx.dir)
	want := []string{"missing x.txt", "moved z.txt → x.txt", "unsure x.txt"}
	if !slices.Equal(got, want) {
		t.Fatalf("findings:\n got %q\nwant %q", got, want)
	}
	if f := fx.file(t, z); f.Path != fx.path("x.txt") || f.Missing {
		t.Errorf("z: %+v", f)
	}
	if f := fx.file(t, x); !f.Missing {
		t.Errorf("x: %+v", f)
	}
}

// A root folder renamed while Hoard was not watching: checked under its new name, the
// entries move there and the new folder becomes a root.
func TestCheckRootRenamed(t *testing.T) {
	ctx := context.Background()
	fx := &checkFixture{l: openTest(t), dir: t.TempDir()}
	writeFiles(t, fx.dir, map[string]string{"photos/a.jpg": "a", "photos/sub/b.jpg": "bb"})
	if _, err := fx.l.Include(ctx, []string{fx.path("photos")}, IncludeOptions{Tags: []string{"kept"}}, nil); err != nil {
		t.Fatal(err)
	}
	a := fx.id(t, "photos/a.jpg")
	mustRename(t, fx.path("photos"), fx.path("pictures"))
	got := summary(fx.check(t, CheckOptions{Paths: []string{fx.path("pictures")}, Repair: true}), fx.dir)
	want := []string{"moved photos/a.jpg → pictures/a.jpg", "moved photos/sub/b.jpg → pictures/sub/b.jpg"}
	if !slices.Equal(got, want) {
		t.Fatalf("findings:\n got %q\nwant %q", got, want)
	}
	roots, err := fx.l.Roots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(roots, fx.path("pictures")) {
		t.Errorf("roots: %q", roots)
	}
	if f := fx.file(t, a); f.Path != fx.path("pictures/a.jpg") {
		t.Errorf("entry: %+v", f)
	}
	// The whole-library check now walks the new root and finds everything in place.
	if got := summary(fx.check(t, CheckOptions{}), fx.dir); len(got) != 0 {
		t.Errorf("after repair: %q", got)
	}
}

// A disk plugged in again may get another device number: same inode, birth time, size
// and mtime at the same path is the same file, refreshed without reading it.
func TestCheckDeviceRenumbered(t *testing.T) {
	fx := newCheckFixture(t, map[string]string{"a.txt": "alpha"})
	if _, err := fx.l.db.Exec("UPDATE files SET dev = dev + 1"); err != nil {
		t.Fatal(err)
	}
	rep := fx.check(t, CheckOptions{Repair: true})
	if got := summary(rep, fx.dir); !slices.Equal(got, []string{"stale a.txt"}) || rep.HashedFiles != 0 {
		t.Fatalf("findings %q, %d files read", got, rep.HashedFiles)
	}
	if rep := fx.check(t, CheckOptions{}); rep.OK != 1 {
		t.Errorf("after repair: %+v", rep.Findings)
	}
}

// Two entries for two hard links of one file: removing one link leaves that entry
// missing; the other keeps the file.
func TestCheckHardLinkRemoved(t *testing.T) {
	ctx := context.Background()
	l := openTest(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.txt": "linked"})
	if err := os.Link(filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Include(ctx, []string{dir}, IncludeOptions{Tags: []string{"kept"}}, nil); err != nil {
		t.Fatal(err)
	}
	fx := &checkFixture{l: l, dir: dir}
	if got := summary(fx.check(t, CheckOptions{}), dir); !slices.Equal(got, []string{"duplicate a.txt [a.txt b.txt]"}) {
		t.Fatalf("before: %q", got)
	}
	os.Remove(filepath.Join(dir, "a.txt"))
	if got := summary(fx.check(t, CheckOptions{}), dir); !slices.Equal(got, []string{"missing a.txt"}) {
		t.Fatalf("after removing a link: %q", got)
	}
}

// A library file with a page of zeros: the check reports the damage as findings (and
// whatever it can still compare), refuses to repair, and leaves the file as it was.
func TestCheckDamagedFile(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		table    string   // whose root page is zeroed
		want     []string // in the integrity findings' details
		compared bool     // the disk is still compared with the index
		backups  []string // backup files made before the damage
	}{
		{"integrity_check stops at a root page", "saved_searches",
			[]string{"btreeInitPage", "integrity_check stopped: database disk image is malformed"}, true, nil},
		{"the entries cannot be read", "files",
			[]string{"btreeInitPage", "more integrity_check messages", "could not read the entries: database disk image is malformed; the files on disk were not compared with the index"}, false, nil},
		{"the roots cannot be read", "roots",
			[]string{"could not read the library's folders"}, false, nil},
		{"the change counter cannot be read", "meta",
			[]string{"could not read the library's change counter"}, true, []string{"library.db.bak-v1", "library.db.bak-v2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{}
			for i := range 400 {
				files[fmt.Sprintf("d%d/file-%04d.txt", i%10, i)] = fmt.Sprintf("content %d", i)
			}
			fx := newCheckFixture(t, files)
			mustRename(t, fx.path("d0/file-0000.txt"), fx.path("elsewhere/file-0000.txt"))
			db := fx.l.path
			var page, size int64
			if err := fx.l.db.QueryRowContext(ctx, "SELECT rootpage, (SELECT page_size FROM pragma_page_size) FROM sqlite_schema WHERE name = ?", tc.table).Scan(&page, &size); err != nil {
				t.Fatal(err)
			}
			if err := fx.l.Close(); err != nil {
				t.Fatal(err)
			}
			zeroPage(t, db, page, size)
			for _, b := range tc.backups {
				writeFiles(t, filepath.Dir(db), map[string]string{b: "a backup"})
			}
			before := fileBytes(t, db)

			l, err := Open(ctx, db, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			for _, repair := range []bool{false, true} {
				rep, err := l.Check(ctx, CheckOptions{Repair: repair}, nil)
				if err != nil {
					t.Fatalf("repair %v: %v", repair, err)
				}
				if !rep.Damaged || rep.Problems() == 0 || rep.Repairable() != 0 || rep.Repaired != 0 {
					t.Errorf("repair %v: damaged %v, %d problems, %d repairable, %d repaired", repair, rep.Damaged, rep.Problems(), rep.Repairable(), rep.Repaired)
				}
				var details []string
				for _, f := range rep.Findings {
					if f.Kind == KindIntegrity {
						details = append(details, f.Detail)
					}
				}
				if n := len(details); n == 0 || n > maxDamageLines+2 {
					t.Errorf("repair %v: %d integrity findings: %q", repair, n, details)
				}
				all := strings.Join(details, "\n")
				for _, w := range tc.want {
					if !strings.Contains(all, w) {
						t.Errorf("repair %v: integrity findings %q do not say %q", repair, details, w)
					}
				}
				got := summary(rep, fx.dir)
				moved := slices.Contains(got, "moved d0/file-0000.txt → elsewhere/file-0000.txt")
				if moved != tc.compared || (tc.compared && rep.OK != 399) {
					t.Errorf("repair %v: compared %v, want %v: %d ok, findings %q", repair, moved, tc.compared, rep.OK, got)
				}
				if !strings.Contains(rep.Advice, ".recover") {
					t.Errorf("advice %q does not say how to rebuild the file", rep.Advice)
				}
				if b := filepath.Join(filepath.Dir(db), "library.db.bak-v2"); tc.backups != nil && !strings.Contains(rep.Advice, "restore the backup "+b) {
					t.Errorf("advice %q does not name the newest backup %s", rep.Advice, b)
				}
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(fileBytes(t, db), before) {
				t.Error("the check wrote to the damaged file")
			}
		})
	}
}

// zeroPage overwrites page (numbered from 1) of the file at path with zeros.
func zeroPage(t *testing.T, path string, page, size int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(make([]byte, size), (page-1)*size); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
