package tests

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
)

// checkFinding is one JSON line of `hoard check --json`.
type checkFinding struct {
	Kind     string   `json:"kind"`
	ID       int64    `json:"id"`
	Path     string   `json:"path"`
	NewPath  string   `json:"new_path"`
	Paths    []string `json:"paths"`
	Repaired bool     `json:"repaired"`
	Problems int      `json:"problems"` // summary only
}

// checkRun is a parsed `hoard check --json` run.
type checkRun struct {
	lines   []string // "kind rel[ → rel] [paths]" per finding, sorted
	summary checkFinding
	code    int
}

// checkJSON runs `hoard check --json ARGS…` and renders each finding relative to dir.
func checkJSON(t *testing.T, h *hoardCLI, dir string, args ...string) checkRun {
	t.Helper()
	r := h.run(append([]string{"check", "--json"}, args...)...)
	if r.code != 0 && r.code != 3 {
		t.Fatalf("hoard check %q: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
	}
	out := checkRun{code: r.code}
	rel := func(p string) string { return strings.TrimPrefix(p, dir+"/") }
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var f checkFinding
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			t.Fatalf("check --json line %q: %v", sc.Text(), err)
		}
		if f.Kind == "summary" {
			out.summary = f
			continue
		}
		s := f.Kind
		if f.Kind != "integrity" {
			s += " " + rel(f.Path)
		}
		if f.NewPath != "" && f.Kind != "unsure" {
			s += " → " + rel(f.NewPath)
		}
		if f.Kind == "ambiguous" {
			var ps []string
			for _, p := range f.Paths {
				ps = append(ps, rel(p))
			}
			s += " [" + strings.Join(ps, " ") + "]"
		}
		out.lines = append(out.lines, s)
	}
	if out.summary.Kind != "summary" {
		t.Fatalf("check --json printed no summary line:\n%s", r.stdout)
	}
	sort.Strings(out.lines)
	return out
}

