package library

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"
)

// CheckOptions tune Check.
type CheckOptions struct {
	// Paths limits the walk to these files or folders; empty means the library's roots
	// (and every entry, wherever it is).
	Paths []string
	// Repair applies every certain repair in one transaction. Without it the library
	// is not changed.
	Repair bool
	// Full re-hashes every file, not only those whose stat facts changed.
	Full bool
	// Workers is how many goroutines stat and hash; 0 = one per CPU.
	Workers int
}

// FindingKind names what Check found about an entry, a file or the database.
type FindingKind string

// Finding kinds. Problems (everything but StillMissing, Duplicate and New) make
// `hoard check` exit 3 unless they were repaired.
const (
	// KindMoved: the entry's file is at another path (same inode and birth time, or
	// the only file with its content). Repair: the entry takes the new path.
	KindMoved FindingKind = "moved"
	// KindMovedModified: the file moved and its content changed (same inode and birth
	// time). Repair: new path, re-hashed facts.
	KindMovedModified FindingKind = "moved-modified"
	// KindModified: the file at the entry's path has other content (edited in place,
	// or replaced by an editor's atomic save). Repair: re-hashed facts; tags stay.
	KindModified FindingKind = "modified"
	// KindStale: the stat facts changed but the content did not (touched, or replaced
	// by an identical copy). Repair: refreshed facts.
	KindStale FindingKind = "stale"
	// KindFound: an entry marked missing has a file at its path again. Repair: present
	// again, re-hashed.
	KindFound FindingKind = "found"
	// KindMissing: no file for the entry. Repair marks a present entry missing; a
	// missing entry is never removed by a check (use `hoard rm`).
	KindMissing FindingKind = "missing"
	// KindStillMissing: an entry already marked missing still has no file
	// (information: the index is right; put the file back or `hoard rm` the entry).
	KindStillMissing FindingKind = "still-missing"
	// KindAmbiguous: several files (or entries) match; nothing is guessed.
	KindAmbiguous FindingKind = "ambiguous"
	// KindUnsure: a file has the entry's inode but other content, and the filesystem
	// records no birth time, so it may be another file that reused the inode: reported,
	// not relinked.
	KindUnsure FindingKind = "unsure"
	// KindUnreadable: a file could not be read or stat'ed.
	KindUnreadable FindingKind = "unreadable"
	// KindIntegrity: the database itself is damaged or out of step with itself
	// (integrity_check, foreign keys, orphaned rows, posting lists, counters).
	KindIntegrity FindingKind = "integrity"
	// KindDuplicate: the same content at several indexed paths (information).
	KindDuplicate FindingKind = "duplicate"
	// KindNew: a file in an indexed folder that is not in the library (information;
	// a check never adds files).
	KindNew FindingKind = "new"
)

// IsProblem reports whether a finding of this kind means the index is not in line
// with the disk.
func (k FindingKind) IsProblem() bool {
	return k != KindNew && k != KindDuplicate && k != KindStillMissing
}

// Finding is one line of a check report.
type Finding struct {
	Kind FindingKind `json:"kind"`
	// ID is the entry concerned, 0 for a file that is not indexed or for the database.
	ID int64 `json:"id,omitempty"`
	// Path is the entry's path as the index had it (its last path when missing), or
	// the file's path for KindNew.
	Path string `json:"path,omitempty"`
	// NewPath is where the file is now (moved, moved-modified).
	NewPath string `json:"new_path,omitempty"`
	// Paths are the paths involved: the duplicates, or the candidates of an ambiguous
	// match.
	Paths []string `json:"paths,omitempty"`
	// Detail says more, for people.
	Detail string `json:"detail,omitempty"`
	// Repairable is set when Repair would fix it; Repaired when it did.
	Repairable bool `json:"repairable,omitempty"`
	Repaired   bool `json:"repaired,omitempty"`
}

// Problem reports whether the finding is a problem left unrepaired.
func (f Finding) Problem() bool { return f.Kind.IsProblem() && !f.Repaired }

