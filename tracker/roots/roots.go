// Package roots decides which paths the root helper may talk about: it
// validates the roots a client asks for against the invoking user, cleans the
// raw paths the kernel reports, and matches them against the roots on a
// path-component boundary.
package roots

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// ErrRefused is wrapped by every validation failure.
var ErrRefused = errors.New("root refused")

// systemTrees are never watched: their file names are not the user's to see,
// and their churn would only cost CPU. A root equal to or under one is refused.
var systemTrees = []string{
	"/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/lost+found",
	"/proc", "/run", "/sbin", "/sys", "/usr", "/var/lib", "/var/log", "/var/spool", "/var/cache",
}

// Check validates one requested root's form: absolute, clean, no "..", not "/"
// and not in a system tree. It touches no file.
func Check(root string) error {
	switch {
	case root == "":
		return fmt.Errorf("%w: empty path", ErrRefused)
	case !strings.HasPrefix(root, "/"):
		return fmt.Errorf("%w: %q is not absolute", ErrRefused, root)
	case strings.ContainsRune(root, 0):
		return fmt.Errorf("%w: %q holds a NUL byte", ErrRefused, root)
	case root == "/":
		return fmt.Errorf("%w: / would expose every file name on the machine", ErrRefused)
	}
	for _, c := range strings.Split(root[1:], "/") {
		if c == ".." {
			return fmt.Errorf("%w: %q holds a .. component", ErrRefused, root)
		}
	}
	if filepath.Clean(root) != root {
		return fmt.Errorf("%w: %q is not clean (want %q)", ErrRefused, root, filepath.Clean(root))
	}
	for _, sys := range systemTrees {
		if Under(root, sys) {
			return fmt.Errorf("%w: %q is in the system tree %s", ErrRefused, root, sys)
		}
	}
	return nil
}

// Open validates root against the file system as the calling process's
// credentials: an existing directory (not a symlink to one) that can be
// listed. The helper calls it after dropping to the invoking user, so the
// kernel itself decides what that user may read, ACLs included.
func Open(root string) error {
	if err := Check(root); err != nil {
		return err
	}
	fi, err := os.Lstat(root)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrRefused, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%w: %q is not a directory", ErrRefused, root)
	}
	if err := unix.Faccessat(unix.AT_FDCWD, root, unix.R_OK|unix.X_OK, unix.AT_EACCESS); err != nil {
		return fmt.Errorf("%w: %q is not readable by the invoking user: %w", ErrRefused, root, err)
	}
	f, err := os.Open(root)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrRefused, err)
	}
	defer f.Close()
	if _, err := f.Readdirnames(1); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: list %q: %w", ErrRefused, root, err)
	}
	return nil
}

// Under reports whether p is dir or lies below it, on a component boundary:
// /home/u2 is not under /home/u.
func Under(p, dir string) bool {
	if !strings.HasPrefix(p, dir) {
		return false
	}
	return len(p) == len(dir) || p[len(dir)] == '/' || dir == "/"
}

// Set is a validated set of roots.
type Set struct {
	roots []string            // sorted; none under another
	index map[string]struct{} // the same roots, for ancestor look-ups
}

// NewSet returns the set of roots, dropping any root under another.
func NewSet(list []string) *Set {
	sorted := append([]string(nil), list...)
	sort.Strings(sorted)
	s := &Set{index: make(map[string]struct{})}
	for _, r := range sorted {
		if s.Contains(r) {
			continue
		}
		s.roots = append(s.roots, r)
		s.index[r] = struct{}{}
	}
	return s
}

// Roots returns the collapsed, sorted roots.
func (s *Set) Roots() []string { return append([]string(nil), s.roots...) }

// Contains reports whether the clean absolute path p is a root or lies under
// one: p and each of its ancestors are looked up, so the cost is the depth of
// p, whatever the number of roots.
func (s *Set) Contains(p string) bool {
	if !strings.HasPrefix(p, "/") {
		return false
	}
	for {
		if _, ok := s.index[p]; ok {
			return true
		}
		i := strings.LastIndexByte(p, '/')
		if i <= 0 {
			return false
		}
		p = p[:i]
	}
}

// Usable splits a library's roots into those the helper will accept and the reasons
// for the rest (a system tree, a folder that no longer exists), so that one bad root
// does not stop tracking of all the others: the helper refuses a request whole.
func Usable(list []string) (ok []string, refused []error) {
	for _, r := range list {
		if err := Check(r); err != nil {
			refused = append(refused, err)
			continue
		}
		st, err := os.Lstat(r)
		switch {
		case err != nil:
			refused = append(refused, fmt.Errorf("%w: %q: %w", ErrRefused, r, err))
		case !st.IsDir():
			refused = append(refused, fmt.Errorf("%w: %q is not a directory", ErrRefused, r))
		default:
			ok = append(ok, r)
		}
	}
	return ok, refused
}
