package xdnd

import (
	"fmt"
	"path/filepath"
	"strings"
)

// FileURI returns the file:// URI of an absolute path. Every byte outside
// the URI unreserved set and '/' is percent-encoded, so spaces, newlines and
// bytes that are not UTF-8 survive the trip through a text/uri-list (GLFW
// splits the list on CR and LF, then decodes each %XX back to one byte).
func FileURI(path string) string {
	if !filepath.IsAbs(path) {
		panic(fmt.Sprintf("bug: xdnd.FileURI needs an absolute path, got %q", path))
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len("file://") + len(path))
	b.WriteString("file://")
	for i := 0; i < len(path); i++ {
		c := path[i]
		if uriSafe(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}

// uriSafe reports whether c may stand unescaped in a file URI's path: the
// RFC 3986 unreserved characters and the path separator. Encoding more than
// strictly needed costs nothing and keeps every decoder happy.
func uriSafe(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~/", c) >= 0
}

// uriList encodes uris as a text/uri-list body (RFC 2483): one URI per line,
// each line ended by CRLF.
func uriList(uris []string) ([]byte, error) {
	if len(uris) == 0 {
		return nil, fmt.Errorf("no URIs to drop")
	}
	var b strings.Builder
	for _, u := range uris {
		if u == "" || strings.ContainsAny(u, "\r\n") {
			return nil, fmt.Errorf("URI %q is empty or holds a line break: build file URIs with xdnd.FileURI", u)
		}
		b.WriteString(u)
		b.WriteString("\r\n")
	}
	return []byte(b.String()), nil
}
