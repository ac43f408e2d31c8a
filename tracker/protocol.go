// Package tracker is the unprivileged side of Hoard's rename tracker: the
// JSON-lines protocol spoken with the root helper hoard-tracker, and the Client
// that launches the helper (directly as root, else through pkexec) and hands its
// events out on a channel. The eBPF programs live in tracker/probe.
package tracker

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Version is the protocol version carried by the roots line and the ready line.
const Version = 1

// MaxLineBytes caps one protocol line, newline included. An event carries two
// paths of at most 8 KiB (base + user string), base64 can grow them by a third.
const MaxLineBytes = 64 << 10

// MaxRootsLineBytes caps the roots line the helper reads from stdin: room for
// MaxRoots paths of about 120 bytes.
const MaxRootsLineBytes = 8 << 20

// MaxRoots caps the number of roots in the roots line. A library's folders,
// collapsed, can be many; matching costs the depth of a path, not the number
// of roots, and validating them all takes well under a second.
const MaxRoots = 1 << 16

// Type says what an event line reports.
type Type string

// The event types.
const (
	TypeReady  Type = "ready"  // the probe is attached; sent once, first
	TypeRename Type = "rename" // Old was renamed to New
	TypeUnlink Type = "unlink" // Path was unlinked (Dir: a directory was removed)
	TypeLost   Type = "lost"   // Count events were dropped: reconcile
	TypeError  Type = "error"  // the helper failed; Msg says why, it exits next
)

// Flag marks a path the consumer must re-check before trusting it.
type Flag string

// The flags an event may carry.
const (
	FlagOtherMntNS Flag = "other_mntns" // the path was seen in another mount namespace
	FlagUnclean    Flag = "unclean"     // the caller used ".."; resolved in userspace
	FlagDirUnknown Flag = "dir_unknown" // could not tell whether a directory moved
)

// Roots is the first and only line the client writes to the helper's stdin.
type Roots struct {
	V     int      // must be Version
	Roots []string // absolute directories; any bytes (non-UTF-8 travel as base64)
}

// Event is one line of the helper's stdout.
type Event struct {
	Type     Type
	V        int    // ready only: the helper's protocol version
	Old, New string // rename: raw path bytes, possibly not UTF-8
	Path     string // unlink: raw path bytes
	Dir      bool   // unlink: a directory was removed; rename: what moved from Old to New is a directory (seen by lstat(New) just after; FlagDirUnknown when that failed)
	Exchange bool   // renameat2 RENAME_EXCHANGE: Old and New swapped
	Whiteout bool   // renameat2 RENAME_WHITEOUT: a whiteout was left at Old
	Pid      uint32
	UID      uint32
	Comm     string
	TS       uint64 // CLOCK_BOOTTIME of the syscall's return, nanoseconds
	Count    uint64 // lost
	Msg      string // error
	Flags    []Flag
}

// Errors the decoder returns (wrapped).
var (
	ErrLineTooLong = errors.New("protocol line too long")
	ErrVersion     = errors.New("unsupported protocol version")
	ErrMalformed   = errors.New("malformed protocol line")
)

// Validate reports whether e is a well-formed event of a known type.
func (e *Event) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s event: %s", ErrMalformed, e.Type, fmt.Sprintf(format, args...))
	}
	if e.Type != TypeReady && e.V != 0 {
		return bad("unexpected version field")
	}
	switch e.Type {
	case TypeReady:
		if e.V != Version {
			return fmt.Errorf("%w: helper speaks %d, want %d", ErrVersion, e.V, Version)
		}
	case TypeRename:
		if e.Old == "" || e.New == "" {
			return bad("needs old and new")
		}
		if e.Old[0] != '/' || e.New[0] != '/' {
			return bad("paths must be absolute")
		}
		if e.Path != "" {
			return bad("unexpected path")
		}
	case TypeUnlink:
		if e.Path == "" || e.Path[0] != '/' {
			return bad("needs an absolute path")
		}
		if e.Old != "" || e.New != "" || e.Exchange || e.Whiteout {
			return bad("unexpected rename fields")
		}
	case TypeLost:
		if e.Count == 0 {
			return bad("needs a count")
		}
	case TypeError:
		if e.Msg == "" {
			return bad("needs a message")
		}
	default:
		return fmt.Errorf("%w: unknown event type %q", ErrMalformed, e.Type)
	}
	return nil
}

// Validate reports whether r is a well-formed roots line.
func (r *Roots) Validate() error {
	if r.V != Version {
		return fmt.Errorf("%w: roots line has version %d, want %d", ErrVersion, r.V, Version)
	}
	if len(r.Roots) == 0 {
		return fmt.Errorf("%w: no roots", ErrMalformed)
	}
	if len(r.Roots) > MaxRoots {
		return fmt.Errorf("%w: %d roots, at most %d", ErrMalformed, len(r.Roots), MaxRoots)
	}
	for _, root := range r.Roots {
		if root == "" {
			return fmt.Errorf("%w: empty root", ErrMalformed)
		}
	}
	return nil
}

// textOrB64 splits a raw path into its JSON field: text when it is valid UTF-8,
// else base64, so that no byte is ever mangled.
func textOrB64(p string) (string, []byte) {
	if utf8.ValidString(p) {
		return p, nil
	}
	return "", []byte(p)
}

// DirKnown says what a rename moved, when the helper could tell: dir reports a
// directory, and known is false when the helper flagged it FlagDirUnknown.
func (e *Event) DirKnown() (dir, known bool) {
	for _, f := range e.Flags {
		if f == FlagDirUnknown {
			return false, false
		}
	}
	return e.Dir, true
}
