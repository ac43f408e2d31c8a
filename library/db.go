package library

import (
	"context"
	"database/sql"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	sqlite3 "github.com/mattn/go-sqlite3"
	"golang.org/x/sys/unix"
)

//go:embed sql/migrations/*.sql
var migrationFiles embed.FS

// applicationID marks a SQLite file as a Hoard library ("HOAR").
const applicationID = 0x484f4152

// driverName is go-sqlite3 with a connect hook that maps the file into memory: reads of
// a warm library then cost no syscalls (a sorted page of 20k results touches 20k rows).
const driverName = "sqlite3_hoard"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec("PRAGMA mmap_size = 1073741824", nil)
			return err
		},
	})
}

// Library is an open Hoard index. It is safe for concurrent use; several processes may
// open the same file at once (WAL, busy timeout, BEGIN IMMEDIATE writes).
type Library struct {
	db   *sql.DB
	path string
	// readOnly says why writes are refused ("" when they are not): the file or its
	// folder cannot be written (a read-only mount, chmod 0444), so it was opened for
	// reading only.
	readOnly string

	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt
}

// Options tune Open.
type Options struct {
	// ReadOnly opens the file without creating or migrating it.
	ReadOnly bool
}

// DefaultPath is where the library lives unless --db or HOARD_DB say otherwise:
// $XDG_DATA_HOME/hoard/library.db.
func DefaultPath() string {
	if p := os.Getenv("HOARD_DB"); p != "" {
		return p
	}
	data := os.Getenv("XDG_DATA_HOME")
	if data == "" || !filepath.IsAbs(data) {
		home, err := os.UserHomeDir()
		if err != nil {
			home = "/"
		}
		data = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(data, "hoard", "library.db")
}

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() []migration {
	entries, err := fs.ReadDir(migrationFiles, "sql/migrations")
	if err != nil {
		panic("bug: embedded migrations: " + err.Error())
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "-")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			panic("bug: migration file without a number: " + e.Name())
		}
		body, err := migrationFiles.ReadFile("sql/migrations/" + e.Name())
		if err != nil {
			panic("bug: " + err.Error())
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			panic(fmt.Sprintf("bug: migration %s out of sequence", m.name))
		}
	}
	return ms
}

// SchemaVersion is the schema this build writes.
func SchemaVersion() int { return len(migrations()) }

func dsn(path string, readOnly, immutable bool) string {
	q := url.Values{}
	if immutable {
		// Nobody can change the file (read-only mount): SQLite then needs no -shm file,
		// which it could not create there.
		q.Set("immutable", "1")
	} else {
		q.Set("_journal_mode", "WAL")
	}
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "30000")
	q.Set("_synchronous", "NORMAL")
	q.Set("_txlock", "immediate")
	q.Set("_cache_size", "-65536")   // 64 MiB of page cache per connection
	q.Set("_stmt_cache_size", "128") // re-running the same SQL text skips preparing
	if readOnly {
		q.Set("mode", "ro")
	}
	u := url.URL{Scheme: "file", Opaque: (&url.URL{Path: path}).EscapedPath()}
	return u.String() + "?" + q.Encode()
}

// Open opens (creating it if needed) the library at path and brings its schema up to
// date, copying the file aside first when a migration has to run. A file that is not a
// SQLite database, belongs to another program or was written by a newer Hoard is
// refused and left untouched.
func Open(ctx context.Context, path string, opts Options) (*Library, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open library %s: %w", path, err)
	}
	existed := false
	if st, err := os.Stat(abs); err == nil {
		if st.IsDir() {
			return nil, fmt.Errorf("open library %s: it is a directory; give the path of a .db file", abs)
		}
		existed = st.Size() > 0
	} else if errors.Is(err, fs.ErrNotExist) {
		if opts.ReadOnly {
			return nil, fmt.Errorf("open library %s: %w (run `hoard init` first)", abs, ErrNoLibrary)
		}
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			return nil, fmt.Errorf("create library folder: %w", err)
		}
	} else {
		return nil, fmt.Errorf("open library %s: %w", abs, err)
	}
	if existed {
		if err := checkHeader(abs); err != nil {
			return nil, err
		}
	}
	readOnly, immutable, why := opts.ReadOnly, false, ""
	if existed {
		// A file we may not write is still worth reading: open it read-only and refuse
		// writes with a clear message, instead of failing to open at all.
		why, immutable = unwritable(abs)
		readOnly = readOnly || why != ""
	}
	db, err := sql.Open(driverName, dsn(abs, readOnly, immutable))
	if err != nil {
		return nil, fmt.Errorf("open library %s: %w", abs, err)
	}
	l := &Library{db: db, path: abs, readOnly: why, stmts: map[string]*sql.Stmt{}}
	if err := l.migrate(ctx, readOnly); err != nil {
		db.Close()
		return nil, err
	}
	return l, nil
}

