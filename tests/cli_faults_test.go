package tests

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
)

func openSQL(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func integrityCheck(t testing.TB, path string) {
	t.Helper()
	db := openSQL(t, path)
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
	if res != "ok" {
		t.Fatalf("integrity_check: %s", res)
	}
	rows, err := db.Query("PRAGMA foreign_key_check")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if rows.Next() {
		t.Fatal("foreign_key_check found violations")
	}
}

func TestCLIRefusesForeignDatabases(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, h *hoardCLI)
		wantErr string
	}{
		{"newer schema", func(t *testing.T, h *hoardCLI) {
			h.ok("init")
			db := openSQL(t, h.db)
			defer db.Close()
			if _, err := db.Exec("PRAGMA user_version = 999"); err != nil {
				t.Fatal(err)
			}
		}, "upgrade Hoard"},
		{"not sqlite", func(t *testing.T, h *hoardCLI) {
			writeFile(t, h.db, []byte(strings.Repeat("my precious notes\n", 100)))
		}, "not an SQLite database"},
		{"another program's sqlite", func(t *testing.T, h *hoardCLI) {
			writeFile(t, h.db, nil)
			db := openSQL(t, h.db)
			defer db.Close()
			if _, err := db.Exec("CREATE TABLE firefox(x); INSERT INTO firefox VALUES(1)"); err != nil {
				t.Fatal(err)
			}
		}, "another program"},
		{"truncated", func(t *testing.T, h *hoardCLI) {
			h.ok("init")
			h.ok("tags", "create", "x")
			if err := os.Truncate(h.db, 1000); err != nil {
				t.Fatal(err)
			}
			os.Remove(h.db + "-wal")
			os.Remove(h.db + "-shm")
		}, "nothing was changed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHoardCLI(t)
			tc.prepare(t, h)
			before := fileSum(t, h.db)
			for _, args := range [][]string{{"find", "x"}, {"tags", "create", "y"}, {"include", h.dir}, {"stats"}} {
				h.fail(1, args, tc.wantErr)
				if fileSum(t, h.db) != before {
					t.Fatalf("hoard %q changed the database file", args)
				}
			}
		})
	}
}

func TestCLISpecialFilesNeverBlock(t *testing.T) {
	h := newHoardCLI(t)
	root := filepath.Join(h.dir, "odd")
	writeFile(t, filepath.Join(root, "regular.txt"), []byte("ok"))
	if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(".", filepath.Join(root, "loop")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("self", filepath.Join(root, "self")); err != nil {
		t.Fatal(err)
	}
	want := []string{"fifo", "loop", "self"}
	err := syscall.Mknod(filepath.Join(root, "null"), syscall.S_IFCHR|0o666, 1<<8|3)
	switch {
	case err == nil:
		want = append(want, "null")
	case errors.Is(err, syscall.EPERM):
		t.Log("not root: no device node in this run")
	default:
		t.Fatal(err)
	}
	for _, follow := range []bool{false, true} {
		t.Run(fmt.Sprintf("follow=%v", follow), func(t *testing.T) {
			h := h.on(t)
			args := []string{"include", "-t", "odd", root}
			if follow {
				args = []string{"include", "--follow-symlinks", "-t", "odd", root}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			out, err := h.command(ctx, args...).CombinedOutput()
			if ctx.Err() != nil {
				t.Fatalf("hoard include blocked on a special file:\n%s", out)
			}
			if err != nil {
				t.Fatalf("include: %v\n%s", err, out)
			}
			for _, name := range want {
				if !strings.Contains(string(out), fmt.Sprintf("skipped %q", filepath.Join(root, name))) {
					t.Errorf("include output does not report %s as skipped:\n%s", name, out)
				}
			}
			if !strings.Contains(string(out), fmt.Sprintf("%d skipped", len(want))) {
				t.Errorf("summary does not count %d skipped:\n%s", len(want), out)
			}
			if got := h.find("odd"); len(got) != 1 || got[0] != filepath.Join(root, "regular.txt") {
				t.Errorf("indexed: %q", got)
			}
		})
	}
}

func TestCLIConcurrentWriters(t *testing.T) {
	h := newHoardCLI(t)
	root := filepath.Join(h.dir, "files")
	for i := range 10 {
		writeFile(t, filepath.Join(root, fmt.Sprintf("f%d.txt", i)), []byte{byte(i)})
	}
	h.ok("include", root)
	const writers, rounds = 3, 25
	var wg sync.WaitGroup
	errs := make(chan string, writers*rounds)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				file := filepath.Join(root, fmt.Sprintf("f%d.txt", i%10))
				args := []string{"tag", "-t", fmt.Sprintf("w%d-%d", w, i), "-t", "shared", file}
				if w == 2 {
					// The third writer includes (a different kind of write) while tagging.
					args = []string{"include", "-t", fmt.Sprintf("w%d-%d", w, i), file}
				}
				r := h.run(args...)
				if r.code != 0 {
					errs <- fmt.Sprintf("hoard %q: exit %d: %s", args, r.code, r.stderr)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	tags := lines(h.ok("tags", "list"))
	if len(tags) != writers*rounds+1 {
		t.Errorf("%d tags, want %d", len(tags), writers*rounds+1)
	}
	for w := range writers {
		for i := range rounds {
			if got := h.ok("find", "--count", fmt.Sprintf("w%d-%d", w, i)); got != "1\n" {
				t.Errorf("w%d-%d on %s files", w, i, got)
			}
		}
	}
	if got := h.ok("find", "--count", "shared"); got != "10\n" {
		t.Errorf("shared on %s files", got)
	}
	integrityCheck(t, h.db)
}

// TestCLIIncludeKilled SIGKILLs `hoard include` of many files at several points: the
// index must pass integrity_check, hold no file without its tags, and a re-run must
// finish the job.
func TestCLIIncludeKilled(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 3000
	}
	files := t.TempDir()
	for i := range n {
		dir := filepath.Join(files, fmt.Sprintf("d%02d", i%40))
		if i < 40 {
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("file %05d.txt", i)), []byte(fmt.Sprintf("content %d\n", i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := fmt.Sprintf("%d\n", n)
	for _, delay := range []time.Duration{100 * time.Millisecond, 400 * time.Millisecond, 900 * time.Millisecond, 1500 * time.Millisecond} {
		t.Run(delay.String(), func(t *testing.T) {
			h := newHoardCLI(t)
			h.ok("init")
			cmd := h.command(context.Background(), "include", "-t", "bulk", "-t", "batch:one", files)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(delay)
			cmd.Process.Signal(syscall.SIGKILL)
			err := cmd.Wait()
			killed := err != nil
			integrityCheck(t, h.db)
			all := h.ok("find", "--count")
			t.Logf("killed=%v after %v: %s files indexed", killed, delay, strings.TrimSpace(all))
			tagged := "0\n"
			if all != "0\n" {
				tagged = h.ok("find", "--count", "bulk batch:one") // the tags exist once a batch did
			}
			if all != tagged {
				t.Errorf("after the kill %s files but %s tagged: a batch was committed without its tags", all, tagged)
			}
			out := h.ok("include", "-t", "bulk", "-t", "batch:one", files)
			if !strings.HasPrefix(out, fmt.Sprintf("%d files found", n)) {
				t.Errorf("re-run: %q", out)
			}
			integrityCheck(t, h.db)
			if got := h.ok("find", "--count"); got != want {
				t.Errorf("after re-run %s files, want %s", got, want)
			}
			if got := h.ok("find", "--count", "bulk batch:one"); got != want {
				t.Errorf("after re-run %s tagged, want %s", got, want)
			}
		})
	}
}