// CheckReport is what Check found and, with Repair, did.
type CheckReport struct {
	Findings    []Finding
	Entries     int           // entries looked at
	OK          int           // of them, in line with the disk
	Files       int           // files seen on disk
	HashedFiles int           // files whose content was read
	HashedBytes int64         // bytes read to hash
	Repaired    int           // findings repaired
	RootsAdded  []string      // folders the repair added to the library's roots
	Elapsed     time.Duration // wall time
	// Damaged is set when the database file itself is damaged (integrity_check fails,
	// or a read hits the damage): the findings say where, nothing is repaired, and
	// Advice says what to do.
	Damaged bool
	Advice  string
}

// Counts tallies the findings by kind.
func (r *CheckReport) Counts() map[FindingKind]int {
	out := map[FindingKind]int{}
	for _, f := range r.Findings {
		out[f.Kind]++
	}
	return out
}

// Problems counts the problems left unrepaired.
func (r *CheckReport) Problems() int {
	n := 0
	for _, f := range r.Findings {
		if f.Problem() {
			n++
		}
	}
	return n
}

// Repairable counts the findings a repair would fix (and has not yet).
func (r *CheckReport) Repairable() int {
	n := 0
	for _, f := range r.Findings {
		if f.Repairable && !f.Repaired {
			n++
		}
	}
	return n
}

