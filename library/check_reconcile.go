package library

import (
	"bytes"
	"context"
	"fmt"
	"sort"
)

// reconciler matches entries to files on disk. It decides in passes, most certain
// first, so a weaker rule never takes a file a stronger one gives to another entry:
//  1. identity: the file with the entry's (dev, inode) and birth time;
//  2. path: the file at the entry's own path (an editor's atomic save replaced it);
//  3. content: the only unindexed file with the entry's hash, hashing only the files
//     whose size matches an entry left without a file.
//
// Whatever stays ambiguous is reported and left alone.
type reconciler struct {
	ctx     context.Context
	entries []*entry // the ones being checked
	disk    *diskSet
	opts    CheckOptions
	prog    Progress

	findings    []Finding
	actions     []repairAction
	checked, ok int
	hashedFiles int
	hashedBytes int64
}

func newReconciler(ctx context.Context, all []*entry, disk *diskSet, scope []string, whole bool, opts CheckOptions, prog Progress) *reconciler {
	r := &reconciler{ctx: ctx, disk: disk, opts: opts, prog: prog}
	set := newScopeSet(scope)
	for _, e := range all {
		e.inScope = whole || set.contains(e.lastPath())
		switch {
		case e.inScope:
			r.checked++
			r.entries = append(r.entries, e)
		case e.missing:
			// Missing entries anywhere may have come back inside the scope.
			r.entries = append(r.entries, e)
		case disk.byInode[[2]uint64{e.dev, e.inode}] != nil:
			// A present entry outside the scope whose inode is inside it: maybe moved
			// in. Looked at below; dropped if its file is still where it was.
			r.entries = append(r.entries, e)
		}
	}
	return r
}

func (r *reconciler) run() error {
	if err := r.lookOwn(); err != nil {
		return err
	}
	if err := r.matchIdentity(); err != nil {
		return err
	}
	r.matchPath()
	if err := r.matchContent(); err != nil {
		return err
	}
	r.markTaken()
	if err := r.classify(); err != nil {
		return err
	}
	r.reportNew()
	r.reportDuplicates()
	return nil
}

func (r *reconciler) read(files []*diskFile, phase string) error {
	n, b, err := readAll(r.ctx, files, r.opts.Workers, r.prog, phase)
	r.hashedFiles += n
	r.hashedBytes += b
	return err
}

func (r *reconciler) add(f Finding) { r.findings = append(r.findings, f) }

// lookOwn finds the file at each entry's path.
func (r *reconciler) lookOwn() error {
	kept := r.entries[:0]
	for _, e := range r.entries {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		if e.path != "" {
			f, err := r.disk.lookup(e.path)
			if err != nil {
				if e.inScope {
					r.add(Finding{Kind: KindUnreadable, ID: e.id, Path: e.path, Detail: "cannot look at it: " + errText(err)})
				}
				e.skip = true
			}
			e.own = f
		}
		if !e.inScope && !e.missing && e.own != nil && e.sameFile(e.own) {
			continue // still where it was
		}
		kept = append(kept, e)
	}
	r.entries = kept
	return nil
}

// matchIdentity gives each entry the file with its (dev, inode) and birth time. Where
// either birth time is unknown and the content changed, it cannot tell a moved, edited
// file from another file that reused the inode number: reported, not relinked.
func (r *reconciler) matchIdentity() error {
	claims := map[*diskFile][]*entry{}
	var weak []*entry
	weakFile := map[*entry]*diskFile{}
	for _, e := range r.entries {
		if e.skip || (e.dev == 0 && e.inode == 0) {
			continue
		}
		// Walk the chain of files with this inode without allocating: usually one.
		var f, first *diskFile
		n := 0
		for c := r.disk.byInode[[2]uint64{e.dev, e.inode}]; c != nil; c = c.link {
			if btimeAgrees(e.btime, c.facts.Btime) {
				n++
				if first == nil {
					first = c
				}
			}
		}
		switch {
		case n == 0:
			continue
		case e.own != nil && e.sameFile(e.own):
			f = e.own
		case n == 1:
			f = first
		default:
			// Hard links, none at the entry's path: any of them is the file.
			var cands []*diskFile
			for _, c := range r.disk.withInode(e.dev, e.inode) {
				if btimeAgrees(e.btime, c.facts.Btime) {
					cands = append(cands, c)
				}
			}
			r.ambiguous(e, cands, "several hard links of its inode")
			continue
		}
		certain := e.btime != 0 && f.facts.Btime != 0
		if !certain && f != e.own && !e.statSame(f) {
			weak = append(weak, e)
			weakFile[e] = f
			continue
		}
		claims[f] = append(claims[f], e)
	}
	var toRead []*diskFile
	for _, e := range weak {
		toRead = append(toRead, weakFile[e])
	}
	if err := r.read(toRead, "comparing contents"); err != nil {
		return err
	}
	for _, e := range weak {
		f := weakFile[e]
		if len(claims[f]) > 0 {
			continue // a certain match has it
		}
		if f.read && bytes.Equal(f.facts.Hash, e.hash) {
			claims[f] = append(claims[f], e)
			continue
		}
		f.held, e.reported = true, true
		r.add(Finding{Kind: KindUnsure, ID: e.id, Path: e.lastPath(), NewPath: f.path, Paths: []string{f.path},
			Detail: "a file with its inode number has other content, and this filesystem records no birth time: it may be another file that reused the inode, so it is not relinked"})
	}
	for f, es := range claims {
		if len(es) == 1 {
			r.give(es[0], f, byIdentity)
			continue
		}
		// Hard links indexed at several paths: the file at an entry's own path is
		// that entry's; the others lost their link and match nothing here.
		var owner *entry
		for _, e := range es {
			if e.own == f {
				owner = e
			}
		}
		if owner != nil {
			r.give(owner, f, byIdentity)
			continue
		}
		for _, e := range es {
			r.ambiguous(e, []*diskFile{f}, fmt.Sprintf("%d entries have this file's inode", len(es)))
		}
	}
	return nil
}

