package tests

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"hoard/library"
)

// Resource faults: a disk that fills up, a library that cannot be written, a damaged
// file, a migration that stops halfway.

// mountSizedTmpfs mounts a tmpfs of the given size (mount's size= syntax) at dir for
// the test's life; it skips when not root.
func mountSizedTmpfs(t *testing.T, dir, size string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "none", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (%v: %s)", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
}

func remount(t *testing.T, dir, opts string) {
	t.Helper()
	if out, err := exec.Command("mount", "-o", "remount,"+opts, dir).CombinedOutput(); err != nil {
		t.Fatalf("remount %s %s: %v: %s", dir, opts, err, out)
	}
}

// TestReliabilityDiskFull puts the library on a 2 MiB tmpfs and includes 20,000 files
// with long names from elsewhere: the include must stop with one clear line, the index
// must stay sound and keep what was committed, and once space is freed a re-run must
// finish the job.
func TestReliabilityDiskFull(t *testing.T) {
	h := newHoardCLI(t)
	mnt := filepath.Join(h.dir, "small")
	mountSizedTmpfs(t, mnt, "2m")
	h.db = filepath.Join(mnt, "library.db")
	early := filepath.Join(h.dir, "early")
	makeFiles(t, early, 20, "early")
	h.ok("include", "-t", "early", early)
	big := filepath.Join(h.dir, "big")
	const n = 20000
	long := strings.Repeat("n", 180)
	for i := range n {
		writeFile(t, filepath.Join(big, fmt.Sprintf("d%02d", i%20), fmt.Sprintf("%s-%05d", long, i)), []byte(fmt.Sprint(i)))
	}
	before := readTaggings(t, h.db)
	r := h.fail(1, []string{"include", "-t", "big", big}, "full")
	t.Logf("include on a full disk: %s", strings.TrimSpace(r.stderr))
	if !strings.Contains(r.stderr, "free") && !strings.Contains(r.stderr, "space") {
		t.Errorf("the error does not say what to do (free some space): %q", r.stderr)
	}
	integrityCheck(t, h.db)
	after := readTaggings(t, h.db)
	if l := before.lost(after); len(l) > 0 {
		t.Fatalf("taggings lost when the disk filled up: %q", l)
	}
	indexed := len(lines(h.ok("find", "path:"+big+"/*")))
	if tagged := after.countTag("big"); indexed != tagged {
		t.Errorf("%d entries of the folder indexed, %d tagged: a batch was committed without its tags", indexed, tagged)
	}
	t.Logf("the disk filled up after %d of %d files", indexed, n)
	if indexed == n {
		t.Fatalf("all %d files fit on the small disk: the test does not test", n)
	}
	// Still usable for reading while full.
	if got := h.ok("find", "--count", "early"); got != "20\n" {
		t.Errorf("find early on a full disk: %q", got)
	}
	remount(t, mnt, "size=64m")
	h.ok("include", "-t", "big", big)
	noIntegrityProblems(t, h)
	if got := h.ok("find", "--count", "big"); got != fmt.Sprintf("%d\n", n) {
		t.Errorf("after freeing space and a re-run, %s tagged big, want %d", got, n)
	}
	if l := before.lost(readTaggings(t, h.db)); len(l) > 0 {
		t.Fatalf("taggings lost: %q", l)
	}
}