// Check reconciles the index with the disk: it walks the library's roots (or
// opts.Paths), stats every file and compares it with its entry, reading contents only
// where the stat facts changed (or everything with Full), matches entries whose file is
// gone to unindexed files by (dev, inode, birth time) and then by content hash, and
// checks the database's own integrity. With Repair it applies what is certain in one
// transaction; tags, pools and added times are kept and no entry is ever removed.
// A damaged database file is not an error: the damage is reported as integrity
// findings (with Damaged and Advice set), the rest is checked as far as it can be
// read, and nothing is repaired.
// It honours ctx's cancellation and reports progress through prog.
func (l *Library) Check(ctx context.Context, opts CheckOptions, prog Progress) (*CheckReport, error) {
	start := time.Now()
	prog = orNoProgress(prog)
	if opts.Workers <= 0 {
		opts.Workers = runtime.NumCPU()
	}
	rep := &CheckReport{}
	// A damaged file fails the reads that reach the damage; each such part becomes a
	// finding and the check goes on with the rest.
	var unread damageNotes
	gen, err := l.DataVersion(ctx)
	if err := unread.note("the library's change counter", err); err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	scope, whole, err := l.checkScope(ctx, opts.Paths)
	if err := unread.note("the library's folders", err); err != nil {
		return nil, err
	}
	compare := err == nil // the disk can be compared with the index
	skip := map[string]bool{}
	for _, s := range []string{"", "-wal", "-shm", "-journal"} {
		skip[l.path+s] = true
	}
	// The database checks and loading the entries are CPU work inside SQLite, the
	// walk is mostly system calls: run the three side by side, each on its own
	// connection. Only the walk reports progress.
	var integ *integrity
	var entries []*entry
	var integErr, loadErr error
	var wg sync.WaitGroup
	wg.Go(func() { integ, integErr = l.checkIntegrity(ctx) })
	wg.Go(func() { entries, loadErr = l.loadEntries(ctx) })
	disk, unreadable, walkErr := walkDisk(ctx, scope, skip, opts.Workers, prog)
	prog.Begin("checking database", -1)
	wg.Wait()
	prog.End()
	switch {
	case walkErr != nil:
		return nil, walkErr
	case integErr != nil:
		return nil, fmt.Errorf("check database: %w", integErr)
	}
	if err := unread.note("the entries", loadErr); err != nil {
		return nil, fmt.Errorf("check: load entries: %w", err)
	}
	compare = compare && loadErr == nil
	rep.Damaged = integ.damaged || len(unread) > 0
	rep.Findings = append(rep.Findings, integ.findings...)
	rep.Findings = append(rep.Findings, unread.findings(compare)...)
	rep.Findings = append(rep.Findings, unreadable...)
	rep.Files = len(disk.walked)

	var r *reconciler
	if compare {
		r = newReconciler(ctx, entries, disk, scope, whole, opts, prog)
		if err := r.run(); err != nil {
			return nil, err
		}
		rep.Findings = append(rep.Findings, r.findings...)
		rep.Entries, rep.OK = r.checked, r.ok
		rep.HashedFiles, rep.HashedBytes = r.hashedFiles, r.hashedBytes
	}
	sortFindings(rep.Findings)

	if rep.Damaged {
		// Writing into a damaged file can make it worse: nothing is repaired, so
		// nothing is repairable either.
		rep.Advice = l.damageAdvice()
		for i := range rep.Findings {
			rep.Findings[i].Repairable = false
		}
		rep.Elapsed = time.Since(start)
		return rep, nil
	}
	if opts.Repair && (len(r.actions) > 0 || integ.repairable()) {
		prog.Begin("repairing", int64(len(r.actions)))
		roots, err := l.Roots(ctx)
		if err != nil {
			prog.End()
			return rep, err
		}
		rep.RootsAdded = newRoots(roots, scope, r.actions)
		err = l.applyRepairs(ctx, gen, integ, r.actions, rep.RootsAdded)
		if err == nil {
			prog.Advance(int64(len(r.actions)), "")
		}
		prog.End()
		if err != nil {
			return rep, err
		}
		for i := range rep.Findings {
			if rep.Findings[i].Repairable {
				rep.Findings[i].Repaired = true
				rep.Repaired++
			}
		}
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// damageNotes are the parts of a check that could not read the damaged file.
type damageNotes []Finding

// note records err when it is SQLite finding the file damaged, and returns nil so the
// check goes on; any other error (nil included) is returned as it is.
func (d *damageNotes) note(what string, err error) error {
	if err == nil || !isDamage(err) {
		return err
	}
	*d = append(*d, Finding{Kind: KindIntegrity, Detail: fmt.Sprintf("could not read %s: %v", what, err)})
	return nil
}

// findings are the notes, the last one saying so when the files on disk could not be
// compared with the index.
func (d damageNotes) findings(compared bool) []Finding {
	out := slices.Clone(d)
	if !compared && len(out) > 0 {
		out[len(out)-1].Detail += "; the files on disk were not compared with the index"
	}
	return out
}

// checkScope resolves the folders and files to walk. whole is set when the whole
// library is checked (no paths given).
func (l *Library) checkScope(ctx context.Context, paths []string) ([]string, bool, error) {
	if len(paths) == 0 {
		roots, err := l.Roots(ctx)
		if err != nil {
			return nil, false, err
		}
		return roots, true, nil
	}
	var out []string
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, false, fmt.Errorf("check %s: %w", p, err)
		}
		out = append(out, abs)
	}
	return collapseRoots(out), false, nil
}

// scopeSet answers whether a path is one of the scope paths or lies below one, by
// looking up each of the path's ancestors.
type scopeSet map[string]bool

func newScopeSet(scope []string) scopeSet {
	s := scopeSet{}
	for _, p := range scope {
		s[p] = true
	}
	return s
}

func (s scopeSet) contains(path string) bool {
	for {
		if s[path] {
			return true
		}
		parent := filepath.Dir(path)
		if parent == path {
			return false
		}
		path = parent
	}
}

var kindOrder = map[FindingKind]int{
	KindIntegrity: 0, KindMoved: 1, KindMovedModified: 2, KindModified: 3, KindStale: 4, KindFound: 5,
	KindMissing: 6, KindAmbiguous: 7, KindUnsure: 8, KindUnreadable: 9, KindStillMissing: 10, KindDuplicate: 11, KindNew: 12,
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Kind != b.Kind {
			return kindOrder[a.Kind] < kindOrder[b.Kind]
		}
		return a.Path < b.Path
	})
}
