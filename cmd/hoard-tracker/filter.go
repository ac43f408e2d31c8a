package main

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"hoard/tracker"
	"hoard/tracker/probe"
	"hoard/tracker/roots"
)

// untrusted are the probe's path flags that make a path unusable: the helper
// cannot tell whether it lies under a root, so the event counts as lost and the
// client reconciles.
const untrusted = probe.Truncated | probe.DeletedCwd | probe.BadFD | probe.Detached | probe.UserFault | probe.NameLong

// filter turns probe events into protocol events, keeping only those with a
// path under a root that the invoking user may see.
type filter struct {
	roots       *roots.Set
	checkAccess bool // the invoking user is not root: ask the kernel per directory
	access      map[string]accessEntry
	lost        uint64
	now         func() time.Time
}

type accessEntry struct {
	ok      bool
	checked time.Time
}

// accessTTL bounds how stale a cached permission answer may be.
const accessTTL = time.Second

func newFilter(set *roots.Set, checkAccess bool) *filter {
	return &filter{roots: set, checkAccess: checkAccess, access: make(map[string]accessEntry), now: time.Now}
}

// takeLost returns and resets the count of events dropped as unusable.
func (f *filter) takeLost() uint64 {
	n := f.lost
	f.lost = 0
	return n
}

// convert returns the protocol event for e and whether to emit it.
func (f *filter) convert(e probe.Event) (tracker.Event, bool) {
	n := 1
	if e.Kind == probe.Rename {
		n = 2
	}
	var paths [2]string
	var flags []tracker.Flag
	inRoot := false
	for i := range n {
		p, unclean, ok := f.resolve(e.Paths[i], e.Flags[i])
		if !ok {
			// We cannot say where this path is; if it was under a root, the
			// client must find out by reconciling.
			f.lost++
			return tracker.Event{}, false
		}
		if unclean && !hasFlag(flags, tracker.FlagUnclean) {
			flags = append(flags, tracker.FlagUnclean)
		}
		if e.Flags[i]&probe.OtherMntNS != 0 && !hasFlag(flags, tracker.FlagOtherMntNS) {
			flags = append(flags, tracker.FlagOtherMntNS)
		}
		paths[i] = p
		if f.roots.Contains(p) && f.visible(p) {
			inRoot = true
		}
	}
	if !inRoot {
		return tracker.Event{}, false
	}
	ev := tracker.Event{Pid: e.Pid, UID: e.UID, Comm: e.Comm, TS: e.TS}
	switch e.Kind {
	case probe.Rename:
		ev.Type = tracker.TypeRename
		ev.Old, ev.New = paths[0], paths[1]
		ev.Exchange = e.SysFlags&probe.RenameExchange != 0
		ev.Whiteout = e.SysFlags&probe.RenameWhiteout != 0
		// The kernel does not say what moved; the new name says it now.
		// A racing rename can make this unknowable, and then we say so.
		if fi, err := os.Lstat(ev.New); err == nil {
			ev.Dir = fi.IsDir()
		} else {
			flags = append(flags, tracker.FlagDirUnknown)
		}
	case probe.Unlink, probe.Rmdir:
		ev.Type = tracker.TypeUnlink
		ev.Path = paths[0]
		ev.Dir = e.Kind == probe.Rmdir
	default:
		return tracker.Event{}, false
	}
	ev.Flags = flags
	return ev, true
}

// resolve cleans a raw kernel path. A path with ".." is resolved against the
// file system (EvalSymlinks follows the kernel's physical ".."); ok is false
// when the path cannot be vouched for.
func (f *filter) resolve(raw string, pf probe.PathFlags) (p string, unclean, ok bool) {
	if pf&untrusted != 0 || !strings.HasPrefix(raw, "/") {
		return "", false, false
	}
	clean, dotdot := roots.Clean(raw)
	if !dotdot {
		return clean, false, true
	}
	if pf&probe.Chroot != 0 {
		// The kernel stopped ".." at the caller's root; the host's file
		// system would not.
		return "", false, false
	}
	dir, base := filepath.Split(clean)
	if base == ".." || base == "" {
		return "", false, false
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", false, false
	}
	return filepath.Join(real, base), true, true
}

// visible reports whether the invoking user may search and list p's parent:
// a root like /home must not reveal names inside another user's private home.
func (f *filter) visible(p string) bool {
	if !f.checkAccess {
		return true
	}
	dir := filepath.Dir(p)
	now := f.now()
	if a, ok := f.access[dir]; ok && now.Sub(a.checked) < accessTTL {
		return a.ok
	}
	if len(f.access) > 4096 {
		clear(f.access)
	}
	ok := unix.Faccessat(unix.AT_FDCWD, dir, unix.R_OK|unix.X_OK, unix.AT_EACCESS) == nil
	f.access[dir] = accessEntry{ok: ok, checked: now}
	return ok
}

func hasFlag(flags []tracker.Flag, f tracker.Flag) bool {
	for _, g := range flags {
		if g == f {
			return true
		}
	}
	return false
}
