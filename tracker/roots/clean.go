package roots

import "strings"

// Clean turns a raw absolute path from the kernel into its clean form: no
// empty or "." components and no trailing slash. Removing those never changes
// which file a path names. A ".." does, when a symlink precedes it, so Clean
// keeps the path as is and reports dotdot; the caller must resolve it against
// the file system or not trust it.
func Clean(raw string) (clean string, dotdot bool) {
	if !strings.HasPrefix(raw, "/") {
		return raw, true
	}
	var b strings.Builder
	b.Grow(len(raw))
	for rest := raw; rest != ""; {
		var c string
		c, rest, _ = strings.Cut(rest, "/")
		switch c {
		case "", ".":
			continue
		case "..":
			dotdot = true
		}
		b.WriteByte('/')
		b.WriteString(c)
	}
	if b.Len() == 0 {
		return "/", dotdot
	}
	return b.String(), dotdot
}
