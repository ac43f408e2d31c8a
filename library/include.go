package library

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Rule derives tags for a file at include time (folder names, a regular expression,
// MIME class, audio tags, EXIF, …). Its tags are recorded with SourceRule and its Name.
type Rule interface {
	Name() string
	Tags(ctx context.Context, path string, facts Facts) ([]string, error)
}

// IncludeOptions tune Include.
type IncludeOptions struct {
	Tags           []string // applied to every file
	Rules          []Rule
	Strict         bool // unknown tags are an error instead of being created
	DryRun         bool // count what would happen; change nothing
	FollowSymlinks bool // follow symlinks to files and folders (loops are detected)
	Workers        int  // hashing goroutines; 0 = one per CPU
	// Pause, if set, is called by each worker before each file; a window blocks it
	// while it is late drawing a frame, so the import steps aside for the frame.
	Pause func(context.Context)
}

// IncludeResult says what Include did (or, with DryRun, would do).
type IncludeResult struct {
	Found     int   // regular files found
	Added     int   // new entries
	Updated   int   // already indexed: facts refreshed or found again
	Unchanged int   // already indexed and unchanged
	Tagged    int   // new taggings made
	Bytes     int64 // bytes read to hash
	Skipped   []Skipped
}

// Skipped names a path Include passed over and why.
type Skipped struct {
	Path   string
	Reason string
}

// Include indexes the files at paths (folders recurse) and tags them. Already indexed
// files just get the new tags (and fresh facts if they changed). Work is committed in
// batches, each atomic, so a kill or a cancel leaves a consistent index and a re-run
// finishes the job.
func (l *Library) Include(ctx context.Context, paths []string, opts IncludeOptions, prog Progress) (IncludeResult, error) {
	prog = orNoProgress(prog)
	var res IncludeResult
	if opts.Strict || opts.DryRun {
		for _, t := range opts.Tags {
			if _, err := NormalizeTagName(t); err != nil {
				return res, err
			}
			if _, err := lookupTag(ctx, l.db, t); err != nil {
				var ut *UnknownTagError
				if errors.As(err, &ut) && !opts.Strict {
					continue
				}
				return res, fmt.Errorf("%w (drop --strict to create it)", l.withNearest(ctx, err))
			}
		}
	} else {
		for _, t := range opts.Tags {
			if _, err := NormalizeTagName(t); err != nil {
				return res, err
			}
		}
	}

	prog.Begin("scanning", -1)
	files, roots, folders, skipped, err := scan(ctx, paths, opts.FollowSymlinks, prog)
	prog.End()
	res.Skipped = skipped
	res.Found = len(files)
	if err != nil {
		return res, err
	}
	if opts.DryRun {
		return l.dryRun(ctx, files, res)
	}
	return l.ingest(ctx, files, roots, folders, opts, prog, res)
}

// scan walks the arguments and returns the regular files found (in walk order), the
// root folders they establish, the folders among the arguments, and what it skipped.
func scan(ctx context.Context, paths []string, follow bool, prog Progress) (files, roots, folders []string, skipped []Skipped, err error) {
	seenDirs := map[[2]uint64]bool{}
	seenFiles := map[string]bool{}
	addFile := func(p string) {
		if !seenFiles[p] {
			seenFiles[p] = true
			files = append(files, p)
			prog.Advance(1, p)
		}
	}
	var walk func(dir string) error
	walk = func(dir string) error {
		// Identify the folder itself, not a symlink leading to it (stat follows), so
		// a link back to an ancestor is seen as a loop before it is walked again.
		var st unix.Stat_t
		if err := unix.Stat(dir, &st); err == nil {
			key := [2]uint64{st.Dev, st.Ino}
			if seenDirs[key] {
				skipped = append(skipped, Skipped{dir, "folder already visited (symlink loop)"})
				return nil
			}
			seenDirs[key] = true
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			skipped = append(skipped, Skipped{dir, "cannot read folder: " + errText(err)})
			return nil
		}
		for _, e := range entries {
			if err := ctx.Err(); err != nil {
				return err
			}
			p := filepath.Join(dir, e.Name())
			switch t := e.Type(); {
			case t.IsDir():
				if err := walk(p); err != nil {
					return err
				}
			case t.IsRegular():
				addFile(p)
			case t&fs.ModeSymlink != 0:
				if !follow {
					skipped = append(skipped, Skipped{p, "symlink (pass --follow-symlinks to follow)"})
					continue
				}
				st, err := os.Stat(p)
				switch {
				case err != nil:
					skipped = append(skipped, Skipped{p, "broken symlink: " + errText(err)})
				case st.IsDir():
					if err := walk(p); err != nil {
						return err
					}
				case st.Mode().IsRegular():
					addFile(p)
				default:
					skipped = append(skipped, Skipped{p, "not a regular file"})
				}
			default:
				skipped = append(skipped, Skipped{p, "not a regular file (" + kindName(t) + ")"})
			}
		}
		return nil
	}
	for _, arg := range paths {
		abs, err := filepath.Abs(arg)
		if err != nil {
			return nil, nil, nil, nil, fmt.Errorf("%s: %w", arg, err)
		}
		st, err := os.Lstat(abs)
		if err != nil {
			return nil, nil, nil, nil, fmt.Errorf("include %s: %w", abs, err)
		}
		if st.Mode()&fs.ModeSymlink != 0 && follow {
			if st, err = os.Stat(abs); err != nil {
				return nil, nil, nil, nil, fmt.Errorf("include %s: %w", abs, err)
			}
		}
		switch {
		case st.IsDir():
			roots = append(roots, abs)
			folders = append(folders, abs)
			if err := walk(abs); err != nil {
				return nil, nil, nil, nil, err
			}
		case st.Mode().IsRegular():
			roots = append(roots, filepath.Dir(abs))
			addFile(abs)
		case st.Mode()&fs.ModeSymlink != 0:
			skipped = append(skipped, Skipped{abs, "symlink (pass --follow-symlinks to follow)"})
		default:
			skipped = append(skipped, Skipped{abs, "not a regular file (" + kindName(st.Mode().Type()) + ")"})
		}
	}
	return files, roots, folders, skipped, nil
}

func kindName(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "FIFO"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "block device"
	}
	return m.String()
}