func (r *reconciler) give(e *entry, f *diskFile, how matchHow) {
	e.target, e.how, f.claim = f, how, e
}

func (r *reconciler) ambiguous(e *entry, files []*diskFile, why string) {
	e.reported = true
	var paths []string
	for _, f := range files {
		f.held = true
		paths = append(paths, f.path)
	}
	sort.Strings(paths)
	r.add(Finding{Kind: KindAmbiguous, ID: e.id, Path: e.lastPath(), Paths: paths,
		Detail: why + "; left alone (move the file back, or `hoard rm` the entry and include the file)"})
}

// matchPath gives an entry left without a file the file at its own path, unless that
// file went to another entry by identity.
func (r *reconciler) matchPath() {
	for _, e := range r.entries {
		if e.target != nil || e.skip || e.reported || e.own == nil {
			continue
		}
		if e.own.claim == nil && !e.own.held {
			r.give(e, e.own, byPath)
		}
	}
}

// markTaken finds the entries that stay put while another entry's file now sits at
// their path: they must give the path up (paths are unique), keeping their tags.
func (r *reconciler) markTaken() {
	for _, e := range r.entries {
		if e.target == nil && e.own != nil && e.own.claim != nil && e.own.claim != e {
			e.taken = true
		}
	}
}

// matchContent relinks entries still without a file to the one unindexed file with
// the same content. Only files of a size some such entry has are hashed.
func (r *reconciler) matchContent() error {
	sizes := map[int64]bool{}
	var gone []*entry
	for _, e := range r.entries {
		if e.target == nil && !e.skip && !e.reported && len(e.hash) > 0 {
			gone = append(gone, e)
			sizes[e.size] = true
		}
	}
	if len(gone) == 0 {
		return nil
	}
	var cands []*diskFile
	for _, f := range r.disk.walked {
		if f.claim == nil && !f.held && sizes[f.facts.Size] {
			cands = append(cands, f)
		}
	}
	if err := r.read(cands, "hashing candidates"); err != nil {
		return err
	}
	files := map[string][]*diskFile{}
	for _, f := range cands {
		if f.read {
			files[string(f.facts.Hash)] = append(files[string(f.facts.Hash)], f)
		}
	}
	entries := map[string][]*entry{}
	for _, e := range gone {
		entries[string(e.hash)] = append(entries[string(e.hash)], e)
	}
	for h, es := range entries {
		fs := files[h]
		switch {
		case len(fs) == 0:
		case len(es) == 1 && len(fs) == 1:
			r.give(es[0], fs[0], byHash)
		default:
			why := fmt.Sprintf("%d files have its content", len(fs))
			if len(es) > 1 {
				why = fmt.Sprintf("%d entries without a file and %d files share this content", len(es), len(fs))
			}
			for _, e := range es {
				r.ambiguous(e, fs, why)
			}
		}
	}
	return nil
}