// unwritable says why the library file at path cannot be written ("" when it can):
// SQLite needs the file and, for its -wal and -shm files, its folder. immutable is
// true on a read-only filesystem with no WAL left to read: nothing can change the file.
func unwritable(path string) (why string, immutable bool) {
	for _, p := range []string{path, filepath.Dir(path)} {
		switch err := unix.Access(p, unix.W_OK); {
		case errors.Is(err, unix.EROFS):
			st, err := os.Stat(path + "-wal")
			return "it is on a read-only filesystem", err != nil || st.Size() == 0
		case errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM):
			if p == path {
				return "the file is not writable (check its permissions)", false
			}
			return "its folder is not writable (check its permissions)", false
		}
	}
	return "", false
}

// checkHeader refuses a file that is not SQLite before the driver gets a chance to
// treat it as one.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open library %s: %w", path, err)
	}
	defer f.Close()
	hdr := make([]byte, 100)
	n, _ := io.ReadFull(f, hdr)
	if n < 16 || string(hdr[:16]) != "SQLite format 3\x00" {
		return fmt.Errorf("open library %s: %w: it is not an SQLite database; nothing was changed (move it away or pass another --db)", path, ErrNotLibrary)
	}
	if n < 100 {
		return fmt.Errorf("open library %s: %w: the file is damaged (truncated header); nothing was changed", path, ErrNotLibrary)
	}
	// Refuse another program's database from its header alone: opening it through the
	// driver would already switch it to WAL mode, changing the file.
	userVersion := binary.BigEndian.Uint32(hdr[60:64])
	appID := binary.BigEndian.Uint32(hdr[68:72])
	pages := binary.BigEndian.Uint32(hdr[28:32])
	if appID != applicationID && (userVersion != 0 || pages > 1) {
		return fmt.Errorf("open library %s: %w: it is another program's SQLite database; nothing was changed", path, ErrNotLibrary)
	}
	return nil
}

func (l *Library) migrate(ctx context.Context, readOnly bool) error {
	ms := migrations()
	var version, appID int
	if err := l.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return l.openError(err)
	}
	if err := l.db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return l.openError(err)
	}
	if version > len(ms) {
		return fmt.Errorf("open library %s: %w: it has schema %d and this Hoard knows up to %d; upgrade Hoard (nothing was changed)", l.path, ErrNewerSchema, version, len(ms))
	}
	if version == 0 {
		var n int
		if err := l.db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
			return l.openError(err)
		}
		if n > 0 && appID != applicationID {
			return fmt.Errorf("open library %s: %w: it is another program's SQLite database; nothing was changed", l.path, ErrNotLibrary)
		}
	} else if appID != applicationID {
		return fmt.Errorf("open library %s: %w: it is another program's SQLite database; nothing was changed", l.path, ErrNotLibrary)
	}
	if version == len(ms) {
		return nil
	}
	if readOnly {
		return fmt.Errorf("open library %s: schema %d needs upgrading to %d; open it writable once", l.path, version, len(ms))
	}
	if version > 0 {
		backup := fmt.Sprintf("%s.bak-v%d", l.path, version)
		os.Remove(backup)
		if _, err := l.db.ExecContext(ctx, "VACUUM INTO ?", backup); err != nil {
			return fmt.Errorf("back up library before migrating: %w", err)
		}
	}
	return l.write(ctx, func(tx *sql.Tx) error {
		// Re-read inside the write lock: another process may have migrated meanwhile.
		var cur int
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&cur); err != nil {
			return err
		}
		for _, m := range ms[cur:] {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(ms))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", applicationID)); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
		if err != nil {
			return err
		}
		defer rows.Close()
		if rows.Next() {
			return errors.New("foreign key check failed after migration")
		}
		return rows.Err()
	})
}

func (l *Library) openError(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrNotADB || se.Code == sqlite3.ErrCorrupt) {
		return fmt.Errorf("open library %s: %w: the file is damaged or not a database; nothing was changed", l.path, ErrNotLibrary)
	}
	return fmt.Errorf("open library %s: %w", l.path, err)
}

// Path is the library file's absolute path.
func (l *Library) Path() string { return l.path }

// Close closes the library.
func (l *Library) Close() error {
	l.stmtMu.Lock()
	for _, s := range l.stmts {
		s.Close()
	}
	l.stmts = nil
	l.stmtMu.Unlock()
	return l.db.Close()
}

// write runs fn in one BEGIN IMMEDIATE transaction, committed only if fn returns nil.
func (l *Library) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if l.readOnly != "" {
		return fmt.Errorf("change library %s: %w: %s; nothing was changed", l.path, ErrReadOnly, l.readOnly)
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// stmt returns a prepared statement cached by its SQL text.
func (l *Library) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	l.stmtMu.Lock()
	defer l.stmtMu.Unlock()
	if s, ok := l.stmts[query]; ok {
		return s, nil
	}
	s, err := l.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	l.stmts[query] = s
	return s, nil
}

// DataVersion changes whenever another connection (another process too) commits to the
// library; the GUI polls it to refresh after a CLI change.
func (l *Library) DataVersion(ctx context.Context) (int64, error) {
	// data_version is per connection; count commits from all connections instead by
	// reading the WAL-independent change counter kept in meta by every write.
	var v int64
	err := l.db.QueryRowContext(ctx, "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0)").Scan(&v)
	return v, err
}

// bumpGeneration records that the library changed; call inside every write transaction.
func bumpGeneration(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES('generation', '1')
		ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`)
	return err
}