// indexState is what a check may change: every entry's columns and every tagging.
func indexState(t *testing.T, db string) string {
	t.Helper()
	conn := openSQL(t, db)
	defer conn.Close()
	var s string
	err := conn.QueryRow(`SELECT
		(SELECT coalesce(group_concat(id || ':' || coalesce(hex(path), '-') || ':' || coalesce(hex(lost_path), '-') || ':' || inode || ':' || size || ':' || mtime_ns || ':' || hex(hash) || ':' || missing, ','), '') FROM files) || '|' ||
		(SELECT coalesce(group_concat(file_id || '.' || tag_id, ','), '') FROM file_tags) || '|' ||
		(SELECT coalesce(group_concat(hex(bits), ','), '') FROM set_postings) || '|' ||
		(SELECT coalesce(group_concat(hex(bits), ','), '') FROM tag_postings) || '|' ||
		(SELECT coalesce(group_concat(file_count, ','), '') FROM tags)`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mv(t *testing.T, a, b string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(b), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(a, b); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t *testing.T, p, s string) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

func inodeOf(t *testing.T, p string) uint64 {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Sys().(*syscall.Stat_t).Ino
}

// mountTmpfs mounts a tmpfs at dir (another filesystem) for the test's life.
func mountTmpfs(t *testing.T, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs for a cross-filesystem move needs root")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "none", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (%v: %s)", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
}

// TestCheckScenarios changes files behind Hoard's back (no tracker), then runs
// `hoard check` (which must report and change nothing), `hoard check --repair`, and
// looks at the index through `hoard find`.
func TestCheckScenarios(t *testing.T) {
	base := map[string]string{
		"a.txt":     "alpha",
		"b.txt":     "bravo!",
		"sub/c.txt": "charlie",
		"sub/d.txt": "delta..",
	}
	tests := []struct {
		name   string
		files  map[string]string // instead of base
		change func(t *testing.T, dir string)
		want   []string // findings of the plain check
		code   int      // exit code of the repair (3: something is left)
		kept   []string // `hoard find kept` after the repair
		gone   []string // `hoard find missing` after the repair
	}{
		{
			name:   "file renamed",
			change: func(t *testing.T, dir string) { mv(t, dir+"/a.txt", dir+"/a-renamed.txt") },
			want:   []string{"moved a.txt → a-renamed.txt"},
			kept:   []string{"a-renamed.txt", "b.txt", "sub/c.txt", "sub/d.txt"},
		},
		{
			name:   "moved to another folder",
			change: func(t *testing.T, dir string) { mv(t, dir+"/a.txt", dir+"/elsewhere/a.txt") },
			want:   []string{"moved a.txt → elsewhere/a.txt"},
			kept:   []string{"b.txt", "elsewhere/a.txt", "sub/c.txt", "sub/d.txt"},
		},
		{
			name:   "folder renamed",
			change: func(t *testing.T, dir string) { mv(t, dir+"/sub", dir+"/renamed") },
			want:   []string{"moved sub/c.txt → renamed/c.txt", "moved sub/d.txt → renamed/d.txt"},
			kept:   []string{"a.txt", "b.txt", "renamed/c.txt", "renamed/d.txt"},
		},
		{
			name: "moved then edited",
			change: func(t *testing.T, dir string) {
				mv(t, dir+"/a.txt", dir+"/sub/a.txt")
				appendFile(t, dir+"/sub/a.txt", ", edited")
			},
			want: []string{"moved-modified a.txt → sub/a.txt"},
			kept: []string{"b.txt", "sub/a.txt", "sub/c.txt", "sub/d.txt"},
		},
		{
			name: "renamed duplicates",
			files: map[string]string{
				"one.txt": "twin", "two.txt": "twin",
			},
			change: func(t *testing.T, dir string) {
				mv(t, dir+"/one.txt", dir+"/uno.txt")
				mv(t, dir+"/two.txt", dir+"/dos.txt")
			},
			want: []string{"duplicate dos.txt", "moved one.txt → uno.txt", "moved two.txt → dos.txt"},
			kept: []string{"dos.txt", "uno.txt"},
		},
		{
			name:  "two identical candidates",
			files: map[string]string{"x.txt": "same bytes"},
			change: func(t *testing.T, dir string) {
				writeFile(t, dir+"/copy1.txt", []byte("same bytes"))
				writeFile(t, dir+"/copy2.txt", []byte("same bytes"))
				os.Remove(dir + "/x.txt")
			},
			want: []string{"ambiguous x.txt [copy1.txt copy2.txt]", "missing x.txt"},
			code: 3,
			kept: []string{"x.txt"},
			gone: []string{"x.txt"},
		},
		{
			name:   "deleted",
			change: func(t *testing.T, dir string) { os.Remove(dir + "/b.txt") },
			want:   []string{"missing b.txt"},
			kept:   []string{"a.txt", "b.txt", "sub/c.txt", "sub/d.txt"},
			gone:   []string{"b.txt"},
		},
		{
			name:   "edited in place",
			change: func(t *testing.T, dir string) { appendFile(t, dir+"/b.txt", " and more") },
			want:   []string{"modified b.txt"},
			kept:   []string{"a.txt", "b.txt", "sub/c.txt", "sub/d.txt"},
		},
		{
			name: "new file",
			change: func(t *testing.T, dir string) {
				writeFile(t, dir+"/sub/fresh.txt", []byte("fresh"))
			},
			want: []string{"new sub/fresh.txt"},
			kept: []string{"a.txt", "b.txt", "sub/c.txt", "sub/d.txt"},
		},
	}
	h0 := newHoardCLI(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := h0.on(t)
			h.db = filepath.Join(t.TempDir(), "library.db")
			dir := t.TempDir()
			files := base
			if tc.files != nil {
				files = tc.files
			}
			for name, body := range files {
				writeFile(t, filepath.Join(dir, name), []byte(body))
			}
			h.ok("include", "-t", "kept", dir)
			tc.change(t, dir)
			assertCheckAndRepair(t, h, dir, tc.want, tc.code, tc.kept, tc.gone)
		})
	}
}

