package thumbnail

import (
	"crypto/md5"
	"encoding/hex"
	"path/filepath"
	"strings"
)

// FileURI returns the file:// URI of an absolute path, escaped exactly as
// GLib's g_filename_to_uri does. The path is a byte string: bytes that are not
// valid UTF-8 are escaped like any other byte, so the name matches what a GLib
// file manager computes for the same file.
func FileURI(path string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len("file://") + len(path)*3)
	b.WriteString("file://")
	for i := 0; i < len(path); i++ {
		c := path[i]
		if uriAllowed(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0x0f])
	}
	return b.String()
}

// uriAllowed reports whether GLib leaves c unescaped in a file URI's path:
// the unreserved characters, the sub-delimiters, ':', '@' and '/'.
func uriAllowed(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!$&'()*+,-./:=@_~", c) >= 0
}

// CacheName returns the file name of a thumbnail for uri: the hex MD5 of the
// URI followed by ".png".
func CacheName(uri string) string {
	sum := md5.Sum([]byte(uri))
	return hex.EncodeToString(sum[:]) + ".png"
}

// absPath cleans path and makes it absolute, as the cache names need.
func absPath(path string) (string, error) {
	return filepath.Abs(path)
}