// TestReliabilityReadOnlyLibrary: on a read-only mount, and as a user for whom the file
// is chmod 0444, reads work and writes fail with one clear line, changing nothing.
func TestReliabilityReadOnlyLibrary(t *testing.T) {
	writes := [][]string{{"tag", "-t", "new"}, {"tags", "create", "other"}, {"include", "-t", "x"}}
	try := func(t *testing.T, h *hoardCLI, files string) {
		t.Helper()
		sum := fileSum(t, h.db)
		if got := h.ok("find", "--count", "base"); got != "10\n" {
			t.Errorf("find on a read-only library: %q, want 10", got)
		}
		h.ok("stats")
		h.ok("ls", files)
		for _, w := range writes {
			args := w
			if w[0] != "tags" {
				args = append(append([]string{}, w...), files)
			}
			h.fail(1, args, "read-only", "nothing was changed")
		}
		if fileSum(t, h.db) != sum {
			t.Fatal("a write changed the read-only library file")
		}
	}
	t.Run("read-only mount", func(t *testing.T) {
		h := newHoardCLI(t)
		mnt := filepath.Join(h.dir, "ro")
		mountSizedTmpfs(t, mnt, "8m")
		h.db = filepath.Join(mnt, "library.db")
		files := filepath.Join(h.dir, "files")
		makeFiles(t, files, 10, "ro")
		h.ok("include", "-t", "base", files)
		remount(t, mnt, "ro")
		try(t, h, files)
		remount(t, mnt, "rw")
		h.ok("tag", "-t", "new", files)
	})
	t.Run("chmod 0444", func(t *testing.T) {
		h := newHoardCLI(t)
		var cred *syscall.Credential
		if os.Geteuid() == 0 {
			// root writes any file: run as nobody, in folders nobody owns.
			base := trackedDir(t)
			bin := filepath.Join(base, "hoard")
			copyFile(t, h.bin, bin, 0o755)
			h.bin, h.dir = bin, filepath.Join(base, "home")
			h.db = filepath.Join(h.dir, "data", "library.db")
			if err := os.MkdirAll(filepath.Dir(h.db), 0o755); err != nil {
				t.Fatal(err)
			}
			cred = &syscall.Credential{Uid: 65534, Gid: 65534}
		}
		files := filepath.Join(h.dir, "files")
		makeFiles(t, files, 10, "chmod")
		if cred != nil {
			if err := exec.Command("chown", "-R", "65534:65534", h.dir).Run(); err != nil {
				t.Fatal(err)
			}
		}
		nobody := &asUser{h: h, cred: cred}
		nobody.ok(t, "include", "-t", "base", files)
		if err := os.Chmod(h.db, 0o444); err != nil {
			t.Fatal(err)
		}
		nobody.try(t, try, files)
	})
}

// asUser runs a hoardCLI as another user (cred nil: as this one).
type asUser struct {
	h    *hoardCLI
	cred *syscall.Credential
}

func (u *asUser) ok(t *testing.T, args ...string) {
	t.Helper()
	cmd := u.h.command(context.Background(), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: u.cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hoard %q: %v\n%s", args, err, out)
	}
}

// try runs fn on a copy of the hoardCLI whose binary is a wrapper that runs hoard as
// the user (through setpriv).
func (u *asUser) try(t *testing.T, fn func(*testing.T, *hoardCLI, string), files string) {
	t.Helper()
	if u.cred == nil {
		fn(t, u.h, files)
		return
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("setpriv (util-linux) is needed to run hoard as another user")
	}
	wrapper := filepath.Join(filepath.Dir(u.h.bin), "hoard-as-nobody")
	script := fmt.Sprintf("#!/bin/sh\nexec %s --reuid=%d --regid=%d --clear-groups %s \"$@\"\n", setpriv, u.cred.Uid, u.cred.Gid, u.h.bin)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	h := *u.h
	h.bin = wrapper
	h.t = t
	fn(t, &h, files)
}