// assertCheckAndRepair runs the plain check (want findings, exit 3 unless want holds
// only information, nothing changed), the repair (exit code), then looks at the index.
func assertCheckAndRepair(t *testing.T, h *hoardCLI, dir string, want []string, code int, kept, gone []string) {
	t.Helper()
	before := indexState(t, h.db)
	got := checkJSON(t, h, dir)
	if !slices.Equal(got.lines, want) {
		t.Fatalf("check found:\n %q\nwant\n %q", got.lines, want)
	}
	wantCode := 0
	if got.summary.Problems > 0 {
		wantCode = 3
	}
	if got.code != wantCode {
		t.Errorf("check: exit %d, want %d", got.code, wantCode)
	}
	if after := indexState(t, h.db); after != before {
		t.Errorf("a check without --repair changed the index:\n%s\n%s", before, after)
	}
	rep := checkJSON(t, h, dir, "--repair")
	if rep.code != code {
		t.Errorf("check --repair: exit %d, want %d (%q)", rep.code, code, rep.lines)
	}
	integrityCheck(t, h.db)
	rel := func(ps []string) []string {
		out := []string{}
		for _, p := range ps {
			out = append(out, strings.TrimPrefix(p, dir+"/"))
		}
		return out
	}
	if kept != nil {
		if got := rel(h.find("kept")); !slices.Equal(got, kept) {
			t.Errorf("entries tagged after repair: %q, want %q", got, kept)
		}
	}
	if got := rel(h.find("missing")); !slices.Equal(got, append([]string{}, gone...)) {
		t.Errorf("missing entries after repair: %q, want %q", got, gone)
	}
	again := checkJSON(t, h, dir)
	if again.code != code {
		t.Errorf("check after repair: exit %d, want %d (%q)", again.code, code, again.lines)
	}
}

func TestCheckAcrossFilesystems(t *testing.T) {
	h := newHoardCLI(t)
	dir := t.TempDir()
	writeFile(t, dir+"/photo.jpg", []byte("not really a photo"))
	writeFile(t, dir+"/stays.txt", []byte("stays"))
	h.ok("include", "-t", "kept", dir)
	mountTmpfs(t, dir+"/usb")
	// What mv does across filesystems: copy, then unlink.
	data, err := os.ReadFile(dir + "/photo.jpg")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir+"/usb/photo.jpg", data)
	if err := os.Remove(dir + "/photo.jpg"); err != nil {
		t.Fatal(err)
	}
	assertCheckAndRepair(t, h, dir, []string{"moved photo.jpg → usb/photo.jpg"}, 0,
		[]string{"stays.txt", "usb/photo.jpg"}, nil)
}

// An inode number freed by a delete and given to a new file must not relink the old
// entry to it: the birth time tells them apart.
func TestCheckInodeReused(t *testing.T) {
	h := newHoardCLI(t)
	dir := t.TempDir()
	writeFile(t, dir+"/old.txt", []byte("the old file"))
	h.ok("include", "-t", "kept", dir)
	ino := inodeOf(t, dir+"/old.txt")
	if err := os.Remove(dir + "/old.txt"); err != nil {
		t.Fatal(err)
	}
	reused := ""
	for i := range 500 {
		p := fmt.Sprintf("%s/other%03d.txt", dir, i)
		writeFile(t, p, []byte("a different file"))
		if inodeOf(t, p) == ino {
			reused = strings.TrimPrefix(p, dir+"/")
			break
		}
	}
	if reused == "" {
		t.Skip("the filesystem did not reuse the inode number within 500 creates")
	}
	before := indexState(t, h.db)
	got := checkJSON(t, h, dir)
	if indexState(t, h.db) != before {
		t.Error("a check without --repair changed the index")
	}
	var others []string
	for _, l := range got.lines {
		if strings.HasPrefix(l, "new ") {
			continue
		}
		others = append(others, l)
	}
	if !slices.Equal(others, []string{"missing old.txt"}) || !slices.Contains(got.lines, "new "+reused) {
		t.Fatalf("findings: %q (the reused inode is at %s)", got.lines, reused)
	}
	h.ok("check", "--repair")
	if got := h.find("missing"); !slices.Equal(got, []string{dir + "/old.txt"}) {
		t.Errorf("missing after repair: %q", got)
	}
}

