package xdnd

import (
	"fmt"
	"path/filepath"
	"strings"

	"hoard/library/thumbnail"
)

// FileURI returns the file:// URI of an absolute path, escaped as GLib escapes it
// (thumbnail.FileURI): spaces, newlines and bytes that are not UTF-8 are
// percent-encoded, so they survive the trip through a text/uri-list (GLFW splits
// the list on CR and LF, then decodes each %XX back to one byte).
func FileURI(path string) string {
	if !filepath.IsAbs(path) {
		panic(fmt.Sprintf("bug: xdnd.FileURI needs an absolute path, got %q", path))
	}
	return thumbnail.FileURI(path)
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
