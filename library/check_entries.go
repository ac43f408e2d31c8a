package library

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// entry is one row of files as the reconciler sees it, with what it decided.
type entry struct {
	id                 int64
	path               string // "" when displaced
	lostPath           string
	dev, inode         uint64
	btime, size, mtime int64
	hash               []byte
	missing            bool

	inScope  bool      // reported on (under the checked paths)
	own      *diskFile // the regular file at path, if any
	target   *diskFile // the file the entry is given
	how      matchHow
	skip     bool // could not be looked at: left alone
	reported bool // named in an ambiguous or unsure finding: not matched further
	taken    bool // another entry's file now sits at its path
}

type matchHow int

const (
	byIdentity matchHow = iota + 1 // same (dev, inode) and birth time
	byPath                         // the file at its path, another inode: replaced
	byHash                         // the only unindexed file with its content
)

// lastPath is the path to show: the current one, or the one it had before another
// entry took it.
func (e *entry) lastPath() string {
	if e.path != "" {
		return e.path
	}
	return e.lostPath
}

// sameFile reports whether f is the entry's file by identity: same device and inode,
// and the same birth time where both are known.
func (e *entry) sameFile(f *diskFile) bool {
	return f.facts.Dev == e.dev && f.facts.Inode == e.inode && btimeAgrees(e.btime, f.facts.Btime)
}

func btimeAgrees(a, b int64) bool { return a == 0 || b == 0 || a == b }

// statSame reports whether the file's stat facts are the ones recorded.
func (e *entry) statSame(f *diskFile) bool {
	return f.facts.Size == e.size && f.facts.MtimeNS == e.mtime
}

func (l *Library) loadEntries(ctx context.Context) ([]*entry, error) {
	rows, err := l.db.QueryContext(ctx, "SELECT id, path, lost_path, dev, inode, btime_ns, size, mtime_ns, hash, missing FROM files")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*entry
	var slab []entry // entries allocated in blocks: one allocation per 4096 rows
	for rows.Next() {
		if len(slab) == 0 {
			slab = make([]entry, 4096)
		}
		e := &slab[0]
		slab = slab[1:]
		var path, lost sql.NullString // BLOBs scanned straight into strings
		var dev, inode int64
		if err := rows.Scan(&e.id, &path, &lost, &dev, &inode, &e.btime, &e.size, &e.mtime, &e.hash, &e.missing); err != nil {
			return nil, err
		}
		e.path, e.lostPath = path.String, lost.String
		e.dev, e.inode = uint64(dev), uint64(inode)
		out = append(out, e)
	}
	return out, rows.Err()
}

// readAll reads (hashes, sniffs) the files not read yet, with workers goroutines. A
// file that cannot be read keeps its error in readErr.
func readAll(ctx context.Context, files []*diskFile, workers int, prog Progress, phase string) (n int, bytes int64, err error) {
	var todo []*diskFile
	seen := map[*diskFile]bool{}
	for _, f := range files {
		if !f.read && f.readErr == nil && !seen[f] {
			seen[f] = true
			todo = append(todo, f)
		}
	}
	if len(todo) == 0 {
		return 0, 0, nil
	}
	prog.Begin(phase, int64(len(todo)))
	defer prog.End()
	var next atomic.Int64
	var total atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(todo) || ctx.Err() != nil {
					return
				}
				f := todo[i]
				facts, err := ReadFacts(ctx, f.path)
				if err != nil {
					f.readErr = err
				} else {
					f.facts, f.read = facts, true
					total.Add(facts.Size)
				}
				prog.Advance(1, f.path)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	return len(todo), total.Load(), nil
}