func TestCheckDatabaseProblems(t *testing.T) {
	tests := []struct {
		name, sql string
	}{
		{"orphaned tagging", "INSERT INTO file_tags(file_id, tag_id, added_ns) VALUES(4242, (SELECT min(id) FROM tags), 0)"},
		{"orphaned pool entry", "INSERT INTO pool_entries(pool_id, position, file_id) VALUES(77, 0, (SELECT min(id) FROM files))"},
		{"posting list out of step", "DELETE FROM tag_postings"},
		{"counters out of step", "UPDATE tags SET file_count = file_count + 5"},
		{"missing set out of step", "DELETE FROM set_postings WHERE name = 'all'"},
	}
	h0 := newHoardCLI(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := h0.on(t)
			h.db = filepath.Join(t.TempDir(), "library.db")
			dir := t.TempDir()
			writeFile(t, dir+"/a.txt", []byte("alpha"))
			writeFile(t, dir+"/b.txt", []byte("bravo"))
			h.ok("include", "-t", "kept", dir)
			db := openSQL(t, h.db)
			conn, err := db.Conn(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{"PRAGMA foreign_keys = OFF", tc.sql} {
				if _, err := conn.ExecContext(t.Context(), q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			conn.Close()
			db.Close()
			before := indexState(t, h.db)
			got := checkJSON(t, h, dir)
			if got.code != 3 || len(got.lines) == 0 || !strings.HasPrefix(got.lines[0], "integrity") {
				t.Fatalf("check: exit %d, %q", got.code, got.lines)
			}
			for _, l := range got.lines {
				if l != "integrity" {
					t.Errorf("unexpected finding %q", l)
				}
			}
			if indexState(t, h.db) != before {
				t.Error("a check without --repair changed the database")
			}
			rep := checkJSON(t, h, dir, "--repair")
			if rep.code != 0 {
				t.Errorf("repair: exit %d, %q", rep.code, rep.lines)
			}
			integrityCheck(t, h.db)
			if again := checkJSON(t, h, dir); again.code != 0 || len(again.lines) != 0 {
				t.Errorf("after repair: exit %d, %q", again.code, again.lines)
			}
			if got := h.find("kept"); len(got) != 2 {
				t.Errorf("find kept after repair: %q", got)
			}
		})
	}
}

func TestCheckHumanOutput(t *testing.T) {
	h := newHoardCLI(t)
	dir := t.TempDir()
	writeFile(t, dir+"/a.txt", []byte("alpha"))
	h.ok("include", "-t", "kept", dir)
	if out := h.ok("check"); !strings.Contains(out, "1 ok") || len(lines(out)) != 1 {
		t.Errorf("clean check printed:\n%s", out)
	}
	mv(t, dir+"/a.txt", dir+"/b.txt")
	r := h.run("check")
	if r.code != 3 || !strings.HasPrefix(r.stdout, "moved") || !strings.Contains(r.stdout, dir+"/a.txt → "+dir+"/b.txt") ||
		!strings.Contains(r.stdout, "--repair") {
		t.Errorf("exit %d:\n%s", r.code, r.stdout)
	}
	r = h.run("check", "--repair")
	if r.code != 0 || !strings.Contains(r.stdout, "[repaired]") {
		t.Errorf("repair: exit %d:\n%s", r.code, r.stdout)
	}
	if r := h.run("check", "--bogus"); r.code != 2 {
		t.Errorf("unknown flag: exit %d", r.code)
	}
}

// A library root renamed while Hoard was closed: the whole-library check can only see
// the entries gone; checked under the new name they are relinked, and the new folder
// becomes a root so later checks (and the tracker) look there.
func TestCheckRootRenamed(t *testing.T) {
	h := newHoardCLI(t)
	dir := t.TempDir()
	writeFile(t, dir+"/photos/a.jpg", []byte("a"))
	writeFile(t, dir+"/photos/2024/b.jpg", []byte("bb"))
	h.ok("include", "-t", "kept", dir+"/photos")
	mv(t, dir+"/photos", dir+"/pictures")
	if got := checkJSON(t, h, dir); got.code != 3 || !slices.Equal(got.lines, []string{"missing photos/2024/b.jpg", "missing photos/a.jpg"}) {
		t.Fatalf("whole-library check: exit %d, %q", got.code, got.lines)
	}
	got := checkJSON(t, h, dir, "--repair", dir+"/pictures")
	if want := []string{"moved photos/2024/b.jpg → pictures/2024/b.jpg", "moved photos/a.jpg → pictures/a.jpg"}; got.code != 0 || !slices.Equal(got.lines, want) {
		t.Fatalf("check --repair pictures: exit %d, %q", got.code, got.lines)
	}
	if got := checkJSON(t, h, dir); got.code != 0 || len(got.lines) != 0 {
		t.Errorf("whole-library check after repair: exit %d, %q", got.code, got.lines)
	}
	if got := h.find("kept"); !slices.Equal(got, []string{dir + "/pictures/2024/b.jpg", dir + "/pictures/a.jpg"}) {
		t.Errorf("find kept: %q", got)
	}
}
