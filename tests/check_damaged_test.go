package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// damageReport is what `hoard check --json` prints about a damaged library: the
// findings' kind and detail, and the summary's verdict.
type damageReport struct {
	Kind     string `json:"kind"`
	Detail   string `json:"detail"`
	Problem  bool   `json:"problem"`
	Problems int    `json:"problems"` // summary only
	Damaged  bool   `json:"damaged"`  // summary only
	Advice   string `json:"advice"`   // summary only
}

// TestCheckDamagedLibrary: `hoard check` on a library file with a page of zeros reports
// integrity_check's messages as findings and exits 3, with one line on stderr saying
// the file is damaged and what to do; --repair refuses to write; the file's bytes never
// change.
func TestCheckDamagedLibrary(t *testing.T) {
	cases := []struct {
		name string
		page func(t *testing.T, db string) int64 // the page to zero, from 0
	}{
		{"a page of zeros in the middle", func(t *testing.T, db string) int64 {
			st, err := os.Stat(db)
			if err != nil {
				t.Fatal(err)
			}
			return st.Size() / 4096 / 2
		}},
		{"the entries' first page", func(t *testing.T, db string) int64 {
			conn := openSQL(t, db)
			defer conn.Close()
			var root int64
			if err := conn.QueryRow("SELECT rootpage FROM sqlite_schema WHERE name = 'files'").Scan(&root); err != nil {
				t.Fatal(err)
			}
			return root - 1
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHoardCLI(t)
			files := filepath.Join(h.dir, "files")
			makeFiles(t, files, 400, "damaged")
			h.ok("include", "-t", "base", files)
			zeroPageAt(t, h.db, c.page(t, h.db))
			sum := fileSum(t, h.db)
			// run runs hoard ARGS…: exit 3, one stderr line saying want, the file untouched.
			run := func(want string, args ...string) result {
				t.Helper()
				cmd := "hoard " + strings.Join(args, " ")
				r := h.run(args...)
				if r.code != 3 {
					t.Fatalf("%s: exit %d, want 3\nstdout: %s\nstderr: %s", cmd, r.code, r.stdout, r.stderr)
				}
				damageLine(t, r, want)
				if fileSum(t, h.db) != sum {
					t.Fatalf("%s wrote to the damaged library", cmd)
				}
				return r
			}

			r := run("the library file is damaged: ", "check")
			damaged := 0
			for _, l := range lines(r.stdout) {
				if strings.HasPrefix(l, "integrity") && strings.Contains(l, "database damaged: ") {
					damaged++
				}
			}
			if damaged == 0 || damaged > 10 {
				t.Errorf("hoard check: %d integrity_check lines, want 1 to 10:\n%s", damaged, r.stdout)
			}
			out := lines(r.stdout)
			if last := out[len(out)-1]; !strings.Contains(last, "the library file is damaged") {
				t.Errorf("hoard check: the summary does not say the file is damaged: %q", last)
			}

			r = run("the library file is damaged: ", "check", "--json")
			var integrity int
			var summary damageReport
			for _, l := range lines(r.stdout) {
				var f damageReport
				if err := json.Unmarshal([]byte(l), &f); err != nil {
					t.Fatalf("hoard check --json: %q: %v", l, err)
				}
				switch {
				case f.Kind == "summary":
					summary = f
				case f.Kind == "integrity" && strings.HasPrefix(f.Detail, "database damaged: "):
					integrity++
					if !f.Problem {
						t.Errorf("hoard check --json: an integrity finding is not a problem: %s", l)
					}
				}
			}
			if integrity != damaged {
				t.Errorf("hoard check --json: %d integrity_check findings, the text output had %d", integrity, damaged)
			}
			if !summary.Damaged || summary.Problems == 0 || !strings.Contains(summary.Advice, ".recover") {
				t.Errorf("hoard check --json: summary %+v, want damaged, problems and advice", summary)
			}

			r = run("the library file is damaged, so nothing was repaired", "check", "--repair")
			if !strings.Contains(r.stdout, "; 0 repaired") {
				t.Errorf("hoard check --repair: the summary does not say nothing was repaired:\n%s", r.stdout)
			}
		})
	}
}

// damageLine checks that stderr is one line saying want and how to rebuild the file.
func damageLine(t *testing.T, r result, want string) {
	t.Helper()
	if strings.Count(strings.TrimSuffix(r.stderr, "\n"), "\n") != 0 {
		t.Errorf("stderr is not one line: %q", r.stderr)
	}
	if !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, ".recover") {
		t.Errorf("stderr %q does not say %q and how to rebuild the file", r.stderr, want)
	}
}

// zeroPageAt overwrites the 4096-byte page at index page (from 0) of the file with zeros.
func zeroPageAt(t *testing.T, path string, page int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(make([]byte, 4096), page*4096); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