func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func (l *Library) dryRun(ctx context.Context, files []string, res IncludeResult) (IncludeResult, error) {
	s, err := l.stmt(ctx, "SELECT count(*) FROM files WHERE path = ?")
	if err != nil {
		return res, err
	}
	for _, p := range files {
		var n int
		if err := s.QueryRowContext(ctx, []byte(p)).Scan(&n); err != nil {
			return res, err
		}
		if n == 0 {
			res.Added++
		} else {
			res.Unchanged++
		}
	}
	return res, nil
}

// scanned is one file after a worker looked at it.
type scanned struct {
	path     string
	id       int64 // existing entry, or 0
	facts    Facts
	changed  bool // existing entry whose facts must be refreshed
	wasGone  bool // existing entry that was missing
	ruleTags map[string][]string
	err      error
}

const batchSize = 2000

func (l *Library) ingest(ctx context.Context, files, roots, folders []string, opts IncludeOptions, prog Progress, res IncludeResult) (IncludeResult, error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	known, err := l.knownEntries(ctx, folders, files)
	if err != nil {
		return res, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan string, 256)
	out := make(chan scanned, 256)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				if opts.Pause != nil {
					opts.Pause(ctx)
				}
				s := look(ctx, known, p, opts.Rules)
				select {
				case out <- s:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, p := range files {
			select {
			case jobs <- p:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(out) }()

	prog.Begin("indexing", int64(len(files)))
	defer prog.End()
	first := true
	batch := make([]scanned, 0, batchSize)
	flush := func() error {
		if len(batch) == 0 && !first {
			return nil
		}
		err := l.write(ctx, func(tx *sql.Tx) error {
			if first {
				if err := addRoots(ctx, tx, roots); err != nil {
					return fmt.Errorf("record roots: %w", err)
				}
			}
			return writeBatch(ctx, tx, batch, opts, &res)
		})
		if err != nil {
			return err
		}
		first = false
		for _, s := range batch {
			prog.Advance(1, s.path)
		}
		batch = batch[:0]
		return nil
	}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case s, ok := <-out:
			if !ok {
				if err := ctx.Err(); err != nil {
					return res, err
				}
				if err := flush(); err != nil {
					return res, err
				}
				sort.Slice(res.Skipped, func(i, j int) bool { return res.Skipped[i].Path < res.Skipped[j].Path })
				return res, nil
			}
			if s.err != nil {
				res.Skipped = append(res.Skipped, Skipped{s.path, errText(s.err)})
				prog.Advance(1, s.path)
				continue
			}
			res.Bytes += s.facts.Size
			batch = append(batch, s)
			if len(batch) >= batchSize {
				if err := flush(); err != nil {
					return res, err
				}
			}
		case <-tick.C:
			if err := flush(); err != nil {
				return res, err
			}
		case <-ctx.Done():
			return res, ctx.Err()
		}
	}
}

// known is what the index already holds about a path.
type known struct {
	id, dev, inode, size, mtime int64
	missing                     bool
}

