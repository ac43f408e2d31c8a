package library

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// diskFile is a regular file Check saw on disk.
type diskFile struct {
	path    string
	facts   Facts // stat facts; with Hash, MIME… once read
	read    bool  // facts came from ReadFacts
	readErr error
	walked  bool      // found by the walk, so a candidate for relinking or "new"
	claim   *entry    // the entry this file was given to
	held    bool      // named in a finding already (unsure, ambiguous): not "new", not relinked
	link    *diskFile // the next file with the same (dev, inode): a hard link
}

// diskSet is what the walk found, by path and by (dev, inode).
type diskSet struct {
	walked  []*diskFile
	byPath  map[string]*diskFile
	byInode map[[2]uint64]*diskFile // the first of a chain through link
}

func (d *diskSet) add(f *diskFile) {
	d.byPath[f.path] = f
	k := [2]uint64{f.facts.Dev, f.facts.Inode}
	f.link = d.byInode[k]
	d.byInode[k] = f
}

// withInode lists the files with the given (dev, inode).
func (d *diskSet) withInode(dev, inode uint64) []*diskFile {
	var out []*diskFile
	for f := d.byInode[[2]uint64{dev, inode}]; f != nil; f = f.link {
		out = append(out, f)
	}
	return out
}

// lookup returns the regular file at path: from the walk, or by a direct stat for a
// path the walk did not cover (outside the scope, or reached through a symlinked
// folder). It returns nil, nil when there is no regular file there, and an error when
// it cannot tell (a folder without permission), so the entry is not taken for missing.
func (d *diskSet) lookup(path string) (*diskFile, error) {
	if f, ok := d.byPath[path]; ok {
		return f, nil
	}
	facts, mode, err := statFacts(path)
	switch {
	case errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR):
		return nil, nil
	case err != nil:
		return nil, err
	case !mode.IsRegular():
		return nil, nil
	}
	f := &diskFile{path: path, facts: facts}
	d.add(f)
	return f, nil
}

// walkDisk lists the regular files under scope (not following symlinks) and stats
// them with workers goroutines. Only stat: no file is opened.
func walkDisk(ctx context.Context, scope []string, skip map[string]bool, workers int, prog Progress) (*diskSet, []Finding, error) {
	var paths []string
	var problems []Finding
	prog.Begin("scanning folders", -1)
	var walk func(dir string) error
	walk = func(dir string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		entries, err := readDirUnsorted(dir)
		if err != nil {
			problems = append(problems, Finding{Kind: KindUnreadable, Path: dir, Detail: "cannot read folder: " + errText(err)})
		}
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			switch t := e.Type(); {
			case t.IsDir():
				if err := walk(p); err != nil {
					return err
				}
			case t.IsRegular():
				if !skip[p] {
					paths = append(paths, p)
				}
			}
		}
		prog.Advance(1, dir)
		return nil
	}
	for _, s := range scope {
		st, err := os.Lstat(s)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue // a folder that is gone: its entries are found missing below
		case err != nil:
			problems = append(problems, Finding{Kind: KindUnreadable, Path: s, Detail: errText(err)})
		case st.IsDir():
			if err := walk(s); err != nil {
				prog.End()
				return nil, nil, err
			}
		case st.Mode().IsRegular():
			paths = append(paths, s)
		}
	}
	prog.End()

	// One allocation for all the files: a 100k-file walk would otherwise make 100k.
	files := make([]diskFile, len(paths))
	errs := make([]error, len(paths))
	prog.Begin("looking at files", int64(len(paths)))
	var next atomic.Int64
	var wg sync.WaitGroup
	const step = 256
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(step)) - step
				if lo >= len(paths) || ctx.Err() != nil {
					return
				}
				hi := min(lo+step, len(paths))
				for i := lo; i < hi; i++ {
					facts, mode, err := statFacts(paths[i])
					switch {
					case err != nil:
						errs[i] = err
					case mode.IsRegular():
						files[i] = diskFile{path: paths[i], facts: facts, walked: true}
					}
				}
				prog.Advance(int64(hi-lo), paths[hi-1])
			}
		}()
	}
	wg.Wait()
	prog.End()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	d := &diskSet{
		walked:  make([]*diskFile, 0, len(paths)),
		byPath:  make(map[string]*diskFile, len(paths)),
		byInode: make(map[[2]uint64]*diskFile, len(paths)),
	}
	for i := range files {
		f := &files[i]
		switch {
		case f.walked:
			d.walked = append(d.walked, f)
			d.add(f)
		case errs[i] != nil && !errors.Is(errs[i], unix.ENOENT):
			// ENOENT: deleted since the listing; anything else is worth saying.
			problems = append(problems, Finding{Kind: KindUnreadable, Path: paths[i], Detail: errText(errs[i])})
		}
	}
	return d, problems, nil
}

// readDirUnsorted lists a folder without sorting (os.ReadDir sorts, which a check does
// not need).
func readDirUnsorted(dir string) ([]fs.DirEntry, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var all []fs.DirEntry
	for {
		batch, err := f.ReadDir(4096)
		all = append(all, batch...)
		if err == io.EOF {
			return all, nil
		}
		if err != nil {
			return all, err
		}
	}
}