func copyFile(t testing.TB, from, to string, mode os.FileMode) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestReliabilityDamagedLibrary extends TestCLIRefusesForeignDatabases to a library cut
// in half and one with a page of zeros in the middle: every command refuses (or, for a
// damage SQLite cannot see at open, reports it) and nothing is written.
func TestReliabilityDamagedLibrary(t *testing.T) {
	build := func(t *testing.T) *hoardCLI {
		h := newHoardCLI(t)
		files := filepath.Join(h.dir, "files")
		makeFiles(t, files, 3000, "dmg")
		h.ok("include", "-t", "base", files)
		for s := range 10 {
			h.ok("tag", "-t", fmt.Sprintf("s%d", s), filepath.Join(files, fmt.Sprintf("s%d", s)))
		}
		integrityCheck(t, h.db)
		return h
	}
	cases := []struct {
		name   string
		damage func(t *testing.T, db string)
		// readsMayWork: the damage is inside the file, where SQLite finds it only
		// when it reads there; commands that never do may succeed (finding it at
		// every open would cost a full integrity_check), but hoard check must see it.
		readsMayWork bool
	}{
		{"cut in half", func(t *testing.T, db string) {
			st, err := os.Stat(db)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(db, st.Size()/2); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"a page of zeros", func(t *testing.T, db string) {
			f, err := os.OpenFile(db, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, _ := f.Stat()
			if _, err := f.WriteAt(make([]byte, 4096), (st.Size()/4096/2)*4096); err != nil {
				t.Fatal(err)
			}
		}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := build(t)
			c.damage(t, h.db)
			sum := fileSum(t, h.db)
			for _, args := range [][]string{{"find", "base"}, {"tag", "-t", "y", h.dir}, {"include", filepath.Join(h.dir, "files")}, {"stats"}, {"check", "--repair"}, {"tags", "list"}, {"tags", "create", "z"}} {
				r := h.run(args...)
				t.Logf("hoard %q: exit %d %s", args, r.code, strings.TrimSpace(r.stderr))
				write := args[0] == "tag" || args[0] == "include" || args[0] == "check" || (len(args) > 1 && args[1] == "create")
				switch {
				case r.code == 0 && args[0] == "check":
					t.Errorf("hoard check did not find the damage: %s", r.stdout)
				case r.code == 0 && !c.readsMayWork:
					t.Errorf("hoard %q succeeded on a damaged library: %s", args, r.stdout)
				case r.code != 0 && !strings.Contains(r.stderr, "damaged"):
					t.Errorf("hoard %q: the error does not say the library is damaged: %q", args, r.stderr)
				}
				if strings.Count(strings.TrimSuffix(r.stderr, "\n"), "\n") != 0 {
					t.Errorf("hoard %q: stderr is not one line: %q", args, r.stderr)
				}
				if c.readsMayWork && write && r.code == 0 {
					sum = fileSum(t, h.db) // a write SQLite let through, away from the damage
				} else if fileSum(t, h.db) != sum {
					t.Fatalf("hoard %q wrote to the damaged library", args)
				}
			}
		})
	}
}

// makeV1Library builds a library with files synthetic entries and takes it back to
// schema 1 (only 0001-init.sql applied), as a Hoard of that schema would have left it.
func makeV1Library(t *testing.T, db string, files int) {
	t.Helper()
	ctx := context.Background()
	l, err := library.Open(ctx, db, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.BuildSynthetic(ctx, library.SyntheticSpec{Files: files, Tags: 500, PerFile: 5, Seed: 1, PathsPrefix: "/synthetic"}, nil); err != nil {
		t.Fatal(err)
	}
	l.Close()
	conn := openSQL(t, db)
	defer conn.Close()
	if _, err := conn.Exec("DROP TABLE rules; DROP TABLE saved_searches; PRAGMA user_version = 1; PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
}

// schemaFacts is what must not change across a failed migration: the version, the
// tables, and the data.
func schemaFacts(t testing.TB, db string) string {
	t.Helper()
	conn := openSQL(t, db)
	defer conn.Close()
	var v, files, taggings int
	var tables string
	if err := conn.QueryRow(`SELECT (SELECT user_version FROM pragma_user_version),
		(SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name)),
		(SELECT count(*) FROM files), (SELECT count(*) FROM file_tags)`).Scan(&v, &tables, &files, &taggings); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("v%d tables=%s files=%d taggings=%d", v, tables, files, taggings)
}

// TestReliabilityMigrationInterrupted: a schema-1 library is migrated at open, after a
// VACUUM INTO copy to library.db.bak-v1. A migration that fails halfway leaves the
// library untouched; one SIGKILLed at any point leaves it at schema 1 or fully at
// schema 2, never between; and the backup restores a working library.
func TestReliabilityMigrationInterrupted(t *testing.T) {
	entries := runs(30000, 100000)
	tmpl := filepath.Join(t.TempDir(), "v1.db")
	makeV1Library(t, tmpl, entries)
	v1 := schemaFacts(t, tmpl)
	if !strings.HasPrefix(v1, "v1 ") || strings.Contains(v1, "rules") {
		t.Fatalf("template is not schema 1: %s", v1)
	}
	wantV2 := fmt.Sprintf("v%d ", library.SchemaVersion())
	fresh := func(t *testing.T) *hoardCLI {
		h := newHoardCLI(t)
		if err := os.MkdirAll(filepath.Dir(h.db), 0o755); err != nil {
			t.Fatal(err)
		}
		copyFile(t, tmpl, h.db, 0o644)
		return h
	}
	t.Run("fails halfway", func(t *testing.T) {
		// A stray table named like the second one 0002 creates: its first CREATE works,
		// the second fails, and the transaction must take the first back.
		h := fresh(t)
		conn := openSQL(t, h.db)
		if _, err := conn.Exec("CREATE TABLE saved_searches(x)"); err != nil {
			t.Fatal(err)
		}
		conn.Close()
		before := schemaFacts(t, h.db)
		r := h.fail(1, []string{"find", "--count", "tag1"}, "migration")
		t.Logf("failed migration: %s", strings.TrimSpace(r.stderr))
		if after := schemaFacts(t, h.db); after != before {
			t.Fatalf("a failed migration changed the library:\nbefore %s\nafter  %s", before, after)
		}
		integrityCheck(t, h.db)
		restoreBackup(t, h, before)
	})
	t.Run("no room for the backup", func(t *testing.T) {
		h := fresh(t)
		st, _ := os.Stat(h.db)
		mnt := filepath.Join(h.dir, "small")
		mountSizedTmpfs(t, mnt, fmt.Sprintf("%dk", st.Size()*3/2/1024))
		db := filepath.Join(mnt, "library.db")
		copyFile(t, h.db, db, 0o644)
		h.db = db
		r := h.fail(1, []string{"stats"}, "back up")
		t.Logf("no room for the backup: %s", strings.TrimSpace(r.stderr))
		if got := schemaFacts(t, h.db); got != v1 {
			t.Fatalf("library changed without its backup: %s", got)
		}
	})
	t.Run("killed at random points", func(t *testing.T) {
		n := runs(10, 100)
		rng := newRand(t)
		h := fresh(t)
		full := calibrate(t, fmt.Sprintf("migration of %d entries (backup included)", entries), func() { h.ok("stats") })
		migrated, untouched := 0, 0
		for i := range n {
			h := fresh(t)
			delay := time.Duration(rng.Int64N(int64(full) * 11 / 10))
			killAfter(t, h.command(context.Background(), "stats"), delay)
			integrityCheck(t, h.db)
			got := schemaFacts(t, h.db)
			switch {
			case got == v1:
				untouched++
			case strings.HasPrefix(got, wantV2) && strings.Contains(got, "rules") && strings.Contains(got, "saved_searches") &&
				strings.HasSuffix(got, v1[strings.Index(v1, " files="):]):
				migrated++
				// The library moved on: its backup must be whole.
				restoreBackup(t, h, v1)
			default:
				t.Fatalf("run %d (killed after %v): library half migrated: %s", i, delay, got)
			}
			if i%3 == 0 {
				h.ok("stats") // a re-run migrates
				if got := schemaFacts(t, h.db); !strings.HasPrefix(got, wantV2) {
					t.Fatalf("run %d: the re-run left %s", i, got)
				}
			}
		}
		t.Logf("%d migrations of %d entries SIGKILLed within %v: %d left at schema 1, %d fully migrated, none between", n, entries, full*11/10, untouched, migrated)
	})
}

// restoreBackup copies library.db.bak-v1 over the library (as a user would after a
// failed upgrade), shows it is the schema-1 library with all its data, and that Hoard
// migrates and uses it.
func restoreBackup(t *testing.T, h *hoardCLI, want string) {
	t.Helper()
	bak := h.db + ".bak-v1"
	if _, err := os.Stat(bak); err != nil {
		t.Fatalf("no backup: %v", err)
	}
	restored := filepath.Join(t.TempDir(), "restored.db")
	copyFile(t, bak, restored, 0o644)
	integrityCheck(t, restored)
	got := schemaFacts(t, restored)
	// The fails-halfway library has the stray table in its backup too; compare data.
	if got[strings.Index(got, " files="):] != want[strings.Index(want, " files="):] || !strings.HasPrefix(got, "v1 ") {
		t.Fatalf("backup holds %s, want %s", got, want)
	}
	if strings.Contains(want, "saved_searches") {
		return // the stray table would stop the migration again; the data is what counts
	}
	r := *h
	r.t = t
	r.db = restored
	r.ok("stats")
	if got := r.ok("find", "--count", "tag1 | -tag1"); got != fmt.Sprintf("%s\n", want[strings.Index(want, "files=")+6:strings.Index(want, " taggings")]) {
		t.Errorf("restored library finds %s entries, want %s", got, want)
	}
}