// knownEntries loads the entries already indexed below the folders being included in
// one range scan per folder, and the other files one by one, so workers never query
// per file (on a fresh include this returns nothing at once).
func (l *Library) knownEntries(ctx context.Context, folders, files []string) (map[string]known, error) {
	out := map[string]known{}
	scan := func(rows *sql.Rows, err error) error {
		if err != nil {
			return fmt.Errorf("load indexed entries: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var p []byte
			var k known
			if err := rows.Scan(&p, &k.id, &k.dev, &k.inode, &k.size, &k.mtime, &k.missing); err != nil {
				return err
			}
			out[string(p)] = k
		}
		return rows.Err()
	}
	const cols = "SELECT path, id, dev, inode, size, mtime_ns, missing FROM files "
	folders = collapseRoots(append([]string(nil), folders...))
	for _, r := range folders {
		lo, hi := dirRange(r)
		if err := scan(l.db.QueryContext(ctx, cols+"WHERE path >= ? AND path < ?", lo, hi)); err != nil {
			return nil, err
		}
	}
	for _, f := range files {
		if underAny(f, folders) {
			continue
		}
		if err := scan(l.db.QueryContext(ctx, cols+"WHERE path = ?", []byte(f))); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func underAny(path string, dirs []string) bool {
	for _, d := range dirs {
		if underOrAt(path, d) {
			return true
		}
	}
	return false
}

// look decides what a file needs: nothing (indexed and unchanged), or its facts read.
func look(ctx context.Context, index map[string]known, path string, rules []Rule) scanned {
	s := scanned{path: path}
	k, indexed := index[path]
	if indexed {
		s.id = k.id
	}
	if indexed && !k.missing && len(rules) == 0 {
		st, _, err := statFacts(path)
		if err == nil && int64(st.Dev) == k.dev && int64(st.Inode) == k.inode && st.Size == k.size && st.MtimeNS == k.mtime {
			return s
		}
	}
	s.facts, s.err = ReadFacts(ctx, path)
	if s.err != nil {
		return s
	}
	if indexed {
		s.wasGone = k.missing
		s.changed = k.missing || int64(s.facts.Dev) != k.dev || int64(s.facts.Inode) != k.inode || s.facts.Size != k.size || s.facts.MtimeNS != k.mtime
	}
	for _, r := range rules {
		tags, err := r.Tags(ctx, path, s.facts)
		if err != nil {
			continue // a rule that cannot read a file adds nothing; the file is still indexed
		}
		if len(tags) > 0 {
			if s.ruleTags == nil {
				s.ruleTags = map[string][]string{}
			}
			s.ruleTags[r.Name()] = append(s.ruleTags[r.Name()], tags...)
		}
	}
	return s
}

func writeBatch(ctx context.Context, tx *sql.Tx, batch []scanned, opts IncludeOptions, res *IncludeResult) error {
	now := time.Now()
	ids := make([]int64, 0, len(batch))
	var fresh []uint32
	var found []int64
	type ruleKey struct{ rule, tag string }
	ruleFiles := map[ruleKey][]int64{}
	// One prepared insert for the batch: preparing per row costs more than the insert.
	ins, err := tx.PrepareContext(ctx, insertFileSQL)
	if err != nil {
		return fmt.Errorf("prepare insert: %w", err)
	}
	defer ins.Close()
	for _, s := range batch {
		id := s.id
		switch {
		case id == 0:
			r, err := ins.ExecContext(ctx, insertFileArgs(s.path, s.facts, now)...)
			if err != nil {
				return fmt.Errorf("add %s: %w", s.path, err)
			}
			if id, err = r.LastInsertId(); err != nil {
				return err
			}
			fresh = append(fresh, uint32(id))
			res.Added++
		case s.changed:
			if err := updateFacts(ctx, tx, id, s.facts); err != nil {
				return err
			}
			if s.wasGone {
				found = append(found, id)
			}
			res.Updated++
		default:
			res.Unchanged++
		}
		ids = append(ids, id)
		for rule, tags := range s.ruleTags {
			for _, t := range tags {
				ruleFiles[ruleKey{rule, t}] = append(ruleFiles[ruleKey{rule, t}], id)
			}
		}
	}
	if err := setPostings(setAll).update(ctx, tx, fresh, nil); err != nil {
		return err
	}
	if err := markMissing(ctx, tx, found, false); err != nil {
		return err
	}
	tagIDs, err := ensureTags(ctx, tx, opts.Tags, !opts.Strict)
	if err != nil {
		return err
	}
	n, err := attachTags(ctx, tx, ids, tagIDs, SourceManual, "")
	if err != nil {
		return err
	}
	res.Tagged += n
	for k, fileIDs := range ruleFiles {
		name, err := NormalizeTagName(k.tag)
		if err != nil {
			continue // a rule produced an unusable name; skip that tag only
		}
		tagIDs, err := ensureTags(ctx, tx, []string{name}, true)
		if err != nil {
			return err
		}
		n, err := attachTags(ctx, tx, fileIDs, tagIDs, SourceRule, k.rule)
		if err != nil {
			return err
		}
		res.Tagged += n
	}
	return bumpGeneration(ctx, tx)
}