// classify turns each entry's match into a finding and a repair.
func (r *reconciler) classify() error {
	var toRead []*diskFile
	for _, e := range r.entries {
		f := e.target
		if f == nil {
			continue
		}
		// The same file at its path on a device numbered anew (a disk plugged in
		// again): same inode, birth time, size and mtime. Not worth re-hashing.
		renumbered := f.path == e.path && f.facts.Inode == e.inode && e.btime != 0 &&
			f.facts.Btime == e.btime && e.statSame(f)
		switch {
		case r.opts.Full, e.missing:
			toRead = append(toRead, f)
		case !e.sameFile(f) && !renumbered:
			toRead = append(toRead, f)
		case !e.statSame(f):
			toRead = append(toRead, f)
		}
	}
	if err := r.read(toRead, "hashing changed files"); err != nil {
		return err
	}
	for _, e := range r.entries {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		if e.target == nil {
			r.classifyGone(e)
			continue
		}
		r.classifyFound(e)
	}
	return nil
}

func (r *reconciler) classifyFound(e *entry) {
	f := e.target
	if f.readErr != nil {
		r.add(Finding{Kind: KindUnreadable, ID: e.id, Path: f.path, Detail: "cannot read it: " + errText(f.readErr)})
		return
	}
	changed := f.read && !bytes.Equal(f.facts.Hash, e.hash)
	act := repairAction{id: e.id, facts: f.facts, read: f.read, wasMissing: e.missing}
	fd := Finding{ID: e.id, Path: e.lastPath(), Repairable: true}
	if f.path != e.path {
		act.kind, act.path = actMove, f.path
		fd.NewPath = f.path
		fd.Kind = KindMoved
		if changed {
			fd.Kind = KindMovedModified
		}
		switch e.how {
		case byIdentity:
			fd.Detail = "same inode and birth time"
		case byHash:
			fd.Detail = "the only unindexed file with its content"
		}
		if e.missing {
			fd.Detail += "; it was missing"
		}
		r.add(fd)
		r.actions = append(r.actions, act)
		return
	}
	act.kind = actRefresh
	switch {
	case e.missing:
		fd.Kind, fd.Detail = KindFound, "a file is at its path again"
		if changed {
			fd.Detail += ", with other content"
		}
	case changed:
		fd.Kind, fd.Detail = KindModified, "content changed; tags kept"
		if e.how == byPath {
			fd.Detail = "replaced by another file (an editor's save?); tags kept"
		}
	case f.facts.Dev != e.dev || f.facts.Inode != e.inode || !e.statSame(f) || f.facts.Btime != e.btime:
		fd.Kind, fd.Detail = KindStale, "file facts changed, content did not"
	default:
		r.ok++
		return
	}
	r.add(fd)
	r.actions = append(r.actions, act)
}

func (r *reconciler) classifyGone(e *entry) {
	if e.skip {
		return
	}
	if e.taken {
		// Another entry's file is at its path now; it must give the path up.
		d := "its path now holds another entry's file"
		if e.own != nil && e.own.claim != nil {
			d = fmt.Sprintf("its path now holds the file of entry %d", e.own.claim.id)
		}
		r.add(Finding{Kind: KindMissing, ID: e.id, Path: e.lastPath(), Detail: d + "; kept, with its tags, as missing", Repairable: true})
		r.actions = append(r.actions, repairAction{kind: actDisplace, id: e.id, wasMissing: e.missing})
		return
	}
	if !e.inScope {
		return
	}
	if e.missing {
		if e.reported {
			return // the ambiguous or unsure finding says it
		}
		r.add(Finding{Kind: KindStillMissing, ID: e.id, Path: e.lastPath(),
			Detail: "marked missing; put the file back, or `hoard rm` the entry"})
		return
	}
	r.add(Finding{Kind: KindMissing, ID: e.id, Path: e.path, Detail: "no file found; kept, with its tags, as missing", Repairable: true})
	r.actions = append(r.actions, repairAction{kind: actMarkMissing, id: e.id})
}

// reportNew names the files in the walked folders no entry has.
func (r *reconciler) reportNew() {
	for _, f := range r.disk.walked {
		if f.claim == nil && !f.held {
			r.add(Finding{Kind: KindNew, Path: f.path, Detail: "not in the library (`hoard include` adds it)"})
		}
	}
}

// reportDuplicates names content found at several of the checked entries' paths.
func (r *reconciler) reportDuplicates() {
	groups := map[[32]byte][]string{}
	for _, e := range r.entries {
		f := e.target
		if f == nil || !e.inScope || f.readErr != nil {
			continue
		}
		h := e.hash
		if f.read {
			h = f.facts.Hash
		}
		if len(h) == 32 {
			k := [32]byte(h)
			groups[k] = append(groups[k], f.path)
		}
	}
	for h, paths := range groups {
		if len(paths) < 2 {
			continue
		}
		sort.Strings(paths)
		r.add(Finding{Kind: KindDuplicate, Path: paths[0], Paths: paths,
			Detail: fmt.Sprintf("%d entries with the same content (hash %x…)", len(paths), h[:6])})
	}
}
